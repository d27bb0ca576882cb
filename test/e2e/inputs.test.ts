// What a user points the CLI at, through the built CLI: every input is read with a cap, deep JSON is
// refused before anything recurses over it, a BOM is signed byte for byte, --merge takes objects only,
// and "fresh:" lists only values that are in the bytes sent.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";
import { startLoopback, type LoopbackServer } from "../helpers/loopback.js";

const SECRET = "inputs-secret-value-1234";
const sha1 = (bytes: Buffer) => createHash("sha1").update(bytes).update(SECRET).digest("hex");

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "xsolla-hooks-inputs-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
async function loopback(): Promise<LoopbackServer> {
  const server = await startLoopback();
  cleanup.push(() => server.close());
  return server;
}

const context = (result: CliResult) => `exit ${result.code}\n--- stdout\n${result.stdout.slice(0, 1000)}\n--- stderr\n${result.stderr}`;

/** Exit 2 and exactly one `error:` line on stderr matching every pattern; nothing on stdout. */
function expectRefused(result: CliResult, ...patterns: RegExp[]): void {
  expect(result.code, context(result)).toBe(2);
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines, context(result)).toHaveLength(1);
  expect(lines[0], context(result)).toMatch(/^error: /);
  for (const pattern of patterns) expect(lines[0], context(result)).toMatch(pattern);
  expect(result.stdout).toBe("");
}

const PAYMENT = '{"notification_type":"payment","user":{"id":"u1"}}';
const deep = (levels: number) => `{"notification_type":"payment","a":${"[".repeat(levels)}${"]".repeat(levels)}}`;

describe("size limits (default 16 MiB, --max-body)", () => {
  it("stdin over the default cap → 2, one line", async () => {
    const big = Buffer.from(`{"notification_type":"payment","pad":"${"x".repeat(17 * 1024 * 1024)}"}`);
    const result = await runCli(["sign", "-", "--secret", SECRET], { input: big, timeoutMs: 30_000 });
    expectRefused(result, /stdin is larger than 16 MiB/, /--max-body/);
  });

  it("an endless body file (/dev/zero) → 2 soon, never an internal error", async () => {
    const result = await runCli(["sign", "/dev/zero", "--secret", SECRET], { timeoutMs: 20_000 });
    expectRefused(result, /body file \/dev\/zero is larger than 16 MiB/);
  });

  it.each([
    ["a body file", (f: string) => ["sign", f, "--secret", SECRET], /body file .*big\.json is larger than 1 KiB/],
    ["--data", (f: string) => ["show", "payment", "--data", f], /--data file .*big\.json is larger than 1 KiB/],
    ["--merge", (f: string) => ["show", "payment", "--merge", f], /--merge file .*big\.json is larger than 1 KiB/],
    ["--request", (f: string) => ["send", "--request", f, "--url", "http://127.0.0.1:9/"], /request file .*big\.json is larger than 1 KiB/],
    ["verify's body", (f: string) => ["verify", f, "--signature", "0".repeat(40), "--secret", SECRET], /body file .*big\.json is larger/],
  ])("--max-body 1KiB refuses %s of 2 KiB → 2", async (_name, args, message) => {
    const file = join(tempDir(), "big.json");
    writeFileSync(file, `{"pad":"${"x".repeat(2048)}"}`);
    expectRefused(await runCli([...args(file), "--max-body", "1KiB"]), message, /raise the limit with --max-body/);
  });

  it("--max-body raises the cap, up to 256 MiB", async () => {
    const file = join(tempDir(), "body.json");
    writeFileSync(file, `{"notification_type":"payment","pad":"${"x".repeat(2048)}"}`);
    expect((await runCli(["sign", file, "--secret", SECRET, "--max-body", "4KiB"])).code).toBe(0);
    expectRefused(await runCli(["sign", file, "--secret", SECRET, "--max-body", "1GiB"]), /invalid --max-body "1GiB"/);
  });

  it("a config file over 16 MiB → 2, naming it", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "xsolla-hooks.config.json"), `{"$schema":"${"x".repeat(17 * 1024 * 1024)}"}`);
    expectRefused(
      await runCli(["sign", "payment", "--secret", SECRET], { cwd: dir }),
      /config .*xsolla-hooks\.config\.json is larger than 16 MiB/,
    );
  });

  it("a fixture file over 16 MiB → 2, naming it", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "huge.json"), `{"notification_type":"payment","pad":"${"x".repeat(17 * 1024 * 1024)}"}`);
    expectRefused(await runCli(["list", "--fixtures-dir", dir]), /fixture .*huge\.json is larger than 16 MiB/);
  });
});

