// Every bad input, through the real CLI: the built bin spawned as a child process.
//
// The contract checked for each error: the documented exit code, ONE line on stderr starting with
// `error: ` (commander's own usage errors add "(run with --help for usage)" lines, so for those only
// the first line is checked), no stack trace, nothing on stdout unless --json was given (then exactly
// one JSON line with ok:false), the secret never printed, and the user's files left byte for byte.
import { describe, it, expect, afterEach } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, ROOT, type CliOptions, type CliResult } from "../helpers/cli.js";
import { refusedPort, startLoopback, type LoopbackServer, type Script } from "../helpers/loopback.js";

const SECRET = "s3cr3t-VALUE-1234567890";
const STACK_TRACE = /\n\s+at /;

// ---------------------------------------------------------------------------------------------
// Per-test resources, all released in afterEach.

let tempDirs: string[] = [];
let servers: LoopbackServer[] = [];
let rawServers: { server: NetServer; sockets: Set<Socket> }[] = [];
/** Files handed to the CLI, with their bytes at creation: they must never change. */
let userFiles: { path: string; bytes: Buffer }[] = [];

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(
    rawServers.map(
      ({ server, sockets }) =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    ),
  );
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  servers = [];
  rawServers = [];
  tempDirs = [];
  userFiles = [];
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "xsolla-hooks-bad-input-"));
  tempDirs.push(dir);
  return dir;
}

/** Writes a file the user will pass to the CLI and remembers its bytes. */
function userFile(dir: string, name: string, content: string | Buffer): string {
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, content);
  userFiles.push({ path, bytes: readFileSync(path) });
  return path;
}

function expectUserFilesUntouched(): void {
  for (const file of userFiles) expect.soft(readFileSync(file.path).equals(file.bytes), `${file.path} was modified`).toBe(true);
}

async function loopback(script?: Script): Promise<LoopbackServer> {
  const server = await startLoopback(script);
  servers.push(server);
  return server;
}

