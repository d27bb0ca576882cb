import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { resolveContractConfig, parseConfigFile } from "../../src/core/config.js";
import { phpStyleJson, judgeTiming } from "../../src/core/contract/plan.js";
import { escapeGithubData, escapeGithubProperty, toGithubReport, toJunitReport, toTapReport } from "../../src/core/contract/reporters.js";
import type { ContractCheckResult, ContractSuiteResult } from "../../src/core/contract/types.js";

const result: ContractSuiteResult = {
  ok: false,
  passed: 1,
  failed: 1,
  notRun: 0,
  unreachable: false,
  unreachableReason: null,
  url: "http://127.0.0.1:1/x?a=1&b=<2>",
  strict: false,
  stateProbe: false,
  durationMs: 1234,
  checks: [
    {
      id: "accepts-signed:payment",
      title: "t",
      ok: true,
      outcome: "passed",
      status: 204,
      expected: "204",
      durationMs: 5,
      message: "accepted",
      note: null,
      evidence: null,
    },
    {
      id: "rejects-bad-signature",
      title: "t",
      ok: false,
      outcome: "failed",
      status: 204,
      expected: "4xx",
      durationMs: 7,
      message: "got 204 & <\"nothing\">\u0001 'quoted'",
      note: null,
      evidence: {
        request: { notificationType: "payment", transactionId: "42" },
        response: { status: 204, contentType: null, body: "", bodyTruncated: false },
        error: null,
      },
    },
  ],
};

describe("reporters", () => {
  it("JUnit XML escapes everything and parses back", () => {
    const xml = toJunitReport(result, new Date(Date.UTC(2026, 0, 2, 3, 4, 5)));
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
    const suite = parsed.testsuites.testsuite;
    expect(suite.name).toBe("xsolla-hooks contract http://127.0.0.1:1/x?a=1&b=<2>");
    expect(suite.timestamp).toBe("2026-01-02T03:04:05");
    expect(suite.testcase[1].failure.message).toBe("got 204 & <\"nothing\"> 'quoted'");
    expect(suite.testcase[0].failure).toBeUndefined();
  });

  it("TAP 13 with a YAML block for failures", () => {
    const tap = toTapReport(result).split("\n");
    expect(tap.slice(0, 5)).toEqual([
      "TAP version 13",
      "1..2",
      "ok 1 - accepts-signed:payment",
      "not ok 2 - rejects-bad-signature",
      "  ---",
    ]);
    expect(tap).toContain("# fail 1");
  });
});

/** A workflow command as the Actions runner reads it: `::level key=value,...::message`, unescaped. */
function parseWorkflowCommand(line: string): { level: string; properties: Record<string, string>; message: string } {
  const match = /^::([a-z]+) ([^:]*)::(.*)$/.exec(line);
  if (!match) throw new Error(`not a workflow command: ${line}`);
  const unescapeData = (t: string) => t.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");
  const unescapeProperty = (t: string) => unescapeData(t.replace(/%3A/g, ":").replace(/%2C/g, ","));
  const properties = Object.fromEntries(
    (match[2] as string).split(",").map((pair) => {
      const eq = pair.indexOf("=");
      return [pair.slice(0, eq), unescapeProperty(pair.slice(eq + 1))];
    }),
  );
  return { level: match[1] as string, properties, message: unescapeData(match[3] as string) };
}