describe("deeply nested JSON is refused, never a stack overflow", () => {
  it.each([
    ["an edited body file", (f: string) => ["show", f, "--set", "user.id=2"]],
    ["a body file sent as is", (f: string) => ["sign", f, "--secret", SECRET]],
    ["--merge", (f: string) => ["show", "payment", "--merge", f]],
  ])("%s → 2", async (_name, args) => {
    const file = join(tempDir(), "deep.json");
    writeFileSync(file, deep(20_000));
    expectRefused(await runCli(args(file)), /deep\.json nests arrays or objects more than 256 levels deep/);
  });

  it("a config file → 2", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "xsolla-hooks.config.json"), `{"overrides":{"payment":{"a":${"[".repeat(20_000)}${"]".repeat(20_000)}}}}`);
    expectRefused(await runCli(["sign", "payment", "--secret", SECRET], { cwd: dir }), /config .* nests arrays or objects more than 256/);
  });

  it("a fixture file → 2", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "deep.json"), deep(20_000));
    expectRefused(await runCli(["list", "--fixtures-dir", dir]), /fixture .*deep\.json nests arrays or objects more than 256/);
  });

  it("verify diagnoses a deep body byte for byte (exit 1), without an internal error", async () => {
    const file = join(tempDir(), "deep.json");
    writeFileSync(file, deep(20_000));
    const result = await runCli(["verify", file, "--secret", SECRET, "--signature", "0".repeat(40)]);
    expect(result.code, context(result)).toBe(1);
    expect(result.stdout).toMatch(/✗ no-match/);
  });

  it("256 levels are fine", async () => {
    const file = join(tempDir(), "ok.json");
    writeFileSync(file, deep(255));
    expect((await runCli(["show", file, "--set", "user.id=2"])).code).toBe(0);
  });
});

describe("a UTF-8 byte order mark is signed and sent byte for byte", () => {
  const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(PAYMENT)]);

  it("sign: the BOM is part of the signed bytes (file and stdin)", async () => {
    const file = join(tempDir(), "bom.json");
    writeFileSync(file, bom);
    for (const result of [
      await runCli(["sign", file, "--secret", SECRET]),
      await runCli(["sign", "-", "--secret", SECRET], { input: bom }),
    ]) {
      expect(result.code, context(result)).toBe(0);
      expect(result.stdout).toBe(`Authorization: Signature ${sha1(bom)}\n`);
    }
  });

  it("send: the handler gets the BOM and the signature over it; the type is still read", async () => {
    const server = await loopback();
    const file = join(tempDir(), "bom.json");
    writeFileSync(file, bom);
    const result = await runCli(["send", file, "--url", server.url, "--secret", SECRET]);
    expect(result.code, context(result)).toBe(0);
    expect(result.stdout).toMatch(/ payment /);
    expect(server.requests[0]?.body.equals(bom)).toBe(true);
    expect(server.requests[0]?.headers.authorization).toBe(`Signature ${sha1(bom)}`);
  });

  it("a --merge file or a config file with a BOM is read as JSON", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "m.json"), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"user":{"id":"bom"}}')]));
    writeFileSync(join(dir, "xsolla-hooks.config.json"), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("{}")]));
    const result = await runCli(["show", "payment", "--merge", "m.json"], { cwd: dir });
    expect(result.code, context(result)).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ user: { id: "bom" } });
  });
});

describe("--merge takes objects only", () => {
  it.each([
    ["[1,2]", "an array"],
    ["42", "a number"],
    ['"text"', "a string"],
    ["null", "null"],
  ])("a merge file holding %s → 2", async (content, kind) => {
    const dir = tempDir();
    writeFileSync(join(dir, "m.json"), content);
    expectRefused(
      await runCli(["show", "payment", "--merge", "m.json"], { cwd: dir }),
      new RegExp(`--merge file m\\.json holds ${kind}, not a JSON object`),
    );
  });
});

describe("fresh: lists only values that are in the bytes sent", () => {
  it("--set or --merge over a fresh id drops it from the line", async () => {
    const server = await loopback();
    const dir = tempDir();
    writeFileSync(join(dir, "m.json"), '{"transaction":{"payment_date":"2020-01-01T00:00:00+03:00"}}');
    const result = await runCli(
      ["send", "payment", "--set", "transaction.id=777", "--merge", "m.json", "--url", server.url, "--secret", SECRET],
      {
        cwd: dir,
      },
    );
    expect(result.code, context(result)).toBe(0);
    const body = JSON.parse(server.requests[0]?.body.toString() ?? "{}") as { transaction: { id: number; payment_date: string } };
    expect(body.transaction).toMatchObject({ id: 777, payment_date: "2020-01-01T00:00:00+03:00" });
    const fresh = /fresh: (.*)/.exec(result.stdout)?.[1] ?? "";
    expect(fresh).not.toMatch(/transaction\.id=/);
    expect(fresh).not.toMatch(/transaction\.payment_date=/);
    expect(fresh).toMatch(/purchase\.subscription\.subscription_id=/); // untouched fresh values stay listed
  });

  it("a body that is no longer the fixture's, or a raw body, prints no fresh: line", async () => {
    const server = await loopback();
    const dir = tempDir();
    writeFileSync(join(dir, "m.json"), '{"transaction":null,"purchase":null}');
    writeFileSync(join(dir, "body.json"), PAYMENT);
    const merged = await runCli(["send", "payment", "--merge", "m.json", "--url", server.url, "--secret", SECRET], { cwd: dir });
    const raw = await runCli(["send", "payment", "--data", "body.json", "--url", server.url, "--secret", SECRET], { cwd: dir });
    for (const result of [merged, raw]) {
      expect(result.code, context(result)).toBe(0);
      expect(result.stdout, context(result)).not.toMatch(/fresh:/);
    }
  });
});