/** A TCP peer on 127.0.0.1:0 that reads a whole request, then answers something that is not HTTP. */
async function garbageServer(answer: string): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let seen = Buffer.alloc(0);
    let answered = false;
    socket.on("data", (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      const headerEnd = seen.indexOf("\r\n\r\n");
      if (answered || headerEnd === -1) return;
      const length = Number(/content-length:\s*(\d+)/i.exec(seen.subarray(0, headerEnd).toString("latin1"))?.[1] ?? 0);
      if (seen.length < headerEnd + 4 + length) return;
      answered = true;
      socket.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  rawServers.push({ server, sockets });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
}

// ---------------------------------------------------------------------------------------------
// Assertions

function describeRun(result: CliResult): string {
  return `exit ${result.code}${result.signal ? ` (signal ${result.signal})` : ""}\n--- stdout (${result.stdout.length} chars)\n${result.stdout.slice(0, 2000)}\n--- stderr\n${result.stderr.slice(0, 2000)}`;
}

function expectCommon(result: CliResult): void {
  const all = result.stdout + result.stderr;
  expect.soft(result.signal, describeRun(result)).toBeNull();
  expect.soft(all, `a stack trace was printed\n${describeRun(result)}`).not.toMatch(STACK_TRACE);
  expect.soft(all, `the secret was printed\n${describeRun(result)}`).not.toContain(SECRET);
  expect.soft(all, `an internal error was reported\n${describeRun(result)}`).not.toMatch(/internal error/i);
}

interface ErrorExpectation {
  code: number;
  /** Every pattern must match the error line. */
  message?: (string | RegExp)[];
  /** --json was given: stdout is exactly one JSON line with ok:false (returned). */
  json?: boolean;
}

/** One of our own errors: exactly one `error: ` line on stderr. Returns the parsed --json document. */
function expectError(result: CliResult, expected: ErrorExpectation): Record<string, unknown> | undefined {
  const context = describeRun(result);
  expect.soft(result.code, context).toBe(expected.code);
  expectCommon(result);
  const stderr = result.stderr.replace(/\n$/, "");
  const lines = stderr.split("\n");
  expect.soft(lines, `stderr must be exactly one line\n${context}`).toHaveLength(1);
  expect.soft(stderr, context).toMatch(/^error: \S/);
  for (const pattern of expected.message ?? []) {
    if (typeof pattern === "string") expect.soft(lines[0], context).toContain(pattern);
    else expect.soft(lines[0], context).toMatch(pattern);
  }
  if (!expected.json) {
    expect.soft(result.stdout, `stdout must be empty for an error\n${context}`).toBe("");
    return undefined;
  }
  expect.soft(result.stdout.endsWith("\n"), `--json output must end with a newline\n${context}`).toBe(true);
  const jsonLines = result.stdout.replace(/\n$/, "").split("\n");
  expect.soft(jsonLines, `--json stdout must be exactly one line\n${context}`).toHaveLength(1);
  let document: Record<string, unknown> | undefined;
  try {
    document = JSON.parse(jsonLines[0] ?? "") as Record<string, unknown>;
  } catch {
    expect.fail(`--json stdout is not JSON\n${context}`);
  }
  expect.soft(document?.ok, context).toBe(false);
  return document;
}

/** A commander usage error: first line `error: ...`, exit 2, nothing on stdout. */
function expectUsageError(result: CliResult, message?: (string | RegExp)[]): void {
  const context = describeRun(result);
  expect.soft(result.code, context).toBe(2);
  expectCommon(result);
  const first = result.stderr.split("\n")[0] ?? "";
  expect.soft(first, context).toMatch(/^error: \S/);
  for (const pattern of message ?? []) {
    if (typeof pattern === "string") expect.soft(result.stderr, context).toContain(pattern);
    else expect.soft(result.stderr, context).toMatch(pattern);
  }
  expect.soft(result.stdout, context).toBe("");
}

function expectOk(result: CliResult): void {
  expect.soft(result.code, describeRun(result)).toBe(0);
  expectCommon(result);
}

const cli = (args: readonly string[], options: CliOptions = {}) => runCli(args, options);

/** A URL nothing listens on, for cases that must fail before any request is made. */
async function deadUrl(): Promise<string> {
  return `http://127.0.0.1:${await refusedPort()}/webhook`;
}

function paymentBody(): Record<string, unknown> {
  const fixture = JSON.parse(readFileSync(join(ROOT, "fixtures", "payment.json"), "utf8")) as { body: Record<string, unknown> };
  return fixture.body;
}

// ---------------------------------------------------------------------------------------------

describe("bad JSON bodies", () => {
  it("--data with invalid JSON → 2, naming the file", async () => {
    const dir = tempDir();
    userFile(dir, "bad.json", '{"a":');
    const result = await cli(["send", "payment", "--data", "bad.json", "--url", await deadUrl(), "--secret", SECRET], { cwd: dir });
    expectError(result, { code: 2, message: ["bad.json", /not valid JSON/] });
    expectUserFilesUntouched();
  });

  it("a body file argument with invalid JSON → 2, naming the file", async () => {
    const dir = tempDir();
    userFile(dir, "bad.json", '{"a":');
    const result = await cli(["send", "bad.json", "--url", await deadUrl(), "--secret", SECRET], { cwd: dir });
    expectError(result, { code: 2, message: ["bad.json", /not valid JSON/] });
    expectUserFilesUntouched();
  });

  it("--merge with invalid JSON → 2, naming the file", async () => {
    const dir = tempDir();
    userFile(dir, "bad.json", '{"a":');
    const result = await cli(["send", "payment", "--merge", "bad.json", "--url", await deadUrl(), "--secret", SECRET], { cwd: dir });
    expectError(result, { code: 2, message: ["--merge", "bad.json", /not valid JSON/] });
    expectUserFilesUntouched();
  });

  it("invalid JSON on stdin (send -) → 2, naming stdin", async () => {
    const result = await cli(["send", "-", "--url", await deadUrl(), "--secret", SECRET], { input: '{"a":' });
    expectError(result, { code: 2, message: ["stdin", /not valid JSON/] });
  });

  it("an empty body file → 2, naming the file", async () => {
    const dir = tempDir();
    userFile(dir, "empty.json", "");
    const result = await cli(["send", "empty.json", "--url", await deadUrl(), "--secret", SECRET], { cwd: dir });
    expectError(result, { code: 2, message: ["empty.json", /empty/] });
    expectUserFilesUntouched();
  });

  it("sign with a body file of invalid JSON → 2", async () => {
    const dir = tempDir();
    userFile(dir, "bad.json", '{"a":');
    const result = await cli(["sign", "bad.json", "--secret", SECRET], { cwd: dir });
    expectError(result, { code: 2, message: ["bad.json"] });
    expectUserFilesUntouched();
  });

  it("a body file that does not exist → 2, naming it", async () => {
    const dir = tempDir();
    const result = await cli(["send", "missing.json", "--url", await deadUrl(), "--secret", SECRET], { cwd: dir });
    expectError(result, { code: 2, message: ["missing.json", /no such file/] });
  });

  it("--data naming a directory → 2", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "sub"));
    const result = await cli(["send", "payment", "--data", "sub", "--url", await deadUrl(), "--secret", SECRET], { cwd: dir });
    expectError(result, { code: 2, message: ["sub", /directory/] });
  });

  it("a body both as the argument and with --data → 2", async () => {
    const dir = tempDir();
    userFile(dir, "a.json", JSON.stringify(paymentBody()));
    userFile(dir, "b.json", JSON.stringify(paymentBody()));
    const result = await cli(["send", "a.json", "--data", "b.json", "--url", await deadUrl(), "--secret", SECRET], { cwd: dir });
    expectError(result, { code: 2, message: ["--data"] });
    expectUserFilesUntouched();
  });

  it("with --json, a bad body is one JSON line on stdout and one error line on stderr", async () => {
    const dir = tempDir();
    userFile(dir, "bad.json", '{"a":');
    const result = await cli(["send", "bad.json", "--url", await deadUrl(), "--secret", SECRET, "--json"], { cwd: dir });
    const document = expectError(result, { code: 2, message: ["bad.json"], json: true });
    expect.soft(document?.error).toMatchObject({ code: "BAD_INPUT" });
    expectUserFilesUntouched();
  });
});

