// The whole story on loopback: a reference receiver, every fixture signed and delivered, plus the
// two rejections a correct handler must make. Needs nothing else running.
import { randomInt } from "node:crypto";
import { ExitCode } from "../../core/errors.js";
import { deliveryToJson } from "../../core/delivery/report.js";
import { buildWebhookRequest, type SignatureMode } from "../../core/delivery/request.js";
import { describeExpectation, parseStatusList, successExpectation, type Expectation } from "../../core/expectation.js";
import { buildPayload } from "../../core/fixtures/payload.js";
import { findFixture } from "../../core/fixtures/catalog.js";
import type { Fixture } from "../../core/fixtures/types.js";
import { loadBuiltinFixtures } from "../../adapters/fixtures-fs.js";
import { startReceiver } from "../../server/receiver.js";
import { withTransport } from "../../adapters/transport-scope.js";
import type { Transport } from "../../core/delivery/types.js";
import { deliverOnce, judgeDelivery } from "../delivery-view.js";
import type { Io } from "../io.js";
import { createStyle, table } from "../style.js";
import { EVENT_TABLE_HEADER, eventRow } from "../events-shared.js";
import { createVirtualClock } from "../../core/delivery/clocks.js";

export interface DemoOptions {
  json?: boolean;
  color?: boolean;
}

interface DemoCase {
  name: string;
  fixture: Fixture;
  mode: SignatureMode;
  sets: { path: string; value: string }[];
  expectation: Expectation;
}

const DEMO_SECRET = "demo-project-secret-key";
const UNKNOWN_USER = "test_xsolla_unknown_user";

export function demoCases(fixtures: readonly Fixture[]): DemoCase[] {
  const signed: DemoCase[] = fixtures.map((fixture) => ({ name: fixture.id, fixture, mode: "valid", sets: [], expectation: successExpectation(fixture.meta.success) }));
  const rejection = (errorCode: string): Expectation => ({ statuses: parseStatusList("4xx"), errorCode });
  return [
    ...signed,
    { name: "payment, bad signature", fixture: findFixture(fixtures, "payment"), mode: "wrong-secret", sets: [], expectation: rejection("INVALID_SIGNATURE") },
    { name: "user_validation, unknown user", fixture: findFixture(fixtures, "user_validation"), mode: "valid", sets: [{ path: "user.id", value: UNKNOWN_USER }], expectation: rejection("INVALID_USER") },
  ];
}

