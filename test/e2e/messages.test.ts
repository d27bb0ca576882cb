// Messages that are right, and names that are never looked up on a prototype, through the built CLI:
// --policy, listen --save places and numbering, verify's received value, Authorization overrides,
// passwords in URLs.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";
import { startLoopback, type LoopbackServer, type Script } from "../helpers/loopback.js";

const SECRET = "messages-secret-value-1234";

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
