// The poller and the acker: real HTTP on 127.0.0.1, time on a virtual clock (every wait recorded).
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { createVirtualClock } from "../../src/core/delivery/clocks.js";
import type { Clock } from "../../src/core/delivery/types.js";
import { createEventApiClient, type EventApiClient } from "../../src/events-api/client.js";
import { EventApiError } from "../../src/events-api/errors.js";
import { startMockEventApi, type MockEventApiOptions } from "../../src/events-api/mock-server.js";
import {
  backoffDelay,
  createAcker,
  decideAfterFailure,
  MAX_PAGE_REPEATS,
  pollEvents,
  uniqueInIdOrder,
  type PollItem,
  type PollOptions,
} from "../../src/events-api/poll.js";
import type { XsollaEvent } from "../../src/events-api/schema.js";
import { startLoopback, type RecordedRequest } from "../helpers/loopback.js";
import { START, disposeLater, makeJwt } from "./helpers.js";

const JWT = makeJwt({ sub: "user-1", exp: Math.floor(START / 1000) + 30 * 86_400 });
const ev = (id: number, type = "payment"): XsollaEvent => ({
  id,
  status: 0,
  created_at: "2025-01-15T12:00:00.000Z",
  data: { notification_type: type },
});
const page = (ids: number[]) => JSON.stringify({ events: ids.map((id) => ev(id)) });

function json(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(body);
}

/** A loopback Event API that answers the i-th request with answers[i] (the last one repeats). */
async function scripted(answers: ((res: ServerResponse, request: RecordedRequest) => void)[]) {
  const server = disposeLater(
    await startLoopback((request, res, index) =>
      (answers[Math.min(index, answers.length - 1)] as (r: ServerResponse, q: RecordedRequest) => void)(res, request),
    ),
  );
  return { server, baseUrl: `http://127.0.0.1:${server.port}` };
}

function clientFor(baseUrl: string, clock: Clock): EventApiClient {
  return disposeLater(createEventApiClient({ baseUrl, auth: { kind: "jwt", jwt: JWT }, now: () => clock.now(), timeoutMs: 2_000 }));
}

/** Runs the poller until `stop` says so (then aborts), collecting every item. */
async function collect(
  client: Pick<EventApiClient, "listEventsPage">,
  options: Omit<PollOptions, "signal">,
  stop: (items: PollItem[]) => boolean,
): Promise<PollItem[]> {
  const controller = new AbortController();
  const items: PollItem[] = [];
  for await (const item of pollEvents(client, { ...options, signal: controller.signal })) {
    items.push(item);
    if (stop(items)) controller.abort();
  }
  return items;
}

const eventIds = (items: PollItem[]) => items.flatMap((item) => (item.kind === "event" ? [item.event.id] : []));
const kinds = (items: PollItem[]) =>
  items.map((i) =>
    i.kind === "event"
      ? `${i.again ? "again" : "event"}:${i.event.id}`
      : i.kind === "idle"
        ? `idle:${i.conclusive ? "conclusive" : "inconclusive"}${i.caughtUp ? ",caught-up" : ""}`
        : i.kind === "skipped"
          ? `skipped:${i.event.id}`
          : i.kind === "malformed"
            ? `malformed:${i.id ?? "?"}`
            : `error:${i.error.kind}`,
  );
const afterIdOf = (request: RecordedRequest) => new URL(request.url, "http://x").searchParams.get("after_id");
const afterIds = (requests: RecordedRequest[]) => requests.map(afterIdOf);

