// The receiver under sustained load keeps memory bounded by configuration, not by traffic: a ring of
// full records and a bounded tracker of transaction ids. Counts, not timings (timings live in bench/).
import { createHash } from "node:crypto";
import { Agent, request } from "undici";
import { describe, expect, it } from "vitest";
import { startReceiver } from "../../src/server/receiver.js";

const SECRET = "bounds-secret";
const sign = (body: string) => `Signature ${createHash("sha1").update(body).update(SECRET).digest("hex")}`;

describe("the receiver's memory is bounded", () => {
  it("20 000 deliveries: every one answered, at most --history records and maxTrackedIds ids kept, forgotten ids counted", async () => {
    const receiver = await startReceiver({ secret: SECRET, history: 100, maxTrackedIds: 1_000 });
    const agent = new Agent({ connections: 32, keepAliveTimeout: 10_000 });
    const total = 20_000;
    const statuses = new Map<number, number>();
    let next = 0;
    try {
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (next < total) {
            const n = next++;
            // Every fifth delivery repeats an earlier transaction, as Xsolla's resends do.
            const id = n % 5 === 4 ? n - 4 : n;
            const body = JSON.stringify({ notification_type: "payment", transaction: { id }, user: { id: "sample_user_1" } });
            const response = await request(receiver.url, {
              method: "POST",
              body,
              headers: { authorization: sign(body), "content-type": "application/json" },
              dispatcher: agent,
            });
            await response.body.dump();
            statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
          }
        }),
      );
      expect(Object.fromEntries(statuses)).toEqual({ 204: total });
      expect(receiver.total).toBe(total);
      expect(receiver.requests).toHaveLength(100);
      expect(receiver.requests.at(-1)?.number).toBe(total);
      expect(receiver.requests[0]?.number).toBe(total - 99);
      // Two generations of at most 500 ids each: never more than 1 000 remembered, never fewer than the newest 500.
      const distinct = total - total / 5;
      expect(receiver.state.ids.size).toBeLessThanOrEqual(1_000);
      expect(receiver.state.ids.size).toBeGreaterThanOrEqual(500);
      expect(receiver.state.ids.forgotten).toBe(distinct - receiver.state.ids.size);
      // A resend of a forgotten id says its count may be short.
      const old = JSON.stringify({ notification_type: "payment", transaction: { id: 0 }, user: { id: "sample_user_1" } });
      await (
        await request(receiver.url, { method: "POST", body: old, headers: { authorization: sign(old) }, dispatcher: agent })
      ).body.dump();
      expect(receiver.requests.at(-1)?.answer).toMatchObject({ deliveryCount: 1, deliveryCountComplete: false });
    } finally {
      await agent.close();
      await receiver.close();
    }
  }, 60_000);
});
