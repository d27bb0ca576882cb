// `xsolla-hooks test` through the built CLI against right and wrong handlers on loopback.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { XMLParser } from "fast-xml-parser";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, waitForOutput } from "../helpers/cli.js";
import { startHandler, type HandlerFlaws } from "../helpers/handlers.js";
import { refusedPort, type LoopbackServer } from "../helpers/loopback.js";
import { startReceiver } from "../../src/server/receiver.js";

const SECRET = "contract-secret-0123456789";
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

async function handler(flaws: HandlerFlaws = {}): Promise<LoopbackServer> {
  const server = await startHandler(SECRET, flaws);
  cleanup.push(() => server.close());
  return server;
}
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "xsolla-hooks-contract-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface JsonReport {
  ok: boolean;
  passed: number;
  failed: number;
  checks: { id: string; ok: boolean; status: number | null; expected: string; durationMs: number; message: string; note: string | null }[];
}
async function suite(url: string, ...args: string[]): Promise<{ code: number | null; report: JsonReport; failing: string[] }> {
  const result = await runCli(["test", "--url", url, "--secret", SECRET, "--reporter", "json", ...args], { timeoutMs: 30_000 });
  const report = JSON.parse(result.stdout) as JsonReport;
  return {
    code: result.code,
    report,
    failing: report.checks
      .filter((c) => !c.ok)
      .map((c) => c.id)
      .sort(),
  };
}

const ALL_DEFAULT_CHECKS = [
  "accepts-signed:user_validation",
  "accepts-signed:payment",
  "accepts-signed:refund",
  "accepts-signed:order_paid",
  "accepts-signed:order_canceled",
  "accepts-unknown-fields",
  "tolerates-unknown-type",
  "accepts-raw-utf8-pieces",
  "hashes-raw-body",
  "rejects-bad-signature",
  "rejects-missing-signature",
  "rejects-tampered-body",
  "rejects-unknown-user",
  "rejects-unknown-user-neutral",
  "rejects-malformed-json",
  "idempotent-redelivery:order_paid",
  "idempotent-concurrent:order_paid",
  "idempotent-redelivery:payment",
  "idempotent-concurrent:payment",
  "error-body-shape",
  "responds-in-time",
];