describe("pure decisions", () => {
  it("uniqueInIdOrder sorts a page by id and keeps each id once", () => {
    expect(uniqueInIdOrder([ev(5), ev(3), ev(4), ev(2), ev(4)]).map((e) => e.id)).toEqual([2, 3, 4, 5]);
    expect(uniqueInIdOrder([])).toEqual([]);
  });

  it("backoffDelay doubles up to maxMs, with equal jitter from rand", () => {
    const b = { baseMs: 100, maxMs: 1_000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, b, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, b, () => 0.999999))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(backoffDelay(1_000, b, () => 0.5)).toBe(750);
  });

  it("decideAfterFailure: stop on non-retryable, Retry-After wins, give up at maxFailures", () => {
    const policy = { maxFailures: 3, backoff: { baseMs: 100, maxMs: 1_000 }, rand: () => 0, maxRetryAfterMs: 60_000 };
    const auth = new EventApiError("auth", "no");
    expect(decideAfterFailure(auth, 1, policy)).toEqual({ action: "stop", error: auth });
    expect(decideAfterFailure(new EventApiError("rate-limited", "slow", { retryAfterMs: 9_000 }), 1, policy)).toEqual({
      action: "retry",
      delayMs: 9_000,
    });
    expect(decideAfterFailure(new EventApiError("rate-limited", "slow", { retryAfterMs: 9e9 }), 1, policy)).toEqual({
      action: "retry",
      delayMs: 60_000,
    });
    expect(decideAfterFailure(new EventApiError("server", "500"), 2, policy)).toEqual({ action: "retry", delayMs: 100 });
    const last = decideAfterFailure(new EventApiError("server", "GET /events: server error (HTTP 500)", { status: 500 }), 3, policy);
    expect(last.action).toBe("stop");
    if (last.action === "stop") {
      expect(last.error.kind).toBe("network");
      expect(last.error.message).toBe("gave up after 3 failed requests in a row; last: GET /events: server error (HTTP 500)");
      expect(last.error.status).toBe(500);
    }
  });
});