export async function run(options: DemoOptions, io: Io): Promise<number> {
  const fixtures = loadBuiltinFixtures();
  const receiver = await startReceiver({ secret: DEMO_SECRET });
  const style = await createStyle(io, options.color);
  if (!options.json) io.stdout.write(`Reference receiver on ${receiver.url} (the same handler as \`xsolla-hooks listen\`)\n\n`);

  const deliverEach = async (transport: Transport) => {
    const results = [];
    for (const demo of demoCases(fixtures)) {
      if (io.signal.aborted) break;
      const payload = buildPayload(demo.fixture, { sets: demo.sets, context: { now: Date.now(), rand: () => randomInt(0, 1_000_000) / 1_000_000 } });
      const { request } = buildWebhookRequest(receiver.url, payload.bytes, DEMO_SECRET, demo.mode);
      const report = await deliverOnce(request, transport, 5_000, io.signal);
      const verdict = judgeDelivery(report, demo.expectation);
      const attempt = report.attempts[0];
      const answer = receiver.requests[receiver.requests.length - 1]?.answer;
      results.push({ demo, verdict, attempt, answer, report });
    }
    return results;
  };
  let results: Awaited<ReturnType<typeof deliverEach>>;
  try {
    results = await withTransport(undefined, deliverEach);
  } finally {
    await receiver.close();
  }

  const events = io.signal.aborted ? undefined : await eventApiDemo(fixtures, io);
  const passed = results.filter((r) => r.verdict.ok).length;
  const ok = passed === results.length && !io.signal.aborted && events?.ok === true;
  if (options.json) {
    const cases = results.map((r) => ({
      name: r.demo.name,
      type: r.demo.fixture.meta.type,
      signature: r.demo.mode,
      expected: describeExpectation(r.demo.expectation),
      ok: r.verdict.ok,
      problems: r.verdict.problems,
      receiver: r.answer ? { verdict: r.answer.verdict, errorCode: r.answer.errorCode ?? null, reason: r.answer.reason } : null,
      attempts: deliveryToJson(r.report),
    }));
    io.stdout.write(`${JSON.stringify({ ok, passed, failed: results.length - passed, cases, events: events ?? null })}\n`);
  } else {
    const rows = [["WEBHOOK", "SIGNATURE", "ANSWER", "RECEIVER SAID", "EXPECTED", "MS", "RESULT"]];
    for (const r of results) {
      const answer = r.attempt?.result.kind === "response" ? String(r.attempt.result.status) : "none";
      const said = r.answer ? `${r.answer.verdict}${r.answer.errorCode ? ` ${r.answer.errorCode}` : ""}` : "-";
      rows.push([r.demo.name, r.demo.mode === "valid" ? "valid" : "wrong secret", answer, said, describeExpectation(r.demo.expectation), String(Math.round(r.attempt?.result.durationMs ?? 0)), r.verdict.ok ? "ok" : `FAIL: ${r.verdict.problems.join("; ")}`]);
    }
    const text = table(rows).replace(/ ok$/gm, ` ${style.ok("ok")}`).replace(/ (FAIL: .*)$/gm, (_m, fail: string) => ` ${style.bad(fail)}`);
    io.stdout.write(text);
    const signedCount = results.filter((r) => r.demo.mode === "valid" && r.demo.sets.length === 0).length;
    io.stdout.write(`\n${ok ? style.ok("✓") : style.bad("✗")} ${passed} of ${results.length} as expected: ${signedCount} webhook fixtures delivered and accepted, a bad signature and an unknown user rejected.\n`);
    if (events) {
      io.stdout.write(`\nEvent API (client-only games): a local mock on ${events.url}, ${events.enqueued.length} purchase events enqueued, polled and marked processed\n\n`);
      io.stdout.write(table([EVENT_TABLE_HEADER, ...events.rows]));
      const left = events.unprocessed.length;
      io.stdout.write(`\n${events.ok ? style.ok("✓") : style.bad("✗")} ${events.rows.length} events printed once each, ${events.acked.length} marked processed, ${left === 0 ? "none left unprocessed" : `${left} left unprocessed`}.\n`);
    }
    io.stdout.write(style.dim("Next: xsolla-hooks send payment --url <your handler> --secret <project secret>   (xsolla-hooks --help for more)\n"));
  }
  if (io.signal.aborted) return ExitCode.Interrupted;
  return ok ? ExitCode.Ok : ExitCode.CheckFailed;
}

/** A JWT-shaped demo credential (unsigned; the mock accepts any non-empty one), valid for an hour. */
function demoJwt(now: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part({ sub: "sample_user_1", exp: Math.floor(now / 1000) + 3600 })}.`;
}

/** Event API part: mock server, a few purchases enqueued, polled until caught up, each acked after it is shown. */
async function eventApiDemo(fixtures: readonly Fixture[], io: Io) {
  const { startMockEventApi } = await import("../../events-api/mock-server.js");
  const { createEventApiClient } = await import("../../events-api/client.js");
  const { pollEvents, createAcker } = await import("../../events-api/poll.js");
  const api = await startMockEventApi();
  const client = createEventApiClient({ baseUrl: api.url, auth: { kind: "jwt", jwt: demoJwt(Date.now()) } });
  try {
    const rand = () => randomInt(0, 1_000_000) / 1_000_000;
    const enqueued = ["order_paid", "order_paid.separate", "payment"].map((name) => api.enqueue(buildPayload(findFixture(fixtures, name), { context: { now: Date.now(), rand } }).body as object).id);
    // Virtual time: the poller's pauses cost nothing, so the demo stays instant.
    const clock = createVirtualClock(Date.now());
    const acker = createAcker(client, { clock });
    const rows: string[][] = [];
    for await (const item of pollEvents(client, { clock, signal: io.signal })) {
      if (item.kind === "idle") break;
      if (item.kind === "event") {
        rows.push(eventRow(item.event));
        await acker.ack(item.event.id);
      }
    }
    const unprocessed = api.unprocessed().map((e) => e.id);
    return { ok: rows.length === enqueued.length && unprocessed.length === 0, url: api.url, enqueued, rows, acked: acker.acked(), unprocessed };
  } finally {
    await client.close();
    await api.close();
  }
}
