// Burst aggregation (histogram, tally), per-request bodies, the state verdict, and the Artillery processor.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { artilleryProcessor, artilleryScenario, type ArtilleryExport } from "../../src/core/artillery.js";
import { LatencyHistogram } from "../../src/core/burst/latency-histogram.js";
import { parseRate } from "../../src/core/burst/rate.js";
import { judgeSideEffects } from "../../src/core/burst/side-effects.js";
import { createBurstTally, EVIDENCE_LIMIT } from "../../src/core/burst/tally.js";
import { advanceId, createUniqueBodies } from "../../src/core/burst/unique-bodies.js";
import type { SendResult } from "../../src/core/delivery/types.js";
import { expectationForSend } from "../../src/core/expectation.js";
import { findFixture } from "../../src/core/fixtures/catalog.js";
import { buildPayload } from "../../src/core/fixtures/payload.js";
import { getAtPath, type Json } from "../../src/core/fixtures/overrides.js";
import { signBody } from "../../src/core/signature.js";
import { loadBuiltinFixtures } from "../../src/adapters/fixtures-fs.js";

let seed = 7;
const rand = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};

describe("LatencyHistogram", () => {
  it("percentiles within 1% of the exact ones (never below), max exact, over a wide spread", () => {
    const histogram = new LatencyHistogram();
    const samples: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      // 0.05 ms .. ~5 s, log-spread, the shape of real latencies with a long tail
      const ms = 0.05 * Math.exp(rand() * 11.5);
      samples.push(Math.round(ms * 1000) / 1000);
      histogram.record(ms);
    }
    samples.sort((a, b) => a - b);
    const exact = (p: number) => samples[Math.ceil((p / 100) * samples.length) - 1] as number;
    for (const p of [50, 95, 99]) {
      const got = histogram.percentile(p);
      expect(got).toBeGreaterThanOrEqual(exact(p));
      expect(got).toBeLessThanOrEqual(exact(p) * 1.01 + 0.001);
    }
    const summary = histogram.summary();
    expect(summary.count).toBe(50_000);
    expect(summary.maxMs).toBe(samples.at(-1));
    expect(summary.minMs).toBe(samples[0]);
  });

  it("empty: zeros; one sample: every percentile is that sample", () => {
    expect(new LatencyHistogram().summary()).toMatchObject({ count: 0, p50Ms: 0, maxMs: 0 });
    const one = new LatencyHistogram();
    one.record(12.3456);
    expect(one.summary()).toMatchObject({ p50Ms: 12.346, p99Ms: 12.346, maxMs: 12.346 });
  });
});

const reply = (status: number, body = "", type = "application/json"): SendResult => ({
  kind: "reply",
  status,
  headers: body ? { "content-type": type } : {},
  body: Buffer.from(body),
  truncated: false,
  durationMs: 2,
});

describe("burst tally", () => {
  const expectation = expectationForSend(undefined, "valid", findFixture(loadBuiltinFixtures(), "payment"));

  it("counts statuses with their error codes and transport failures; keeps the first differing answers whole", () => {
    const tally = createBurstTally(expectation);
    for (let i = 1; i <= 100; i++) {
      if (i % 10 === 0) tally.add(reply(400, '{"error":{"code":"INVALID_SIGNATURE"}}'), i, `t${i}`);
      else if (i === 55)
        tally.add({ kind: "no-reply", error: { kind: "reset", message: "connection closed without an answer" }, durationMs: 1 }, i);
      else tally.add(reply(204), i);
    }
    const totals = tally.totals();
    expect(totals).toMatchObject({ sent: 100, answered: 99, failed: 1, mismatched: 11 });
    expect(totals.statuses).toEqual([
      { key: "204", count: 89 },
      { key: "400 INVALID_SIGNATURE", count: 10 },
      { key: "no answer: reset", count: 1 },
    ]);
    expect(totals.evidence).toHaveLength(EVIDENCE_LIMIT);
    expect(totals.evidence.map((e) => e.request)).toEqual([10, 20, 30, 40, 50]);
    expect(totals.evidence[0]).toMatchObject({
      transactionId: "t10",
      status: 400,
      contentType: "application/json",
      body: '{"error":{"code":"INVALID_SIGNATURE"}}',
      problems: ["status 400 INVALID_SIGNATURE, expected 200/201/204"],
    });
    expect(totals.latency.count).toBe(100);
  });

  it("a handler echoing a new error code every time cannot grow the status table", () => {
    const tally = createBurstTally(expectation);
    for (let i = 0; i < 500; i++) tally.add(reply(400, JSON.stringify({ error: { code: `CODE_${i}` } })), i + 1);
    const { statuses, mismatched } = tally.totals();
    expect(statuses.length).toBeLessThanOrEqual(65);
    expect(statuses.reduce((sum, s) => sum + s.count, 0)).toBe(500);
    expect(mismatched).toBe(500);
  });
});