describe("unknown names", () => {
  it("an unknown type → 2 with a suggestion", async () => {
    const result = await cli(["send", "paymnt", "--url", await deadUrl(), "--secret", SECRET]);
    expectError(result, { code: 2, message: ["paymnt", "did you mean payment"] });
  });

  it("an unknown type with --json → 2, one JSON line with ok:false", async () => {
    const result = await cli(["send", "paymnt", "--url", await deadUrl(), "--secret", SECRET, "--json"]);
    const document = expectError(result, { code: 2, message: ["did you mean payment"], json: true });
    expect.soft(document?.error).toMatchObject({ code: "UNKNOWN_FIXTURE" });
  });

  it("an unknown variant → 2, listing the variants", async () => {
    const result = await cli(["send", "order_paid", "--variant", "nope", "--url", await deadUrl(), "--secret", SECRET]);
    expectError(result, { code: 2, message: ["nope", "separate"] });
  });

  it("show of an unknown type → 2", async () => {
    const result = await cli(["show", "nosuchthing"]);
    expectError(result, { code: 2, message: ["nosuchthing"] });
  });
});

describe("handler URL", () => {
  it("--url not-a-url → 2", async () => {
    const result = await cli(["send", "payment", "--url", "not-a-url", "--secret", SECRET]);
    expectError(result, { code: 2, message: ["not-a-url"] });
  });

  it("--url ftp://… → 2", async () => {
    const result = await cli(["send", "payment", "--url", "ftp://example.com/x", "--secret", SECRET]);
    expectError(result, { code: 2, message: ["ftp://example.com/x", /http/] });
  });

  it("--url not-a-url with --json → 2, one JSON line with ok:false", async () => {
    const result = await cli(["send", "payment", "--url", "not-a-url", "--secret", SECRET, "--json"]);
    expectError(result, { code: 2, message: ["not-a-url"], json: true });
  });

  it("no --url and no XSOLLA_WEBHOOK_URL → 2, naming --url", async () => {
    const result = await cli(["send", "payment", "--secret", SECRET]);
    expectError(result, { code: 2, message: ["--url"] });
  });

  it("an empty XSOLLA_WEBHOOK_URL counts as missing → 2", async () => {
    const result = await cli(["send", "payment", "--secret", SECRET], { env: { XSOLLA_WEBHOOK_URL: "" } });
    expectError(result, { code: 2, message: ["--url"] });
  });

  it("XSOLLA_WEBHOOK_URL is used when --url is absent", async () => {
    const server = await loopback((_r, res) => void res.writeHead(204).end());
    const result = await cli(["send", "payment", "--secret", SECRET], { env: { XSOLLA_WEBHOOK_URL: server.url } });
    expectOk(result);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.method).toBe("POST");
  });
});

