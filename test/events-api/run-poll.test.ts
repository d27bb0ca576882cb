// runPoll, the use case behind `events poll`: forwarding with the type's resend schedule on the poller's clock,
// acking only after handling, re-acking and confirming by re-listing. Real HTTP on 127.0.0.1 (the mock Event API
// and a scripted handler); time is one virtual clock shared by the poller and the mock.
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { createVirtualClock, type VirtualClock } from "../../src/core/delivery/clocks.js";
import { createEventApiClient } from "../../src/events-api/client.js";
import { startMockEventApi, type MockEventApiOptions } from "../../src/events-api/mock-server.js";
import { runPoll, type PollListener, type PollRunOptions } from "../../src/runners/poll.js";
import { startLoopback, type RecordedRequest } from "../helpers/loopback.js";
import { START, disposeLater, makeJwt, webhookBody } from "./helpers.js";

const JWT = makeJwt({ sub: "user-1", exp: Math.floor(START / 1000) + 30 * 86_400 });
const MINUTE = 60_000;

async function mockApi(clock: VirtualClock, options: MockEventApiOptions = {}) {
  return disposeLater(await startMockEventApi({ now: () => clock.now(), ...options }));
}

/** A handler that answers each request with `answer(request, n)`, n = how many times this event came (1, 2, ...). */
async function handler(clock: VirtualClock, answer: (body: Record<string, unknown>, n: number, res: ServerResponse) => void) {
  const seen = new Map<string, number>();
  const arrivals: { key: string; at: number }[] = [];
  const server = disposeLater(
    await startLoopback((request: RecordedRequest, res) => {
      const body = JSON.parse(request.body.toString("utf8")) as Record<string, unknown>;
      const key = JSON.stringify(body["transaction"] ?? body["order"] ?? body);
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      arrivals.push({ key: String(body["notification_type"]), at: clock.now() - START });
      answer(body, n, res);
    }),
  );
  return { url: server.url, arrivals, requests: server.requests };
}

interface Log {
  lines: string[];
  listener: PollListener;
}

function log(): Log {
  const lines: string[] = [];
  return {
    lines,
    listener: {
      onEvent: (event) => void lines.push(`event ${event.id}`),
      onPollError: (error) => void lines.push(`poll error ${error.kind}`),
      onIdle: () => undefined,
      onAckRetry: (id) => void lines.push(`ack retry ${id}`),
      onForwardRetry: (id, reason, retryInMs, next) => void lines.push(`forward retry ${id} (${reason}) in ${retryInMs} → #${next}`),
      onForwardFailed: (id, reason) => void lines.push(`forward failed ${id} (${reason})`),
      onSkipped: (event) => void lines.push(`skipped ${event.id}`),
      onMalformed: (id) => void lines.push(`malformed ${id ?? "?"}`),
      onNotice: (text) => void lines.push(`notice ${text}`),
    },
  };
}

function run(apiUrl: string, clock: VirtualClock, options: Partial<PollRunOptions>, listener: PollListener) {
  const client = createEventApiClient({ baseUrl: apiUrl, auth: { kind: "jwt", jwt: JWT }, now: () => clock.now(), timeoutMs: 2_000 });
  return runPoll(
    client,
    {
      intervalMs: 3_000,
      maxFailures: 10,
      backoff: { baseMs: 100, maxMs: 1_000 },
      ack: true,
      once: true,
      signal: new AbortController().signal,
      clock,
      rand: () => 0.5,
      ...options,
    },
    listener,
  );
}

const secret = "forward-secret";