describe("pollEvents", () => {
  it("deduplicates across overlapping pages, pages with after_id within a sweep, and starts each sweep from the start", async () => {
    const { server, baseUrl } = await scripted([
      (res) => json(res, 200, page([1, 2, 3])),
      (res) => json(res, 200, page([5, 3, 4, 2])),
      (res) => json(res, 200, page([])),
      (res) => json(res, 200, page([6, 6, 5])),
      (res) => json(res, 200, page([])),
    ]);
    const clock = createVirtualClock(START);
    const items = await collect(
      clientFor(baseUrl, clock),
      { clock, intervalMs: 3_000, types: ["payment"] },
      (all) => eventIds(all).length === 6,
    );
    expect(kinds(items)).toEqual(["event:1", "event:2", "event:3", "event:4", "event:5", "idle:conclusive", "event:6"]);
    // A sweep follows after_id up to an empty page; the next one starts again without after_id (as the Unity SDK lists).
    expect(afterIds(server.requests)).toEqual([null, "3", "5", null]);
    expect(server.requests.every((r) => r.url.includes("types=payment"))).toBe(true);
    // Straight on after a sweep with news.
    expect(clock.sleeps).toEqual([]);
  });

  it("handles an event that shows up late below ids already seen (the cursor never hides it)", async () => {
    const { server, baseUrl } = await scripted([
      (res) => json(res, 200, page([1, 3])),
      (res) => json(res, 200, page([])),
      (res) => json(res, 200, page([])),
      (res) => json(res, 200, page([2, 3])),
    ]);
    const clock = createVirtualClock(START);
    const items = await collect(clientFor(baseUrl, clock), { clock, intervalMs: 3_000 }, (all) => eventIds(all).length === 3);
    expect(kinds(items)).toEqual(["event:1", "event:3", "idle:conclusive", "idle:conclusive,caught-up", "event:2"]);
    expect(afterIds(server.requests)).toEqual([null, "3", null, null]);
    expect(clock.sleeps).toEqual([3_000]);
  });

  it("yields an event again while relist asks for it, and never otherwise", async () => {
    const { baseUrl } = await scripted([(res, req) => json(res, 200, afterIdOf(req) === null ? page([1, 2]) : page([]))]);
    const clock = createVirtualClock(START);
    let rounds = 0;
    const items = await collect(
      clientFor(baseUrl, clock),
      { clock, relist: (id) => id === 2 && ++rounds <= 2 },
      (all) => all.filter((i) => i.kind === "idle" && i.caughtUp).length === 1,
    );
    expect(kinds(items)).toEqual([
      "event:1",
      "event:2",
      "idle:conclusive",
      "again:2",
      "idle:conclusive",
      "again:2",
      "idle:conclusive",
      "idle:conclusive,caught-up",
    ]);
  });

  it("ends a sweep after MAX_PAGE_REPEATS pages at or below after_id (a server that ignores it)", async () => {
    const { server, baseUrl } = await scripted([(res) => json(res, 200, page([1, 2]))]);
    const clock = createVirtualClock(START);
    const items = await collect(clientFor(baseUrl, clock), { clock, intervalMs: 500 }, (all) => all.some((i) => i.kind === "idle"));
    expect(kinds(items)).toEqual(["event:1", "event:2", "idle:inconclusive"]);
    expect(afterIds(server.requests)).toEqual([null, ...Array<string>(MAX_PAGE_REPEATS).fill("2")]);
  });

  it("with projectId, reports another project's events once and never yields them", async () => {
    const other = (id: number, data: Record<string, unknown>) => ({ ...ev(id), data: { notification_type: "payment", ...data } });
    const body = JSON.stringify({
      events: [
        other(1, { settings: { project_id: 111 } }),
        other(2, { settings: { project_id: "222" } }),
        other(3, { billing: { settings: { project_id: 333 } } }),
        other(4, {}),
        other(5, { settings: { project_id: "111" }, billing: { settings: { project_id: 111 } } }),
      ],
    });
    const { baseUrl } = await scripted([(res, req) => json(res, 200, afterIdOf(req) === null ? body : page([]))]);
    const clock = createVirtualClock(START);
    const items = await collect(
      clientFor(baseUrl, clock),
      { clock, projectId: 111 },
      (all) => all.filter((i) => i.kind === "idle").length === 2,
    );
    expect(kinds(items)).toEqual([
      "event:1",
      "skipped:2",
      "skipped:3",
      "event:4",
      "event:5",
      "idle:conclusive",
      "idle:conclusive,caught-up",
    ]);
    expect(items.flatMap((i) => (i.kind === "skipped" ? [i.projectIds] : []))).toEqual([["222"], ["333"]]);
  });

  it("sets a malformed event aside, reports it once, and goes on with the page and later polls", async () => {
    const body = JSON.stringify({
      events: [
        ev(1),
        { id: 2, status: 0, data: "not an object" },
        { id: 3, data: { notification_type: "payment" } },
        { status: 0, data: {} },
      ],
    });
    const { baseUrl } = await scripted([
      (res) => json(res, 200, body),
      (res) => json(res, 200, page([])),
      (res) => json(res, 200, body.replace('"events":[', `"events":[${JSON.stringify(ev(9))},`)),
      (res) => json(res, 200, page([])),
    ]);
    const clock = createVirtualClock(START);
    const items = await collect(clientFor(baseUrl, clock), { clock }, (all) => eventIds(all).length === 3);
    expect(kinds(items)).toEqual(["malformed:2", "malformed:?", "event:1", "event:3", "idle:conclusive", "event:9"]);
    expect(items.find((i) => i.kind === "malformed")).toMatchObject({ problems: ["events[1].data: expected an object"] });
    // status and created_at are optional: defaulted as Xsolla's SDK reads them.
    expect(items.find((i) => i.kind === "event" && i.event.id === 3)).toMatchObject({ event: { status: 0, created_at: null } });
  });

  it("a page of entries without readable ids ends the sweep (nothing to page past), not as a complete listing", async () => {
    const { server, baseUrl } = await scripted([
      (res) => json(res, 200, page([1])),
      (res) => json(res, 200, JSON.stringify({ events: [{ data: {} }, { id: "x", data: {} }] })),
    ]);
    const clock = createVirtualClock(START);
    const items = await collect(clientFor(baseUrl, clock), { clock }, (all) => all.some((i) => i.kind === "idle"));
    expect(kinds(items)).toEqual(["event:1", "malformed:?", "malformed:?", "idle:conclusive"]);
    expect(items.at(-1)).toMatchObject({ complete: false, caughtUp: false });
    expect(afterIds(server.requests)).toEqual([null, "1"]);
  });

  it("pauses only until wakeAt when the consumer has work due sooner than the interval", async () => {
    const { baseUrl } = await scripted([(res) => json(res, 200, page([]))]);
    const clock = createVirtualClock(START);
    await collect(clientFor(baseUrl, clock), { clock, intervalMs: 3_000, wakeAt: () => START + 1_200 }, (all) => all.length === 3);
    // The first pause ends at wakeAt; at wakeAt nothing is left to wait for, so the next sweep starts at once.
    expect(clock.sleeps).toEqual([1_200]);
  });

  it("starts every sweep after afterId, and never yields an id at or below it", async () => {
    const { server, baseUrl } = await scripted([(res) => json(res, 200, page([10, 11, 12])), (res) => json(res, 200, page([]))]);
    const clock = createVirtualClock(START);
    const items = await collect(
      clientFor(baseUrl, clock),
      { clock, afterId: 10 },
      (all) => all.filter((i) => i.kind === "idle").length === 2,
    );
    expect(eventIds(items)).toEqual([11, 12]);
    expect(afterIds(server.requests)).toEqual(["10", "12", "10"]);
  });

  it("waits Retry-After on 429 (seconds, then an HTTP date), and reports each wait", async () => {
    const clock = createVirtualClock(START);
    const { baseUrl } = await scripted([
      (res) => json(res, 429, "", { "retry-after": "7" }),
      (res) => json(res, 429, "", { "retry-after": new Date(START + 7_000 + 12_000).toUTCString() }),
      (res) => json(res, 200, page([1])),
    ]);
    const items = await collect(
      clientFor(baseUrl, clock),
      { clock, backoff: { baseMs: 100, maxMs: 200 } },
      (all) => eventIds(all).length === 1,
    );
    expect(
      items.map((i) =>
        i.kind === "error" ? [i.error.kind, i.consecutiveFailures, i.retryInMs] : i.kind === "event" ? i.event.id : "idle",
      ),
    ).toEqual([["rate-limited", 1, 7_000], ["rate-limited", 2, 12_000], 1]);
    expect(clock.sleeps).toEqual([7_000, 12_000]);
  });

  it("honours the mock's rate limit on a shared virtual clock", async () => {
    const clock = createVirtualClock(START);
    const api = disposeLater(await startMockEventApi({ now: () => clock.now(), pageSize: 1, faults: { rateLimit: 1 } }));
    for (let i = 0; i < 3; i++) api.enqueue({ notification_type: "payment" });
    const items = await collect(clientFor(api.url, clock), { clock }, (all) => eventIds(all).length === 3);
    expect(eventIds(items)).toEqual([1, 2, 3]);
    expect(clock.sleeps).toEqual([1_000, 1_000]);
    expect(items.filter((i) => i.kind === "error").map((i) => i.kind === "error" && i.error.retryAfterMs)).toEqual([1_000, 1_000]);
  });

  it("backs off exponentially with jitter on 5xx and dropped connections", async () => {
    const clock = createVirtualClock(START);
    const { baseUrl } = await scripted([
      (res) => json(res, 500, "{}"),
      (res) => res.socket?.destroy(),
      (res) => json(res, 503, "{}"),
      (res) => json(res, 200, page([1])),
      (res) => json(res, 502, "{}"),
      (res) => json(res, 200, page([2])),
    ]);
    const items = await collect(
      clientFor(baseUrl, clock),
      { clock, backoff: { baseMs: 100, maxMs: 300 }, rand: () => 0.5 },
      (all) => eventIds(all).length === 2,
    );
    expect(
      items.map((i) => (i.kind === "error" ? `${i.error.kind}#${i.consecutiveFailures}` : i.kind === "event" ? i.event.id : "idle")),
    ).toEqual(["server#1", "network#2", "server#3", 1, "server#1", 2]);
    // ceilings 100, 200, 300 (capped), then 100 again after the success; each halved plus half jitter.
    expect(clock.sleeps).toEqual([75, 150, 225, 75]);
  });

  it("gives up with a network error after maxFailures failures in a row", async () => {
    const clock = createVirtualClock(START);
    const { server, baseUrl } = await scripted([(res) => json(res, 500, '{"error":{"code":"X"}}')]);
    const items: PollItem[] = [];
    const run = (async () => {
      for await (const item of pollEvents(clientFor(baseUrl, clock), {
        clock,
        maxFailures: 3,
        backoff: { baseMs: 10, maxMs: 10 },
        rand: () => 0,
      }))
        items.push(item);
    })();
    const error = (await run.catch((e: unknown) => e)) as EventApiError;
    expect(error).toBeInstanceOf(EventApiError);
    expect(error.kind).toBe("network");
    expect(error.message).toBe(
      'gave up after 3 failed requests in a row; last: GET /events: server error (HTTP 500): {"error":{"code":"X"}}',
    );
    expect((error.cause as EventApiError).kind).toBe("server");
    expect(items).toHaveLength(2);
    expect(server.requests).toHaveLength(3);
  });

  it("ends with the auth error at once", async () => {
    const clock = createVirtualClock(START);
    const api = disposeLater(await startMockEventApi({ now: () => clock.now(), faults: { unauthorized: true } }));
    const run = collect(clientFor(api.url, clock), { clock }, () => false);
    await expect(run).rejects.toMatchObject({ kind: "auth", status: 401 });
    expect(clock.sleeps).toEqual([]);
  });

  it("ends with a bad-response error naming the path when the page itself has the wrong shape", async () => {
    const clock = createVirtualClock(START);
    const { baseUrl } = await scripted([(res) => json(res, 200, '{"events":{"id":1}}')]);
    await expect(collect(clientFor(baseUrl, clock), { clock }, () => false)).rejects.toMatchObject({
      kind: "bad-response",
      problems: ["events: expected an array"],
    });
  });

  it("stops cleanly when aborted during a request", async () => {
    const clock = createVirtualClock(START);
    const { server, baseUrl } = await scripted([() => undefined]);
    const controller = new AbortController();
    const items: PollItem[] = [];
    const run = (async () => {
      for await (const item of pollEvents(clientFor(baseUrl, clock), { clock, signal: controller.signal })) items.push(item);
    })();
    await server.nextRequest();
    controller.abort();
    await expect(run).resolves.toBeUndefined();
    expect(items).toEqual([]);
  });

  it("stops cleanly when aborted during a wait", async () => {
    const controller = new AbortController();
    // A clock whose waits last until aborted, like a real one with a long interval.
    const clock: Clock = {
      now: () => START,
      sleep: (_ms, signal) =>
        new Promise((_resolve, reject) => {
          signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
          setImmediate(() => controller.abort());
        }),
    };
    const { baseUrl } = await scripted([(res) => json(res, 200, page([]))]);
    const items: PollItem[] = [];
    for await (const item of pollEvents(clientFor(baseUrl, clock), { clock, signal: controller.signal })) items.push(item);
    expect(items).toEqual([
      { kind: "idle", afterId: undefined, conclusive: true, complete: true, caughtUp: true, news: 0, listed: new Set() },
    ]);
  });

  it("does not start when the signal is already aborted", async () => {
    const calls: unknown[] = [];
    const fake = { listEventsPage: async (o: unknown) => (calls.push(o), { events: [], rejected: [] }) };
    const signal = AbortSignal.abort();
    for await (const _ of pollEvents(fake, { clock: createVirtualClock(START), signal })) throw new Error("nothing expected");
    expect(calls).toEqual([]);
  });

  it("lets unexpected errors through", async () => {
    const fake = { listEventsPage: () => Promise.reject(new TypeError("bug")) };
    const run = collect(fake, { clock: createVirtualClock(START) }, () => false);
    await expect(run).rejects.toThrow(TypeError);
  });
});

