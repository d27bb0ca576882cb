import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { resolveContractConfig, parseConfigFile } from "../../src/core/config.js";
import { phpStyleJson, judgeTiming } from "../../src/core/contract/plan.js";
import { toJunitReport, toTapReport } from "../../src/core/contract/reporters.js";
import type { ContractSuiteResult } from "../../src/core/contract/types.js";

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