describe("forwarding: the type's resend schedule, within the running poller", () => {
  it("resends a failed forward on Xsolla's schedule for its type (virtual clock) and acks only after the 2xx", async () => {
    const clock = createVirtualClock(START);
    const api = await mockApi(clock);
    const payment = api.enqueue(webhookBody("payment", 1));
    const order = api.enqueue(webhookBody("order_paid", 2));
    const acksAt: number[] = [];
    api.setFaults({});
    const target = await handler(clock, (_body, n, res) => void res.writeHead(n <= 2 ? 500 : 204).end());
    const { lines, listener } = log();
    const summary = await run(api.url, clock, { forward: { url: target.url, secret } }, listener);

    // payment: the modelled 1 min, 2 min; order_paid: Xsolla's documented 5 min, 5 min (docs/xsolla-contract.md §4).
    expect(target.arrivals).toEqual([
      { key: "payment", at: 0 },
      { key: "order_paid", at: 0 },
      { key: "payment", at: MINUTE },
      { key: "payment", at: 3 * MINUTE },
      { key: "order_paid", at: 5 * MINUTE },
      { key: "order_paid", at: 10 * MINUTE },
    ]);
    expect(lines).toContain(`forward retry ${payment.id} (status 500) in ${MINUTE} → #2`);
    expect(lines).toContain(`forward retry ${order.id} (status 500) in ${5 * MINUTE} → #2`);
    expect(summary).toMatchObject({ received: [payment.id, order.id], acked: [payment.id, order.id], notForwarded: [], unacked: [] });
    expect(api.unprocessed()).toEqual([]);
    for (const record of api.records()) acksAt.push(Date.parse(record.processedAt ?? "") - START);
    // Each was acked when its last attempt succeeded, not before.
    expect(acksAt).toEqual([3 * MINUTE, 10 * MINUTE]);
  });

  it("stops at a final answer (no resend), and --forward-schedule replaces the delays, not the policy", async () => {
    const clock = createVirtualClock(START);
    const api = await mockApi(clock);
    const refused = api.enqueue(webhookBody("order_paid", 1));
    const flaky = api.enqueue(webhookBody("refund", 2));
    const target = await handler(clock, (body, n, res) => {
      if (body["notification_type"] === "order_paid") return void res.writeHead(422).end();
      res.writeHead(n <= 3 ? 503 : 204).end();
    });
    const { lines, listener } = log();
    const summary = await run(api.url, clock, { forward: { url: target.url, secret }, forwardScheduleMs: [10, 10] }, listener);
    // 422 is final for order_paid (§3); refund is resent after 5xx, here only twice.
    expect(target.arrivals.map((a) => `${a.key}@${a.at}`)).toEqual(["order_paid@0", "refund@0", "refund@10", "refund@20"]);
    expect(lines).toContain(`forward failed ${refused.id} (status 422)`);
    expect(lines).toContain(`forward failed ${flaky.id} (status 503, after 3 attempts)`);
    expect(summary).toMatchObject({ acked: [], notForwarded: [refused.id, flaky.id] });
    expect(api.unprocessed().map((e) => e.id)).toEqual([refused.id, flaky.id]);
  });

  it("reports an event forwarded again after an attempt got no answer: the handler may have seen it twice", async () => {
    const clock = createVirtualClock(START);
    const api = await mockApi(clock);
    const lost = api.enqueue(webhookBody("payment", 1));
    const fine = api.enqueue(webhookBody("payment", 2));
    const refusedOnce = api.enqueue(webhookBody("payment", 3));
    const target = await handler(clock, (body, n, res) => {
      const id = (body["transaction"] as { id: number }).id;
      const first = (webhookBody("payment", 1)["transaction"] as { id: number }).id;
      const third = (webhookBody("payment", 3)["transaction"] as { id: number }).id;
      // Processed, then the connection drops before the answer: the sender cannot tell.
      if (id === first && n === 1) return void res.socket?.destroy();
      if (id === third && n === 1) return void res.writeHead(500).end();
      res.writeHead(204).end();
    });
    const summary = await run(api.url, clock, { forward: { url: target.url, secret }, forwardScheduleMs: [10] }, log().listener);
    expect(summary.acked).toEqual([lost.id, fine.id, refusedOnce.id]);
    // A 500 says "not processed" (contract §3): only the unanswered attempt makes a possible duplicate.
    expect(summary.duplicates).toEqual([lost.id]);
  });
});

describe("acks: only after handling, again when still listed, confirmed by re-listing", () => {
  it("a 401 on an ack stops forwarding the rest of the page and names what was handled but not acked", async () => {
    const clock = createVirtualClock(START);
    // GET /events, then ack 1 and ack 2 work; the third API request (ack 3) finds the JWT expired.
    const api = await mockApi(clock, { faults: { jwtExpireAfter: 3 } });
    const ids = [1, 2, 3, 4].map((n) => api.enqueue(webhookBody("payment", n)).id);
    const target = await handler(clock, (_body, _n, res) => void res.writeHead(204).end());
    const summary = await run(api.url, clock, { forward: { url: target.url, secret } }, log().listener);
    expect(target.requests).toHaveLength(3);
    expect(summary).toMatchObject({ received: ids.slice(0, 3), acked: ids.slice(0, 2), unacked: [ids[2]], unconfirmed: [] });
    expect(summary.failure).toMatchObject({ kind: "auth", status: 401 });
    expect(api.unprocessed().map((e) => e.id)).toEqual(ids.slice(2));
  });

  it("an ack whose answer was lost is confirmed by re-listing, not reported as NOT marked processed", async () => {
    const clock = createVirtualClock(START);
    const api = await mockApi(clock, { faults: { ackLostRate: 1 } });
    const ids = [1, 2].map((n) => api.enqueue(webhookBody("payment", n)).id);
    const { lines, listener } = log();
    const summary = await run(api.url, clock, { ackRetries: 2 }, listener);
    expect(lines.filter((l) => l.startsWith("ack retry"))).toEqual(["ack retry 1", "ack retry 1", "ack retry 2", "ack retry 2"]);
    expect(summary).toMatchObject({ acked: ids, confirmed: ids, unacked: [], unconfirmed: [] });
    expect(api.unprocessed()).toEqual([]);
  });

  it("an ack that keeps failing is tried again while the event is listed, a bounded number of times, then reported", async () => {
    const clock = createVirtualClock(START);
    const api = await mockApi(clock, { faults: { ackFailRate: 1 } });
    const { id } = api.enqueue(webhookBody("payment", 1));
    const summary = await run(api.url, clock, { ackRetries: 1 }, log().listener);
    const acks = api.requests().filter((r) => r.method === "POST");
    // Three rounds (the event is still listed after each), two attempts each.
    expect(acks).toHaveLength(6);
    expect(summary).toMatchObject({ received: [id], acked: [], unacked: [id], unconfirmed: [] });
  });

  it("--once drains pages that overlap (after_id ignored) instead of stopping at a page of ids already seen", async () => {
    const clock = createVirtualClock(START);
    const api = await mockApi(clock, { pageSize: 2, faults: { overlapRate: 0.5, seed: 3 } });
    const ids = Array.from({ length: 9 }, (_, n) => api.enqueue(webhookBody("payment", n + 1)).id);
    const summary = await run(api.url, clock, { ack: false }, log().listener);
    expect(summary.received).toEqual(ids);
    expect(api.stats().faults.overlapped).toBeGreaterThan(2);
  });
});