describe("webhook secret", () => {
  it("send without --secret or XSOLLA_WEBHOOK_SECRET → 2, naming --secret", async () => {
    const server = await loopback();
    const result = await cli(["send", "payment", "--url", server.url]);
    expectError(result, { code: 2, message: ["--secret"] });
    expect(server.requests, "nothing may be sent without a secret").toHaveLength(0);
  });

  it("sign without --secret or XSOLLA_WEBHOOK_SECRET → 2, naming --secret", async () => {
    const result = await cli(["sign", "payment"]);
    expectError(result, { code: 2, message: ["--secret"] });
  });

  it("an empty --secret counts as missing → 2", async () => {
    const result = await cli(["sign", "payment", "--secret", ""]);
    expectError(result, { code: 2, message: ["--secret"] });
  });

  it("send takes XSOLLA_WEBHOOK_SECRET from the environment and never prints it", async () => {
    const server = await loopback((_r, res) => void res.writeHead(204).end());
    const result = await cli(["send", "payment", "--url", server.url], { env: { XSOLLA_WEBHOOK_SECRET: SECRET } });
    expectOk(result);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.headers.authorization).toMatch(/^Signature [0-9a-f]{40}$/);
  });

  it("sign takes XSOLLA_WEBHOOK_SECRET from the environment and never prints it", async () => {
    const result = await cli(["sign", "payment"], { env: { XSOLLA_WEBHOOK_SECRET: SECRET } });
    expectOk(result);
    expect(result.stdout).toMatch(/^Authorization: Signature [0-9a-f]{40}\n$/);
  });
});

describe("unreachable handlers", () => {
  it("a refused port → 3, connection refused", async () => {
    const url = `http://127.0.0.1:${await refusedPort()}/webhook`;
    const result = await cli(["send", "payment", "--url", url, "--secret", SECRET]);
    expectError(result, { code: 3, message: [/connection refused/] });
  });

  it("a refused port with --json → 3, one JSON object with ok:false and the attempt's error", async () => {
    const url = `http://127.0.0.1:${await refusedPort()}/webhook`;
    const result = await cli(["send", "payment", "--url", url, "--secret", SECRET, "--json"]);
    const document = expectError(result, { code: 3, message: [/connection refused/], json: true });
    const attempts = document?.attempts as { error: string | null; status: number | null }[] | undefined;
    expect(attempts?.[0]?.error).toMatch(/connection refused/);
    expect(attempts?.[0]?.status).toBeNull();
  });

  it("a handler that never answers, with --timeout 300 → 3, timed out, quickly", async () => {
    const server = await loopback(() => {
      /* never answers */
    });
    const started = performance.now();
    const result = await cli(["send", "payment", "--url", server.url, "--secret", SECRET, "--timeout", "300"], { timeoutMs: 10_000 });
    const elapsed = performance.now() - started;
    expectError(result, { code: 3, message: [/timed out/] });
    expect(server.requests).toHaveLength(1);
    expect(elapsed, "the CLI must give up soon after --timeout").toBeLessThan(4_000);
  });

  it("an answer that is not HTTP → 3, says so", async () => {
    const url = await garbageServer("this is not http\r\n\r\n");
    const result = await cli(["send", "payment", "--url", url, "--secret", SECRET]);
    expectError(result, { code: 3, message: [/not valid HTTP/] });
  });
});