describe("unique bodies", () => {
  const fixture = findFixture(loadBuiltinFixtures(), "order_paid");
  const built = buildPayload(fixture, { context: { now: Date.UTC(2026, 0, 1), rand } });

  it("request 0 is the very body built; every request has new ids of the same shape, nothing else changes", () => {
    const unique = createUniqueBodies(built.body, built.bytes, fixture.meta.fresh, "pretty");
    expect(unique).toBeDefined();
    expect(unique!.bodyFor(0).bytes.equals(built.bytes)).toBe(true);
    const ids = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const { bytes, id } = unique!.bodyFor(i);
      const body = JSON.parse(bytes.toString()) as Json;
      ids.add(id);
      for (const path of unique!.paths) {
        const original = getAtPath(built.body, path);
        const value = getAtPath(body, path);
        expect(typeof value).toBe(typeof original);
        expect(JSON.stringify(value)).toHaveLength(JSON.stringify(original).length);
      }
      expect(getAtPath(body, "notification_type")).toBe("order_paid");
    }
    expect(ids.size).toBe(1000);
  });

  it("ids keep their prefix and digit count, wrapping within them", () => {
    expect(advanceId(99_999_998, 1)).toBe(99_999_999);
    expect(advanceId(99_999_999, 1)).toBe(10_000_000);
    expect(advanceId("inv_0042", 3)).toBe("inv_0045");
    expect(advanceId("inv_9999", 1)).toBe("inv_1000");
    expect(advanceId("0999", 1)).toBe("1000");
    expect(advanceId("9999", 1)).toBe("1000");
    expect(advanceId("12345678901234567890", 1)).toBe("12345678901234567891");
  });

  it("no id left to vary: undefined", () => {
    const validation = findFixture(loadBuiltinFixtures(), "user_validation");
    const plain = buildPayload(validation, { context: { now: 0, rand } });
    expect(createUniqueBodies(plain.body, plain.bytes, validation.meta.fresh, "pretty")).toBeUndefined();
  });
});

describe("side effects of a --same-ids burst", () => {
  it.each([
    [["5", "6", "7"], true, true, /changed the state by 1, as one delivery does/],
    [["5", "6", "9"], false, true, /changed the state by 3 where one delivery changes it by 1 .*more than once/],
    [["5", "6", "6"], false, true, /changed the state by 0 .*not at all/],
    [["5", "5", "5"], true, false, /may not observe/],
    [["a", "b"], true, false, /does not print a number/],
    [["a", "a"], true, false, /did not change at all/],
  ])("%j", (readings, ok, judged, message) => {
    const verdict = judgeSideEffects(readings, 20);
    expect(verdict).toMatchObject({ observed: true, ok, judged });
    expect(verdict.message).toMatch(message);
  });

  it("a failing probe fails, saying so", () => {
    expect(judgeSideEffects(["5"], 20, "exit 1: no such table")).toMatchObject({ ok: false, message: /state probe failed: exit 1/ });
  });
});

