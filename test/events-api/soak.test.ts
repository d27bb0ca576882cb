// SOAK: ~300 events through a mock that fails, drops sockets, rate-limits and fails acks, all seeded.
// The poller and the acker must deliver every event exactly once and leave nothing unprocessed.
// Real sockets on 127.0.0.1; time is one virtual clock shared by the client side and the mock, so
// Retry-After and backoff cost no real time.
import { describe, expect, it } from "vitest";
import { enqueueRemote } from "../../src/events-api/admin-client.js";
import { createVirtualClock } from "../../src/core/delivery/clocks.js";
import { createEventApiClient } from "../../src/events-api/client.js";
import { startMockEventApi } from "../../src/events-api/mock-server.js";
import { createAcker, pollEvents } from "../../src/events-api/poll.js";
import { mulberry32 } from "../../src/events-api/mock-server.js";
import { START, disposeLater, makeJwt, webhookBody } from "./helpers.js";

const TYPES = ["payment", "order_paid", "refund", "order_canceled", "user_validation", "partial_refund"];

describe("soak", () => {
  // inline: each event is acknowledged before the next poll. concurrent: acks run beside the poller,
  // and the mock ignores after_id on some answers, so unacknowledged events come again and only the
  // poller's dedup keeps them from being yielded twice.
  it.each([
    { seed: 42, acks: "inline", overlapRate: 0 },
    { seed: 20250115, acks: "concurrent", overlapRate: 0.3 },
  ] as const)(
    "seed $seed, $acks acks: every event yielded exactly once, in order, and all processed",
    async ({ seed, acks, overlapRate }) => {
      const clock = createVirtualClock(START);
      const api = disposeLater(
        await startMockEventApi({
          now: () => clock.now(),
          pageSize: 20,
          faults: { failRate: 0.2, dropRate: 0.05, rateLimit: 8, ackFailRate: 0.2, overlapRate, seed },
        }),
      );
      const jwt = makeJwt({ sub: "soak", exp: Math.floor(START / 1000) + 30 * 86_400 });
      const client = disposeLater(
        createEventApiClient({ baseUrl: api.url, auth: { kind: "jwt", jwt }, now: () => clock.now(), timeoutMs: 5_000 }),
      );
      const rand = mulberry32(seed ^ 0x5eed);
      const acker = createAcker(client, { clock, retries: 30, backoff: { baseMs: 200, maxMs: 5_000 }, rand });

      let bodySeed = 0;
      const body = () => webhookBody(TYPES[bodySeed % TYPES.length] as string, ++bodySeed);
      for (let i = 0; i < 150; i++) api.enqueue(body());
      // More arrive while polling: straight into the mock, and over the admin API.
      const arrivals = new Map<number, () => Promise<void>>([
        [40, async () => void Array.from({ length: 50 }, () => api.enqueue(body()))],
        [120, async () => void (await Promise.all(Array.from({ length: 50 }, () => enqueueRemote(body(), { baseUrl: api.url }))))],
        [230, async () => void Array.from({ length: 50 }, () => api.enqueue(body()))],
      ]);
      const total = 300;

      const controller = new AbortController();
      const yielded: number[] = [];
      const seen = new Set<number>();
      const duplicates: number[] = [];
      let errors = 0;
      for await (const item of pollEvents(client, {
        clock,
        intervalMs: 3_000,
        signal: controller.signal,
        maxFailures: 25,
        backoff: { baseMs: 200, maxMs: 5_000 },
        rand,
      })) {
        if (item.kind === "error") {
          errors++;
          continue;
        }
        if (item.kind !== "event") continue;
        const { id } = item.event;
        if (seen.has(id)) duplicates.push(id);
        seen.add(id);
        yielded.push(id);
        if (acks === "inline") {
          const ack = await acker.ack(id);
          expect(ack.ok, `ack of ${id}`).toBe(true);
        } else {
          void acker.ack(id);
        }
        await arrivals.get(yielded.length)?.();
        if (yielded.length === total) controller.abort();
        // A guard against a poller that never sees the rest: a virtual week is plenty.
        if (clock.now() - START > 7 * 86_400_000) controller.abort(new Error("stuck"));
      }
      await acker.drain();

      expect(duplicates).toEqual([]);
      expect(yielded).toHaveLength(total);
      expect(yielded).toEqual([...yielded].sort((a, b) => a - b));
      expect(new Set(yielded)).toEqual(new Set(api.events().map((e) => e.id)));
      expect(api.events()).toHaveLength(total);
      expect(api.unprocessed()).toEqual([]);
      expect(acker.pending()).toEqual([]);
      expect(api.records().every((r) => r.acks >= 1)).toBe(true);

      // The faults really happened, and the poller reported its retries.
      const { faults } = api.stats();
      expect(faults.failed).toBeGreaterThan(20);
      expect(faults.dropped).toBeGreaterThan(3);
      expect(faults.rateLimited).toBeGreaterThan(3);
      expect(faults.ackFailed).toBeGreaterThan(20);
      expect(errors).toBeGreaterThan(0);
      if (overlapRate > 0) expect(faults.overlapped).toBeGreaterThan(0);
    },
  );
});
