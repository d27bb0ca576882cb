// listen's request log through the built CLI: batched to stdout, to --log-file, or off with --quiet.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { collect, runCli, startCli, waitForOutput } from "../helpers/cli.js";

const SECRET = "log-secret-0123456789";
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

async function listen(...args: string[]) {
  const child = startCli(["listen", "--secret", SECRET, "--max-requests", "3", ...args]);
  cleanup.push(() => void child.kill("SIGKILL"));
  const done = collect(child);
  const [, url] = await waitForOutput(child, /listening on (\S+)/, args.includes("--json") ? "stderr" : "stdout");
  for (const type of ["payment", "order_paid", "refund"])
    expect((await runCli(["send", type, "--url", url ?? "", "--secret", SECRET])).code).toBe(0);
  return done;
}

describe("listen's request log", () => {
  it("--log-file gets one line per request and stdout none; --quiet prints no request lines", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xsolla-hooks-log-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "requests.log");
    const logged = await listen("--json", "--log-file", file);
    expect(logged.code).toBe(0);
    expect(logged.stdout).toBe("");
    const lines = readFileSync(file, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; status: number });
    expect(lines.map((l) => [l.type, l.status])).toEqual([
      ["payment", 204],
      ["order_paid", 204],
      ["refund", 204],
    ]);

    const quiet = await listen("--quiet");
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).not.toMatch(/payment|order_paid/);
    expect(quiet.stdout).toMatch(/stopped after 3 requests/);
  });

  it("an unwritable --log-file is a usage error before anything listens", async () => {
    const result = await runCli(["listen", "--secret", SECRET, "--log-file", "/proc/no/such/dir/x.log"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: cannot write --log-file/);
  });
});