describe("xsolla-hooks test against correct handlers", () => {
  it("the reference receiver passes every check, in docs and in SDK status style", async () => {
    for (const statusStyle of ["docs", "sdk"] as const) {
      const receiver = await startReceiver({ secret: SECRET, statusStyle });
      cleanup.push(() => receiver.close());
      const { code, report } = await suite(receiver.url);
      expect(code).toBe(0);
      expect(report.checks.map((c) => c.id)).toEqual(ALL_DEFAULT_CHECKS);
      expect(report).toMatchObject({ ok: true, failed: 0, passed: ALL_DEFAULT_CHECKS.length });
      if (statusStyle === "sdk") expect(report.checks.find((c) => c.id === "rejects-bad-signature")?.note).toMatch(/Xsolla's docs say 400/);
    }
  });

  it("--strict fails a handler that answers 401/422 like Xsolla's PHP SDK, and passes one that answers 400", async () => {
    const sdk = await suite((await handler({ statuses: "sdk" })).url, "--strict");
    expect(sdk.code).toBe(1);
    expect(sdk.failing).toEqual([
      "rejects-bad-signature",
      "rejects-malformed-json",
      "rejects-missing-signature",
      "rejects-tampered-body",
      "rejects-unknown-user",
      "rejects-unknown-user-neutral",
    ]);
    const docs = await suite((await handler({ statuses: "docs" })).url, "--strict");
    expect(docs.code).toBe(0);
  });

  it("an independent Python handler that verifies like Xsolla's SDK passes, strict too", async () => {
    const script = fileURLToPath(new URL("../handlers/independent_handler.py", import.meta.url));
    const python = spawn("python3", [script, SECRET], { stdio: ["ignore", "pipe", "pipe"] });
    cleanup.push(() => python.kill("SIGKILL"));
    const [port] = await waitForOutput(python, /^\d+/);
    const result = await suite(`http://127.0.0.1:${port}/`, "--strict");
    expect(result.failing).toEqual([]);
    expect(result.code).toBe(0);
  });

  it("--types all covers every built-in type, including the look-ups with bodies", async () => {
    const receiver = await startReceiver({ secret: SECRET });
    cleanup.push(() => receiver.close());
    const { code, report } = await suite(receiver.url, "--types", "all");
    expect(code).toBe(0);
    expect(report.checks.map((c) => c.id)).toEqual(
      expect.arrayContaining([
        "accepts-signed:user_search",
        "accepts-signed:get_pincode",
        "accepts-signed:partner_side_catalog",
        "accepts-signed:dispute",
      ]),
    );
  });
});

describe("xsolla-hooks test against wrong handlers: exactly the right checks fail", () => {
  it.each([
    ["re-serializes JSON before hashing", { verify: "reserialize" }, ["hashes-raw-body"], /re-serializes the JSON before hashing/],
    [
      "accepts any signature",
      { verify: "none" },
      ["rejects-bad-signature", "rejects-missing-signature", "rejects-tampered-body"],
      /must check the signature/,
    ],
    [
      "rejects duplicates",
      { rejectDuplicates: true },
      [
        "idempotent-redelivery:order_paid",
        "idempotent-redelivery:payment",
        "idempotent-concurrent:order_paid",
        "idempotent-concurrent:payment",
      ],
      /answered 204 then 409/,
    ],
    [
      "answers unknown users with 204",
      { acceptUnknownUsers: true },
      ["rejects-unknown-user", "rejects-unknown-user-neutral"],
      /accepted an unknown user \(test_xsolla_\d+\) \(204\); expected a 4xx with error.code INVALID_USER/,
    ],
    [
      "refuses only ids with the tester's prefix",
      { prefixOnlyUsers: true },
      ["rejects-unknown-user-neutral"],
      /accepted an unknown user \(player_[0-9a-f]{12}\) \(204\).*whatever their id looks like; test_xsolla_… was refused, so the handler special-cases the tester's prefix/,
    ],
    [
      "answers 500 to a type it does not handle",
      { crashOnUnknownType: true },
      ["tolerates-unknown-type"],
      /answered 500: Xsolla resends after a 5xx/,
    ],
    [
      "refuses fields it does not know",
      { strictSchema: true },
      ["accepts-unknown-fields"],
      /got 400 INVALID_PARAMETER.*the new fields made the difference/,
    ],
    [
      "builds the body as text chunk by chunk",
      { concatenateChunksAsText: true },
      ["accepts-raw-utf8-pieces"],
      /compact ASCII-only bodies were accepted: the handler most likely decodes each piece to text on its own/,
    ],
  ] as const)("a handler that %s", async (_name, flaws, failing, message) => {
    const { code, report, failing: actual } = await suite((await handler(flaws)).url);
    expect(actual).toEqual([...failing].sort());
    expect(code).toBe(1);
    expect(report.checks.find((c) => c.id === failing[0])?.message).toMatch(message);
  });

  it("a handler that takes 5 s fails responds-in-time only", async () => {
    const { code, failing, report } = await suite((await handler({ slowFirstMs: 5_000 })).url);
    expect(failing).toEqual(["responds-in-time"]);
    expect(code).toBe(1);
    expect(report.checks.at(-1)?.message).toMatch(/1 answer over 3000 ms \(accepts-signed:user_validation 5\d{3} ms\)/);
  }, 20_000);
});

describe("reports", () => {
  it("junit: parses, one testcase per check, failures carry the message; written atomically with --output", async () => {
    const server = await handler({ acceptUnknownUsers: true });
    const dir = tempDir();
    const result = await runCli(["test", "--url", server.url, "--secret", SECRET, "--reporter", "junit", "--output", "reports/out.xml"], {
      cwd: dir,
      env: {},
    }).catch((e: unknown) => {
      throw e;
    });
    // The directory does not exist: a clear error and no partial file.
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: cannot write .*out\.xml: directory .* does not exist/);
    expect(server.requests).toHaveLength(0);
    mkdirSync(join(dir, "reports"));
    const ok = await runCli(["test", "--url", server.url, "--secret", SECRET, "--reporter", "junit", "--output", "reports/out.xml"], {
      cwd: dir,
    });
    expect(ok.code).toBe(1);
    expect(ok.stdout).toMatch(/19 passed, 2 failed/);
    expect(readdirSync(join(dir, "reports"))).toEqual(["out.xml"]);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(
      readFileSync(join(dir, "reports/out.xml"), "utf8"),
    );
    const suiteNode = xml.testsuites.testsuite;
    const cases = suiteNode.testcase as { name: string; failure?: { message: string } }[];
    expect(cases.map((c) => c.name)).toEqual(ALL_DEFAULT_CHECKS);
    expect(Number(suiteNode.failures)).toBe(2);
    expect(cases.find((c) => c.name === "rejects-unknown-user")?.failure?.message).toMatch(/INVALID_USER/);
  });

  it("github: annotations on stdout, the Markdown summary appended to $GITHUB_STEP_SUMMARY (earlier steps' text kept)", async () => {
    const server = await handler({ acceptUnknownUsers: true });
    const dir = tempDir();
    const summaryFile = join(dir, "step_summary.md");
    writeFileSync(summaryFile, "## from an earlier step\n");
    const result = await runCli(["test", "--url", server.url, "--secret", SECRET, "--reporter", "github"], {
      env: { GITHUB_STEP_SUMMARY: summaryFile },
    });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toBe("");
    const lines = result.stdout.trimEnd().split("\n");
    const errors = lines.filter((l) => l.startsWith("::error title=xsolla-hooks contract%3A rejects-unknown-user"));
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/INVALID_USER.*%0Arequest: user_validation/);
    expect(lines.at(-1)).toMatch(/^xsolla-hooks contract: 19 passed, 2 failed \(\d+\.\d s\)$/);
    expect(lines.slice(0, -1).every((l) => l.startsWith("::"))).toBe(true);
    const summary = readFileSync(summaryFile, "utf8");
    expect(summary.startsWith("## from an earlier step\n### ❌ xsolla-hooks contract: 19 passed, 2 failed")).toBe(true);
    expect(summary.match(/^\| (✅|❌|⏭️) \|/gm)).toHaveLength(ALL_DEFAULT_CHECKS.length);

    // Outside Actions (no $GITHUB_STEP_SUMMARY) nothing is written; an unwritable one is a warning, not a different verdict.
    const unwritable = await runCli(["test", "--url", server.url, "--secret", SECRET, "--reporter", "github"], {
      env: { GITHUB_STEP_SUMMARY: join(dir, "missing-dir", "summary.md") },
    });
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toBe("warning: could not append the job summary to $GITHUB_STEP_SUMMARY (ENOENT)\n");
  });

  it("tap and json go to stdout and nothing else does", async () => {
    const server = await handler();
    const tap = await runCli(["test", "--url", server.url, "--secret", SECRET, "--reporter", "tap"]);
    expect(tap.stdout.split("\n").slice(0, 3)).toEqual(["TAP version 13", "1..21", "ok 1 - accepts-signed:user_validation"]);
    expect(tap.stdout).toMatch(/# pass 21\n# fail 0\n# skip 0\n$/);
    const json = await runCli(["test", "--url", server.url, "--secret", SECRET, "--reporter", "json"]);
    expect(() => JSON.parse(json.stdout)).not.toThrow();
  });
});