describe("handler answers", () => {
  const FIVE_MIB = 5 * 1024 * 1024;
  const huge: Script = (_r, res) => {
    res.on("error", () => {});
    res.writeHead(200, { "content-type": "text/plain", "content-length": String(FIVE_MIB) });
    res.end(Buffer.alloc(FIVE_MIB, "x"));
  };

  it("a 5 MiB answer: no crash, no hang, exit 0, short output", async () => {
    const server = await loopback(huge);
    const result = await cli(["send", "payment", "--url", server.url, "--secret", SECRET]);
    expectOk(result);
    expect.soft(result.stderr).toBe("");
    expect(result.stdoutBytes.length, "the body must be cut in the human output").toBeLessThan(10 * 1024);
    expect(result.stdout).toContain("200");
  });

  it("a 5 MiB answer with --json: parses, bodyTruncated", async () => {
    const server = await loopback(huge);
    const result = await cli(["send", "payment", "--url", server.url, "--secret", SECRET, "--json"]);
    expectOk(result);
    const lines = result.stdout.replace(/\n$/, "").split("\n");
    expect(lines).toHaveLength(1);
    const document = JSON.parse(lines[0] ?? "") as { ok: boolean; attempts: { status: number; bodyTruncated: boolean }[] };
    expect(document.ok).toBe(true);
    expect(document.attempts[0]?.status).toBe(200);
    expect(document.attempts[0]?.bodyTruncated).toBe(true);
    expect(result.stdoutBytes.length).toBeLessThan(FIVE_MIB);
  });

  it("a 500 answer → 1 (check failed), not 3", async () => {
    const server = await loopback((_r, res) => void res.writeHead(500, { "content-type": "text/plain" }).end("boom"));
    const result = await cli(["send", "payment", "--url", server.url, "--secret", SECRET]);
    expect.soft(result.code, describeRun(result)).toBe(1);
    expectCommon(result);
    expect(result.stdout).toContain("500");
  });

  it("a 500 answer with --json → 1, ok:false with the status", async () => {
    const server = await loopback((_r, res) => void res.writeHead(500).end());
    const result = await cli(["send", "payment", "--url", server.url, "--secret", SECRET, "--json"]);
    expect.soft(result.code, describeRun(result)).toBe(1);
    expectCommon(result);
    const document = JSON.parse(result.stdout) as { ok: boolean; attempts: { status: number }[] };
    expect(document.ok).toBe(false);
    expect(document.attempts[0]?.status).toBe(500);
  });
});

describe("bad flags", () => {
  it("--set without = → 2", async () => {
    const result = await cli(["send", "payment", "--set", "nopath", "--url", await deadUrl(), "--secret", SECRET]);
    expectError(result, { code: 2, message: ["nopath"] });
  });

  it("--set with an empty path segment → 2", async () => {
    const result = await cli(["show", "payment", "--set", "user..id=1"]);
    expectError(result, { code: 2, message: ["user..id"] });
  });

  it("--set items.x.sku on order_paid (items is an array) → 2", async () => {
    const result = await cli(["send", "order_paid", "--set", "items.x.sku=1", "--url", await deadUrl(), "--secret", SECRET]);
    expectError(result, { code: 2, message: ["items.x.sku"] });
  });

  it("--set past the end of an array → 2", async () => {
    const result = await cli(["show", "order_paid", "--set", "items.99.sku=x"]);
    expectError(result, { code: 2, message: ["items.99.sku"] });
  });

  it("--expect 2xy → 2", async () => {
    const result = await cli(["send", "payment", "--expect", "2xy", "--url", await deadUrl(), "--secret", SECRET]);
    expectError(result, { code: 2, message: ["--expect", "2xy"] });
  });

  it("--timeout abc → 2", async () => {
    const result = await cli(["send", "payment", "--timeout", "abc", "--url", await deadUrl(), "--secret", SECRET]);
    expectError(result, { code: 2, message: ["--timeout", "abc"] });
  });

  it("--timeout 0 → 2", async () => {
    const result = await cli(["send", "payment", "--timeout", "0", "--url", await deadUrl(), "--secret", SECRET]);
    expectError(result, { code: 2, message: ["--timeout"] });
  });

  it('--header "bad header" → 2', async () => {
    const result = await cli(["send", "payment", "--header", "bad header", "--url", await deadUrl(), "--secret", SECRET]);
    expectError(result, { code: 2, message: ["--header", "bad header"] });
  });

  it("--body-format weird → 2 (commander)", async () => {
    const result = await cli(["send", "payment", "--body-format", "weird", "--url", await deadUrl(), "--secret", SECRET]);
    expectUsageError(result, ["weird"]);
  });

  it("an unknown option → 2 (commander)", async () => {
    const result = await cli(["send", "payment", "--nope", "--url", await deadUrl(), "--secret", SECRET]);
    expectUsageError(result, ["--nope"]);
  });

  it("an unknown command → 2 with a suggestion (commander)", async () => {
    const result = await cli(["sned", "payment", "--url", await deadUrl(), "--secret", SECRET]);
    expectUsageError(result, ["sned", /\bsend\?/]);
  });

  it("a missing argument → 2 (commander)", async () => {
    const result = await cli(["send", "--url", await deadUrl(), "--secret", SECRET]);
    expectUsageError(result);
  });

  it("an option without its value → 2 (commander)", async () => {
    const result = await cli(["send", "payment", "--secret", SECRET, "--url"]);
    expectUsageError(result, ["--url"]);
  });
});