describe("github reporter", () => {
  const nasty = "100% sure: a,b\r\nnext line ::error:: | `x` ```";
  const github: ContractSuiteResult = {
    ...result,
    notRun: 1,
    checks: [
      { ...(result.checks[0] as ContractCheckResult), note: "no state probe, so side effects were not observed" },
      {
        ...(result.checks[1] as ContractCheckResult),
        id: "rejects,bad:signature",
        message: nasty,
        evidence: {
          request: { notificationType: "payment", transactionId: "42" },
          response: { status: 204, contentType: "text/plain", body: "body with ```` fence | pipe", bodyTruncated: false },
          error: null,
        },
      },
      {
        ...(result.checks[0] as ContractCheckResult),
        id: "rejects-unknown-user",
        ok: false,
        outcome: "not-run",
        status: null,
        message: "see accepts-signed:user_validation",
      },
    ],
  };

  it("escapes per GitHub's workflow-command rules: %, CR, LF in messages; also : and , in properties", () => {
    expect(escapeGithubData("50%\r\n")).toBe("50%25%0D%0A");
    expect(escapeGithubProperty("a:b,c%")).toBe("a%3Ab%2Cc%25");
  });

  it("one annotation per failure (with evidence), notices for notes and not-run checks, then one summary line", () => {
    const lines = toGithubReport(github).annotations.trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    const [note, failure, notRun] = lines.slice(0, 3).map(parseWorkflowCommand);
    expect(note).toMatchObject({ level: "notice", properties: { title: "xsolla-hooks contract: accepts-signed:payment" } });
    expect(failure?.level).toBe("error");
    expect(failure?.properties.title).toBe("xsolla-hooks contract: rejects,bad:signature");
    expect(failure?.message).toBe(
      [nasty, "expected: 4xx", "request: payment, transaction 42", 'response: 204 text/plain "body with ```` fence | pipe"'].join("\n"),
    );
    expect(notRun).toMatchObject({ level: "notice", message: "not run: see accepts-signed:user_validation" });
    expect(lines[3]).toBe("xsolla-hooks contract: 1 passed, 1 failed, 1 not run (1.2 s)");
  });

  it("a Markdown summary: one table row per check, cells kept on one line, evidence in a fence longer than any inside", () => {
    const { summary } = toGithubReport(github, { title: "xsolla-hooks flow purchase" });
    const lines = summary.split("\n");
    expect(lines[0]).toBe("### ❌ xsolla-hooks flow purchase: 1 passed, 1 failed, 1 not run (1.2 s)");
    const rows = lines.filter((l) => /^\| (✅|❌|⏭️) \|/.test(l));
    expect(rows).toHaveLength(3);
    // Every row has exactly 5 cells: escaped pipes do not split it.
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length - 2).toBe(5);
    expect(rows[1]).toContain("next line ::error:: \\| `x`");
    expect(summary).toContain("<br>");
    expect(summary).toContain("\n`````text\nexpected: 4xx\n");
    expect(summary).toContain("state probe: off (side effects not observed)");
  });
});

describe("contract helpers", () => {
  it("writes PHP json_encode style bytes", () => {
    expect(phpStyleJson({ url: "https://x/y", name: "Игрок ✓" }).toString()).toBe(
      '{\n    "url": "https:\\/\\/x\\/y",\n    "name": "\\u0418\\u0433\\u0440\\u043e\\u043a \\u2713"\n}',
    );
  });

  it("judges timing over all answers", () => {
    expect(judgeTiming([{ checkId: "a", durationMs: 10 }], 3000).ok).toBe(true);
    expect(
      judgeTiming(
        [
          { checkId: "a", durationMs: 3001 },
          { checkId: "b", durationMs: 5 },
        ],
        3000,
      ).message,
    ).toMatch(/^1 answer over 3000 ms \(a 3001 ms\)/);
  });
});

describe("config precedence: flags > env > file > defaults", () => {
  const file = parseConfigFile(
    { url: "http://file/", secret: "file-secret", types: ["payment"], budgetMs: 1000, strict: true, headers: { "X-A": "file" } },
    "cfg",
  );
  it.each([
    [{}, {}, { url: "http://file/", secret: "file-secret", types: ["payment"], budgetMs: 1000, strict: true }],
    [
      {},
      { XSOLLA_WEBHOOK_URL: "http://env/", XSOLLA_WEBHOOK_SECRET: "env-secret" },
      { url: "http://env/", secret: "env-secret", secretSource: "XSOLLA_WEBHOOK_SECRET" },
    ],
    [
      { url: "http://flag/", secret: "flag-secret", types: "all", budget: 5, strict: false },
      { XSOLLA_WEBHOOK_URL: "http://env/" },
      { url: "http://flag/", secret: "flag-secret", types: "all", budgetMs: 5, strict: false },
    ],
    // Header names are case-insensitive: the flag replaces the file's X-A (see test/core/settings.test.ts).
    [{ headers: { "x-a": "flag" } }, {}, { headers: { "x-a": "flag" } }],
  ])("flags %j env %j", (flags, env, expected) => {
    expect(resolveContractConfig({ flags, env, file })).toMatchObject(expected);
  });

  it("defaults without a file", () => {
    expect(resolveContractConfig({ flags: {}, env: {} })).toMatchObject({
      url: undefined,
      secret: undefined,
      budgetMs: 3000,
      timeoutMs: 10000,
      strict: false,
      reporter: "pretty",
    });
  });

  it("names every bad field", () => {
    let message = "";
    try {
      parseConfigFile({ types: [], reporter: "xml", expectations: { payment: "2xy" } }, "c.json");
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^invalid config c\.json: /);
    for (const part of [/types: /, /reporter: .*"pretty"/, /expectations\.payment: expected status codes/]) expect(message).toMatch(part);
  });
});