describe("createAcker", () => {
  async function mockWith(options: MockEventApiOptions, clock: Clock) {
    return disposeLater(await startMockEventApi({ now: () => clock.now(), ...options }));
  }

  it("retries failed acks with backoff until they stick", async () => {
    const clock = createVirtualClock(START);
    const api = await mockWith({ faults: { ackFailRate: 0.5, seed: 7 } }, clock);
    const ids = Array.from({ length: 20 }, () => api.enqueue({ notification_type: "payment" }).id);
    const retried: number[] = [];
    const acker = createAcker(clientFor(api.url, clock), {
      clock,
      retries: 20,
      backoff: { baseMs: 10, maxMs: 100 },
      rand: () => 0.5,
      onRetry: ({ id }) => retried.push(id),
    });
    const results = [];
    for (const id of ids) results.push(await acker.ack(id));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.some((r) => r.attempts > 1)).toBe(true);
    expect(retried.length).toBe(results.reduce((sum, r) => sum + r.attempts - 1, 0));
    expect(acker.pending()).toEqual([]);
    expect(acker.acked()).toEqual(ids);
    expect(api.unprocessed()).toEqual([]);
    expect(api.stats().faults.ackFailed).toBe(retried.length);
  });

  it("keeps an id pending when retries run out", async () => {
    const clock = createVirtualClock(START);
    const api = await mockWith({ faults: { ackFailRate: 1 } }, clock);
    const { id } = api.enqueue({ notification_type: "payment" });
    const acker = createAcker(clientFor(api.url, clock), { clock, retries: 2, backoff: { baseMs: 10, maxMs: 100 }, rand: () => 0 });
    const result = await acker.ack(id);
    expect(result).toMatchObject({ ok: false, id, attempts: 3 });
    expect(result.ok === false && (result.error as EventApiError).kind).toBe("server");
    expect(clock.sleeps).toEqual([5, 10]);
    expect(acker.pending()).toEqual([id]);
  });

  it("does not retry a 404", async () => {
    const clock = createVirtualClock(START);
    const api = await mockWith({}, clock);
    const acker = createAcker(clientFor(api.url, clock), { clock, retries: 5 });
    const result = await acker.ack(999);
    expect(result).toMatchObject({ ok: false, id: 999, attempts: 1 });
    expect(result.ok === false && (result.error as EventApiError).kind).toBe("not-found");
    expect(clock.sleeps).toEqual([]);
    expect(acker.pending()).toEqual([999]);
  });

  it("waits Retry-After on 429", async () => {
    const clock = createVirtualClock(START);
    const { baseUrl } = await scripted([(res) => json(res, 429, "", { "retry-after": "2" }), (res) => void res.writeHead(204).end()]);
    const acker = createAcker(clientFor(baseUrl, clock), { clock, retries: 3 });
    expect(await acker.ack(5)).toEqual({ ok: true, id: 5, attempts: 2 });
    expect(clock.sleeps).toEqual([2_000]);
  });

  it("shares an ack in flight and skips one already done", async () => {
    const clock = createVirtualClock(START);
    const { server, baseUrl } = await scripted([(res) => void res.writeHead(204).end()]);
    const acker = createAcker(clientFor(baseUrl, clock), { clock, retries: 0 });
    const [a, b] = [acker.ack(1), acker.ack(1)];
    expect(a).toBe(b);
    expect(acker.pending()).toEqual([1]);
    await acker.drain();
    expect(await acker.ack(1)).toEqual({ ok: true, id: 1, attempts: 0 });
    expect(server.requests).toHaveLength(1);
    expect(acker.pending()).toEqual([]);
  });

  it("stops retrying when aborted; the id stays pending", async () => {
    const clock = createVirtualClock(START);
    const controller = new AbortController();
    const api = await mockWith({ faults: { ackFailRate: 1 } }, clock);
    const { id } = api.enqueue({ notification_type: "payment" });
    const acker = createAcker(clientFor(api.url, clock), {
      clock,
      retries: 100,
      signal: controller.signal,
      onRetry: () => controller.abort(new Error("bye")),
    });
    const result = await acker.ack(id);
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(result.ok === false && (result.error as Error).message).toBe("bye");
    expect(acker.pending()).toEqual([id]);
  });
});