describe("config", () => {
  it("is found from the working directory upward; flags beat env beat the file; secretEnv names the variable", async () => {
    const server = await handler();
    const dir = tempDir();
    writeFileSync(
      join(dir, "xsolla-hooks.config.json"),
      JSON.stringify({
        url: "http://127.0.0.1:1/never",
        secretEnv: "MY_XSOLLA_SECRET",
        types: ["payment"],
        users: { unknown: "test_xsolla_config_user" },
        budgetMs: 2000,
      }),
    );
    const nested = join(dir, "a", "b");
    mkdirSync(nested, { recursive: true });
    const result = await runCli(["test", "--reporter", "json"], {
      cwd: nested,
      env: { XSOLLA_WEBHOOK_URL: server.url, MY_XSOLLA_SECRET: SECRET },
    });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.checks.map((c) => c.id)).toEqual([
      "accepts-signed:payment",
      "accepts-unknown-fields",
      "tolerates-unknown-type",
      "accepts-raw-utf8-pieces",
      "hashes-raw-body",
      "rejects-bad-signature",
      "rejects-missing-signature",
      "rejects-tampered-body",
      "rejects-malformed-json",
      "idempotent-redelivery:payment",
      "idempotent-concurrent:payment",
      "error-body-shape",
      "responds-in-time",
    ]);
    expect(report.checks.at(-1)?.expected).toBe("<= 2000 ms");

    const flagWins = await runCli(["test", "--reporter", "json", "--types", "order_paid", "--budget", "2500", "--url", server.url], {
      cwd: nested,
      env: { XSOLLA_WEBHOOK_URL: "http://127.0.0.1:1/", MY_XSOLLA_SECRET: SECRET },
    });
    expect(flagWins.code).toBe(0);
    expect((JSON.parse(flagWins.stdout) as JsonReport).checks[0]?.id).toBe("accepts-signed:order_paid");

    const missing = await runCli(["test"], { cwd: nested, env: {} });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/secretEnv MY_XSOLLA_SECRET/);
  });

  it("rejects a bad config with a message naming the field", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "custom.json"), JSON.stringify({ url: "ftp://x", users: { valid: 5 }, budgetMs: -1, colour: true }));
    const result = await runCli(["test", "--config", "custom.json", "--secret", SECRET], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/invalid config .*custom\.json: /);
    for (const field of ["url", "users.valid", "budgetMs", "colour"]) expect(result.stderr).toContain(field);
  });

  it("usage errors: unknown type, unknown reporter, missing URL; unreachable handler exits 3", async () => {
    const typo = await runCli(["test", "--url", "http://127.0.0.1:9/", "--secret", SECRET, "--types", "payment,ordr_paid"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/did you mean order_paid/);
    expect((await runCli(["test", "--url", "http://127.0.0.1:9/", "--secret", SECRET, "--reporter", "xml"])).code).toBe(2);
    expect((await runCli(["test", "--secret", SECRET], { cwd: tempDir() })).code).toBe(2);
    const port = await refusedPort();
    const down = await runCli(["test", "--url", `http://127.0.0.1:${port}/`, "--secret", SECRET, "--reporter", "json"]);
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/^error: could not reach .*connection refused/);
  });
});