describe("--fixtures-dir", () => {
  it("a directory that does not exist → 2 (list)", async () => {
    const dir = join(tempDir(), "nope");
    const result = await cli(["list", "--fixtures-dir", dir]);
    expectError(result, { code: 2, message: [dir] });
  });

  it("a directory that does not exist → 2 (send)", async () => {
    const dir = join(tempDir(), "nope");
    const result = await cli(["send", "payment", "--fixtures-dir", dir, "--url", await deadUrl(), "--secret", SECRET]);
    expectError(result, { code: 2, message: [dir] });
  });

  it("XSOLLA_HOOKS_FIXTURES_DIR naming a missing directory → 2", async () => {
    const dir = join(tempDir(), "nope");
    const result = await cli(["list"], { env: { XSOLLA_HOOKS_FIXTURES_DIR: dir } });
    expectError(result, { code: 2, message: [dir] });
  });

  it("a fixture file with invalid JSON → 2, naming it", async () => {
    const dir = tempDir();
    userFile(dir, "payment.json", '{"a":');
    const result = await cli(["list", "--fixtures-dir", dir]);
    expectError(result, { code: 2, message: ["payment.json", /not valid JSON/] });
    expectUserFilesUntouched();
  });

  it("a payment body missing transaction → 2, naming the problem", async () => {
    const dir = tempDir();
    const { transaction: _transaction, ...body } = paymentBody();
    userFile(dir, "payment.json", JSON.stringify(body, null, 2));
    const result = await cli(["list", "--fixtures-dir", dir]);
    expectError(result, { code: 2, message: ["payment.json", "transaction"] });
    expectUserFilesUntouched();
  });

  it("the same broken fixture also stops send → 2", async () => {
    const dir = tempDir();
    const { transaction: _transaction, ...body } = paymentBody();
    userFile(dir, "payment.json", JSON.stringify(body));
    const server = await loopback();
    const result = await cli(["send", "payment", "--fixtures-dir", dir, "--url", server.url, "--secret", SECRET]);
    expectError(result, { code: 2, message: ["transaction"] });
    expect(server.requests).toHaveLength(0);
    expectUserFilesUntouched();
  });

  it("a valid plain webhook body under any file name is listed → 0", async () => {
    const dir = tempDir();
    userFile(dir, "my_payment.json", JSON.stringify(paymentBody(), null, 2));
    const result = await cli(["list", "--fixtures-dir", dir]);
    expectOk(result);
    expect.soft(result.stderr, describeRun(result)).toBe("");
    expect(result.stdout).toMatch(/^my_payment\s/m);
    expectUserFilesUntouched();
  });
});

describe("listen", () => {
  it("--port 70000 → 2", async () => {
    const result = await cli(["listen", "--port", "70000", "--secret", SECRET]);
    expectError(result, { code: 2, message: ["--port", "70000"] });
  });

  it("--port abc → 2", async () => {
    const result = await cli(["listen", "--port", "abc", "--secret", SECRET]);
    expectError(result, { code: 2, message: ["--port"] });
  });

  it("a port already in use → 2, already in use", async () => {
    const busy = await loopback();
    const result = await cli(["listen", "--port", String(busy.port), "--secret", SECRET]);
    expectError(result, { code: 2, message: [String(busy.port), /already in use/] });
  });

  it("listen without a secret → 2, naming --secret", async () => {
    const result = await cli(["listen", "--port", "0"]);
    expectError(result, { code: 2, message: ["--secret"] });
  });
});

describe("stdin", () => {
  it("sign - with empty stdin → 2", async () => {
    const result = await cli(["sign", "-", "--secret", SECRET], { input: "" });
    expectError(result, { code: 2, message: ["stdin", /empty/] });
  });

  it("show - with invalid JSON on stdin → 2", async () => {
    const result = await cli(["show", "-"], { input: "not json at all" });
    expectError(result, { code: 2, message: ["stdin", /not valid JSON/] });
  });

  it("--data - with empty stdin → 2", async () => {
    const result = await cli(["send", "payment", "--data", "-", "--url", await deadUrl(), "--secret", SECRET], { input: "" });
    expectError(result, { code: 2, message: ["stdin", /empty/] });
  });
});
