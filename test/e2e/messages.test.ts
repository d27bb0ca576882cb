// Messages that are right, and names that are never looked up on a prototype, through the built CLI:
// --policy, listen --save places and numbering, verify's received value, Authorization overrides,
// passwords in URLs.
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { collect, runCli, startCli, waitForOutput, type CliResult } from "../helpers/cli.js";
import { refusedPort, startLoopback, type LoopbackServer, type Script } from "../helpers/loopback.js";

const SECRET = "messages-secret-value-1234";
const PASSWORD = "hunter2-url-password";
const sha1 = (bytes: Buffer | string, secret = SECRET) => createHash("sha1").update(bytes).update(secret).digest("hex");

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "xsolla-hooks-messages-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
async function loopback(script?: Script): Promise<LoopbackServer> {
  const server = await startLoopback(script);
  cleanup.push(() => server.close());
  return server;
}
const context = (result: CliResult) => `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;

describe("own-key lookups: a name from Object.prototype is unknown", () => {
  it.each(["constructor", "__proto__", "toString", "hasOwnProperty"])(
    "send --retry --policy %s → 2, unknown retry policy",
    async (name) => {
      const server = await loopback();
      const result = await runCli(["send", "order_paid", "--retry", "--policy", name, "--url", server.url, "--secret", SECRET]);
      expect(result.code, context(result)).toBe(2);
      expect(result.stderr).toBe(
        `error: unknown retry policy "${name}" (use order, payment, generic, none or a webhook type such as order_paid)\n`,
      );
      expect(server.requests).toHaveLength(0);
    },
  );

  it.each([
    [["show", "constructor"], /unknown webhook type "constructor"/],
    [["show", "order_paid", "--variant", "toString"], /"order_paid" has no variant "toString"/],
  ])("%j → 2", async (argv, message) => {
    const result = await runCli(argv);
    expect(result.code, context(result)).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("--set and --merge treat __proto__ and constructor as plain keys of the body", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "m.json"), '{"__proto__":{"polluted":true},"user":{"constructor":"c"}}');
    const result = await runCli(
      ["show", "payment", "--keep-ids", "--merge", "m.json", "--set", "constructor.name=x", "--body-format", "compact"],
      {
        cwd: dir,
      },
    );
    expect(result.code, context(result)).toBe(0);
    const body = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.hasOwn(body, "__proto__")).toBe(true);
    expect(body).toMatchObject({ constructor: { name: "x" }, user: { constructor: "c" } });
  });
});

describe("--policy none and --max-attempts 1 say what they do", () => {
  it("--policy none on payment: sent once because you chose it, not a look-up", async () => {
    const server = await loopback((_req, res) => void res.writeHead(500).end());
    const result = await runCli(["send", "payment", "--retry", "--policy", "none", "--url", server.url, "--secret", SECRET]);
    expect(result.code, context(result)).toBe(1);
    expect(result.stdout).toMatch(/retry policy: none .*, chosen with --policy none/);
    expect(result.stdout).toMatch(
      /--policy none: sent once and never resent, whatever the answer \(Xsolla resends payment under its payment policy\)/,
    );
    expect(result.stdout).toMatch(/✗ not delivered; --policy none sends it once/);
    expect(result.stdout).not.toMatch(/synchronous look-up|payment is never resent/);
  });

  it("--max-attempts 1 on payment says so", async () => {
    const server = await loopback((_req, res) => void res.writeHead(500).end());
    const result = await runCli(["send", "payment", "--retry", "--max-attempts", "1", "--url", server.url, "--secret", SECRET]);
    expect(result.stdout).toMatch(/--max-attempts 1: sent once, no resend/);
    expect(result.stdout).toMatch(/✗ not delivered; --max-attempts 1 sends it once/);
    expect(result.stdout).not.toMatch(/synchronous look-up/);
  });

  it("user_validation still gives Xsolla's own reason", async () => {
    const server = await loopback((_req, res) => void res.writeHead(500).end());
    const result = await runCli(["send", "user_validation", "--retry", "--policy", "none", "--url", server.url, "--secret", SECRET]);
    expect(result.stdout).toMatch(/Xsolla never resends user_validation/);
    expect(result.stdout).toMatch(/not delivered, and user_validation is never resent/);
  });
});

describe("listen --save", () => {
  it.each([
    ["/proc/xsolla-hooks-x", /cannot save captures in \/proc\/xsolla-hooks-x/],
    ["/proc", /cannot save captures in \/proc:/],
  ])("a place that cannot hold files (%s) → 2 at once", async (place, message) => {
    const started = performance.now();
    const result = await runCli(["listen", "--secret", SECRET, "--save", place], { timeoutMs: 10_000 });
    expect(result.code, context(result)).toBe(2);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("a file in the way, or under a file → 2", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "file"), "x");
    for (const place of ["file", "file/sub"]) {
      const result = await runCli(["listen", "--secret", SECRET, "--save", place], { cwd: dir });
      expect(result.code, context(result)).toBe(2);
      expect(result.stderr).toBe(`error: cannot save captures in ${place}: a file is in the way (ENOTDIR)\n`);
    }
  });

  it("numbering continues across runs, so the names sort by arrival", async () => {
    const dir = tempDir();
    for (const type of ["payment", "refund", "order_paid"]) {
      const child = startCli(["listen", "--secret", SECRET, "--save", "caps", "--max-requests", "1"], { cwd: dir });
      cleanup.push(() => void child.kill("SIGKILL"));
      const done = collect(child);
      const [, url] = await waitForOutput(child, /listening on (\S+)/);
      expect((await runCli(["send", type, "--url", url ?? "", "--secret", SECRET])).code).toBe(0);
      expect((await done).code).toBe(0);
    }
    const names = readdirSync(join(dir, "caps")).sort();
    expect(names.map((n) => n.slice(0, 6))).toEqual(["000001", "000002", "000003"]);
    expect(names.map((n) => /-([a-z_]+)\.http$/.exec(n)?.[1])).toEqual(["payment", "refund", "order_paid"]);
  });
});

describe("verify shows the received value as received", () => {
  it.each([
    ["upper-case hex", (hex: string) => hex.toUpperCase(), (hex: string) => `received Signature ${hex.toUpperCase()}`],
    ["a lower-case prefix", (hex: string) => `signature ${hex}`, (hex: string) => `received signature ${hex}`],
    ["two spaces", (hex: string) => `Signature  ${hex}`, (hex: string) => `received "Signature  ${hex}"`],
  ])("%s", async (_name, written, shown) => {
    const dir = tempDir();
    writeFileSync(join(dir, "body.json"), '{"notification_type":"payment"}');
    const hex = sha1('{"notification_type":"payment"}');
    const result = await runCli(["verify", "body.json", "--secret", SECRET, "--signature", written(hex)], { cwd: dir });
    expect(result.code, context(result)).toBe(1);
    expect(result.stdout).toContain(`  ${shown(hex)}\n`);
  });
});

describe("an Authorization override is shown as sent", () => {
  it("--header Authorization: the line and --json show the signature that went out, sent once", async () => {
    const server = await loopback();
    const override = `Signature ${"0".repeat(40)}`;
    const args = ["send", "payment", "--header", `Authorization: ${override}`, "--url", server.url, "--secret", SECRET];
    const human = await runCli(args);
    expect(human.stdout).toMatch(/Signature 00000000…/);
    const json = await runCli([...args, "--json"]);
    expect((JSON.parse(json.stdout) as { signature: string }).signature).toBe("0".repeat(40));
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([override, override]);
  });

  it("a config header named Authorization replaces ours instead of going out twice", async () => {
    const server = await loopback();
    const dir = tempDir();
    writeFileSync(join(dir, "xsolla-hooks.config.json"), JSON.stringify({ headers: { Authorization: "Bearer config-token-value" } }));
    const result = await runCli(["send", "payment", "--url", server.url, "--secret", SECRET, "--expect", "2xx"], { cwd: dir });
    expect(result.code, context(result)).toBe(0);
    expect(server.requests[0]?.headers.authorization).toBe("Bearer config-token-value");
    expect(result.stdout).toMatch(/Authorization: Be…ue \(25 chars\)/);
    expect(result.stdout).not.toContain("config-token-value");
  });
});

describe("a password in a URL is masked like a secret", () => {
  it("in the request line, the --json document and the unreachable error", async () => {
    const server = await loopback();
    const url = server.url.replace("http://", `http://user:${PASSWORD}@`);
    const human = await runCli(["send", "payment", "--url", url, "--secret", SECRET]);
    const json = await runCli(["send", "payment", "--url", url, "--secret", SECRET, "--json"]);
    const dead = `http://user:${PASSWORD}@127.0.0.1:${await refusedPort()}/webhook`;
    const unreachable = await runCli(["send", "payment", "--url", dead, "--secret", SECRET, "--json"]);
    for (const result of [human, json, unreachable]) {
      expect(result.stdout + result.stderr, context(result)).not.toContain(PASSWORD);
    }
    expect(human.stdout).toContain("http://user:hu…rd (20 chars)@127.0.0.1:");
    expect((JSON.parse(json.stdout) as { url: string }).url).toMatch(/^http:\/\/user:hu…rd \(20 chars\)@127\.0\.0\.1:/);
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(/^error: could not reach http:\/\/user:hu…rd \(20 chars\)@127\.0\.0\.1:/);
  });

  it("in a usage error about the URL", async () => {
    const result = await runCli(["send", "payment", "--url", `ftp://user:${PASSWORD}@example.com/`, "--secret", SECRET]);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain(PASSWORD);
    expect(result.stderr).toMatch(/invalid URL "ftp:\/\/user:hu…rd \(20 chars\)@example\.com\/"/);
  });
});