describe("--rate", () => {
  it.each([
    ["200", 200],
    ["200/s", 200],
    ["600/m", 10],
    ["0.5", 0.5],
  ])("%s", (text, perSecond) => expect(parseRate(text)).toBe(perSecond));
  it.each(["0", "fast", "-1", "10/h", ""])("%j is refused", (text) => expect(() => parseRate(text)).toThrow(/invalid --rate/));
});

describe("Artillery export", () => {
  const fixture = findFixture(loadBuiltinFixtures(), "payment");
  const built = buildPayload(fixture, { context: { now: Date.UTC(2026, 0, 1), rand } });
  const SECRET = "artillery-secret";

  function load(spec: ArtilleryExport): {
    signXsollaWebhook: (r: Record<string, unknown>, c: object, e: null, next: (error?: Error) => void) => void;
  } {
    const dir = mkdtempSync(join(tmpdir(), "xsolla-hooks-processor-"));
    try {
      const file = join(dir, spec.processorFile);
      writeFileSync(file, artilleryProcessor(spec));
      return createRequire(import.meta.url)(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const send = (processor: ReturnType<typeof load>) => {
    const request: Record<string, unknown> = { headers: { "content-type": "application/json" }, json: { replaced: true } };
    let failure: Error | undefined;
    processor.signXsollaWebhook(request, {}, null, (error) => (failure = error));
    return { request, failure };
  };

  it("--same-ids: the body is the exact string, signed as signBody signs it", () => {
    process.env.XSOLLA_WEBHOOK_SECRET = SECRET;
    const text = built.bytes.toString("utf8");
    const spec: ArtilleryExport = {
      type: "payment",
      url: "http://127.0.0.1:3000/webhook?x=1",
      headers: { "content-type": "application/json" },
      body: { kind: "same", text },
      arrivalRate: 5,
      durationSeconds: 10,
      processorFile: "same.processor.cjs",
    };
    const { request, failure } = send(load(spec));
    expect(failure).toBeUndefined();
    expect(request.body).toBe(text);
    expect(request.json).toBeUndefined();
    expect((request.headers as Record<string, string>).authorization).toBe(`Signature ${signBody(built.bytes, SECRET)}`);
    const yaml = artilleryScenario(spec);
    expect(yaml).toContain('target: "http://127.0.0.1:3000"');
    expect(yaml).toContain('url: "/webhook?x=1"');
    expect(yaml).toContain('processor: "./same.processor.cjs"');
    expect(yaml).not.toContain(SECRET);
  });

  it("--unique-ids: from step 0 the first body is ours byte for byte, then new ids, each signed over its own string", () => {
    process.env.XSOLLA_WEBHOOK_SECRET = SECRET;
    process.env.XSOLLA_HOOKS_FIRST_ID_STEP = "0";
    try {
      const unique = createUniqueBodies(built.body, built.bytes, fixture.meta.fresh, "pretty")!;
      const processor = load({
        type: "payment",
        url: "http://127.0.0.1:3000/webhook",
        headers: {},
        body: { kind: "unique", template: unique.template },
        arrivalRate: 5,
        durationSeconds: 10,
        processorFile: "unique.processor.cjs",
      });
      for (let i = 0; i < 3; i++) {
        const { request } = send(processor);
        expect(request.body).toBe(unique.bodyFor(i).bytes.toString("utf8"));
        expect((request.headers as Record<string, string>).authorization).toBe(`Signature ${signBody(String(request.body), SECRET)}`);
      }
    } finally {
      delete process.env.XSOLLA_HOOKS_FIRST_ID_STEP;
    }
  });

  it("without the secret in the environment, the request fails with a clear error", () => {
    delete process.env.XSOLLA_WEBHOOK_SECRET;
    const { failure } = send(
      load({
        type: "payment",
        url: "http://127.0.0.1:3000/",
        headers: {},
        body: { kind: "same", text: "{}" },
        arrivalRate: 1,
        durationSeconds: 1,
        processorFile: "nosecret.processor.cjs",
      }),
    );
    expect(failure?.message).toMatch(/set XSOLLA_WEBHOOK_SECRET/);
  });
});
