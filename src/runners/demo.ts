// The demo as a use case: a reference receiver on loopback, every fixture signed and delivered to it
// (through the same road as `send`), the two rejections a correct handler must make, and a short
// Event API round trip on a local mock. The command only renders what this returns.
import { randomInt } from "node:crypto";
import { parseStatusList, successExpectation, type Expectation } from "../core/expectation.js";
import { buildPayload } from "../core/fixtures/payload.js";
import { findFixture } from "../core/fixtures/catalog.js";
import type { Fixture } from "../core/fixtures/types.js";
import type { SignatureMode } from "../core/delivery/request.js";
import type { DeliveryVerdict } from "../core/delivery/judge.js";
import type { AttemptRecord, DeliveryReport } from "../core/delivery/types.js";
import { createVirtualClock } from "../core/delivery/clocks.js";
import type { XsollaEvent } from "../events-api/schema.js";
import { loadBuiltinFixtures } from "../adapters/fixtures-fs.js";
import { withTransport } from "../adapters/transport-scope.js";
import { startReceiver, type ReceivedRequest } from "../server/receiver.js";
import { prepareSigned, sendOnce } from "./send.js";

export interface DemoCase {
  name: string;
  fixture: Fixture;
  mode: SignatureMode;
  sets: { path: string; value: string }[];
  expectation: Expectation;
}

export interface DemoCaseResult {
  demo: DemoCase;
  verdict: DeliveryVerdict;
  attempt: AttemptRecord | undefined;
  /** What the reference receiver made of the request. */
  answer: ReceivedRequest["answer"] | undefined;
  report: DeliveryReport;
}

export interface EventApiDemoResult {
  ok: boolean;
  url: string;
  enqueued: number[];
  events: XsollaEvent[];
  acked: number[];
  unprocessed: number[];
}

export interface DemoResult {
  receiverUrl: string;
  cases: DemoCaseResult[];
  events: EventApiDemoResult | undefined;
  ok: boolean;
  passed: number;
}

export const DEMO_SECRET = "demo-project-secret-key";
const UNKNOWN_USER = "test_xsolla_unknown_user";

export function demoCases(fixtures: readonly Fixture[]): DemoCase[] {
  const signed: DemoCase[] = fixtures.map((fixture) => ({
    name: fixture.id,
    fixture,
    mode: "valid",
    sets: [],
    expectation: successExpectation(fixture.meta.success),
  }));
  const rejection = (errorCode: string): Expectation => ({ statuses: parseStatusList("4xx"), errorCode });
  return [
    ...signed,
    {
      name: "payment, bad signature",
      fixture: findFixture(fixtures, "payment"),
      mode: "wrong-secret",
      sets: [],
      expectation: rejection("INVALID_SIGNATURE"),
    },
    {
      name: "user_validation, unknown user",
      fixture: findFixture(fixtures, "user_validation"),
      mode: "valid",
      sets: [{ path: "user.id", value: UNKNOWN_USER }],
      expectation: rejection("INVALID_USER"),
    },
  ];
}

const rand = () => randomInt(0, 1_000_000) / 1_000_000;

/**
 * Runs the demo; `onReceiver` is told the receiver's URL as soon as it listens, `onRequest` (the inspector) gets
 * every request the receiver answered.
 */
export async function runDemo(
  signal: AbortSignal,
  onReceiver: (url: string) => void = () => {},
  onRequest?: (request: ReceivedRequest) => void,
): Promise<DemoResult> {
  const fixtures = loadBuiltinFixtures();
  const receiver = await startReceiver({ secret: DEMO_SECRET, onRequest });
  onReceiver(receiver.url);
  const cases: DemoCaseResult[] = [];
  try {
    await withTransport(undefined, async (transport) => {
      for (const demo of demoCases(fixtures)) {
        if (signal.aborted) break;
        const payload = buildPayload(demo.fixture, { sets: demo.sets, context: { now: Date.now(), rand } });
        const prepared = prepareSigned(receiver.url, payload.bytes, DEMO_SECRET, demo.mode, {});
        const { report, verdict } = await sendOnce(prepared, demo.expectation, { transport, timeoutMs: 5_000, signal });
        const answer = receiver.requests.at(-1)?.answer;
        cases.push({ demo, verdict, attempt: report.attempts[0], answer, report });
      }
    });
  } finally {
    await receiver.close();
  }
  const events = signal.aborted ? undefined : await eventApiDemo(fixtures, signal);
  const passed = cases.filter((r) => r.verdict.ok).length;
  const ok = passed === cases.length && !signal.aborted && events?.ok === true;
  return { receiverUrl: receiver.url, cases, events, ok, passed };
}

/** A JWT-shaped demo credential (unsigned; the mock accepts any non-empty one), valid for an hour. */
function demoJwt(now: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part({ sub: "sample_user_1", exp: Math.floor(now / 1000) + 3600 })}.`;
}

/** Event API part: mock server, a few purchases enqueued, polled until caught up, each acked after it is shown. */
async function eventApiDemo(fixtures: readonly Fixture[], signal: AbortSignal): Promise<EventApiDemoResult> {
  const { startMockEventApi } = await import("../events-api/mock-server.js");
  const { createEventApiClient } = await import("../events-api/client.js");
  const { pollEvents, createAcker } = await import("../events-api/poll.js");
  const api = await startMockEventApi();
  const client = createEventApiClient({ baseUrl: api.url, auth: { kind: "jwt", jwt: demoJwt(Date.now()) } });
  try {
    const enqueued = ["order_paid", "order_paid.separate", "payment"].map(
      (name) => api.enqueue(buildPayload(findFixture(fixtures, name), { context: { now: Date.now(), rand } }).body as object).id,
    );
    // Virtual time: the poller's pauses cost nothing, so the demo stays instant.
    const clock = createVirtualClock(Date.now());
    const acker = createAcker(client, { clock });
    const events: XsollaEvent[] = [];
    for await (const item of pollEvents(client, { clock, signal })) {
      if (item.kind === "idle" && item.caughtUp) break;
      if (item.kind === "event") {
        events.push(item.event);
        await acker.ack(item.event.id);
      }
    }
    const unprocessed = api.unprocessed().map((e) => e.id);
    return {
      ok: events.length === enqueued.length && unprocessed.length === 0,
      url: api.url,
      enqueued,
      events,
      acked: acker.acked(),
      unprocessed,
    };
  } finally {
    await client.close();
    await api.close();
  }
}
