// The delivery engine with a virtual clock for time and real loopback HTTP for everything else.
import { afterEach, describe, expect, it } from "vitest";
import { deliver } from "../../src/runners/deliver.js";
import { createVirtualClock } from "../../src/core/delivery/clocks.js";
import { attemptOffsetsMs, classifyAttempt, RETRY_POLICIES } from "../../src/core/delivery/policies.js";
import { formatOffset } from "../../src/core/delivery/report.js";
import { buildWebhookRequest } from "../../src/core/delivery/request.js";
import { createHttpTransport, type HttpTransport } from "../../src/adapters/http-transport.js";
import { signBody } from "../../src/core/signature.js";
import type { Transport } from "../../src/core/delivery/types.js";
import { refusedPort, startLoopback, type LoopbackServer } from "../helpers/loopback.js";

const MIN = 60_000;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

async function setup(script: Parameters<typeof startLoopback>[0]): Promise<{ server: LoopbackServer; transport: HttpTransport }> {
  const server = await startLoopback(script);
  const transport = createHttpTransport();
  cleanup.push(
    () => server.close(),
    () => transport.close(),
  );
  return { server, transport };
}

describe("retry policies as data", () => {
  it("order_paid: 2×5m, 7×15m, 10×60m → 20 attempts, the last at 715 minutes", () => {
    const offsets = attemptOffsetsMs(RETRY_POLICIES.order.delaysMs).map((ms) => ms / MIN);
    expect(offsets).toEqual([0, 5, 10, 25, 40, 55, 70, 85, 100, 115, 175, 235, 295, 355, 415, 475, 535, 595, 655, 715]);
    expect(formatOffset(715 * MIN)).toBe("+11h55m");
  });

  it("payment model: 12 resends with growing gaps inside 12 hours", () => {
    const delays = RETRY_POLICIES.payment.delaysMs;
    expect(delays).toHaveLength(12);
    expect(delays.every((d, i) => i === 0 || d >= (delays[i - 1] as number))).toBe(true);
    expect(delays.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(12 * 60 * MIN);
    expect(RETRY_POLICIES.payment.documented).toBe(false);
    expect(RETRY_POLICIES.payment.basis).toMatch(/MODEL/);
  });

  it.each([
    ["order", 204, "success"],
    ["order", 200, "success"],
    ["order", 400, "final"],
    ["order", 422, "final"],
    ["order", 429, "retry"],
    ["order", 500, "retry"],
    ["order", 302, "retry"],
    ["order", undefined, "retry"],
    ["payment", 503, "retry"],
    ["payment", 400, "final"],
    ["payment", undefined, "retry"],
  ] as const)("%s answers %s → %s", (policy, status, verdict) => {
    expect(classifyAttempt(RETRY_POLICIES[policy], status)).toBe(verdict);
  });
});

describe("deliver against a real handler on a virtual clock", () => {
  const body = Buffer.from('{"notification_type":"order_paid"}');

  it("fails 3 times, then succeeds: delivered at attempt 4 at +25m, same bytes and signature every time", async () => {
    const { server, transport } = await setup((_req, res, index) => void res.writeHead(index < 3 ? 500 : 204).end());
    const clock = createVirtualClock(Date.UTC(2026, 0, 1));
    const { request, signature } = buildWebhookRequest(server.url, body, "s3cr3t");
    const report = await deliver(request, { transport, clock, policy: RETRY_POLICIES.order, timeoutMs: 2_000 });
    expect(report.outcome).toBe("delivered");
    expect(report.attempts.map((a) => a.offsetMs / MIN)).toEqual([0, 5, 10, 25]);
    expect(server.requests).toHaveLength(4);
    for (const recorded of server.requests) {
      expect(recorded.body.equals(body)).toBe(true);
      expect(recorded.headers.authorization).toBe(`Signature ${signature}`);
    }
    expect(signature).toBe(signBody(body, "s3cr3t"));
  });

  it("an always-500 handler gets exactly 20 requests for order_paid over 11h55m", async () => {
    const { server, transport } = await setup((_req, res) => void res.writeHead(500).end());
    const clock = createVirtualClock(0);
    const report = await deliver(buildWebhookRequest(server.url, body, "k").request, {
      transport,
      clock,
      policy: RETRY_POLICIES.order,
      timeoutMs: 2_000,
    });
    expect(report.outcome).toBe("exhausted");
    expect(server.requests).toHaveLength(20);
    expect(report.attempts.at(-1)?.offsetMs).toBe(715 * MIN);
  });

  it("a 400 is final after one attempt; user_validation's policy never resends", async () => {
    const { server, transport } = await setup((_req, res) => void res.writeHead(400).end());
    const report = await deliver(buildWebhookRequest(server.url, body, "k").request, {
      transport,
      clock: createVirtualClock(0),
      policy: RETRY_POLICIES.order,
      timeoutMs: 2_000,
    });
    expect(report.outcome).toBe("final");
    expect(server.requests).toHaveLength(1);

    const none = await deliver(buildWebhookRequest(server.url, body, "k").request, {
      transport,
      clock: createVirtualClock(0),
      policy: { ...RETRY_POLICIES.none },
      timeoutMs: 2_000,
    });
    expect(none.attempts).toHaveLength(1);
  });

  it("resends after a refused connection and after a timeout", async () => {
    const port = await refusedPort();
    const transport = createHttpTransport();
    cleanup.push(() => transport.close());
    const refused = await deliver(buildWebhookRequest(`http://127.0.0.1:${port}/`, body, "k").request, {
      transport,
      clock: createVirtualClock(0),
      policy: RETRY_POLICIES.payment,
      delaysMs: [1000, 1000],
      timeoutMs: 2_000,
    });
    expect(refused.attempts.map((a) => (a.result.kind === "no-reply" ? a.result.error.kind : a.result.status))).toEqual([
      "refused",
      "refused",
      "refused",
    ]);

    const { server } = await setup((_req, res, index) => {
      if (index === 0) return; // never answers: the client times out
      res.writeHead(204).end();
    });
    const slow = await deliver(buildWebhookRequest(server.url, body, "k").request, {
      transport,
      clock: createVirtualClock(0),
      policy: RETRY_POLICIES.order,
      timeoutMs: 200,
    });
    expect(slow.outcome).toBe("delivered");
    expect(slow.attempts[0]?.result.kind === "no-reply" && slow.attempts[0].result.error.kind).toBe("timeout");
    expect(slow.attempts).toHaveLength(2);
  });

  it("stops with the partial timeline when interrupted", async () => {
    const controller = new AbortController();
    const { transport, server } = await setup((_req, res, index) => {
      if (index === 1) controller.abort(new Error("interrupted"));
      res.writeHead(500).end();
    });
    const report = await deliver(buildWebhookRequest(server.url, body, "k").request, {
      transport,
      clock: createVirtualClock(0),
      policy: RETRY_POLICIES.order,
      timeoutMs: 2_000,
      signal: controller.signal,
    });
    expect(report.outcome).toBe("interrupted");
    expect(report.attempts.length).toBeLessThanOrEqual(2);
  });

  it("records the attempt in flight when interrupted: the request was sent, no answer yet", async () => {
    const controller = new AbortController();
    const { transport, server } = await setup(() => {
      controller.abort(new Error("interrupted")); // the handler has the request and never answers
    });
    const report = await deliver(buildWebhookRequest(server.url, body, "k").request, {
      transport,
      clock: createVirtualClock(0),
      policy: RETRY_POLICIES.order,
      timeoutMs: 2_000,
      signal: controller.signal,
    });
    expect(report.outcome).toBe("interrupted");
    expect(report.attempts).toHaveLength(1);
    expect(report.attempts[0]).toMatchObject({
      decision: "interrupted",
      result: { kind: "no-reply", error: { kind: "interrupted", message: "interrupted: the request was sent, no answer yet" } },
    });
  });

  it("a transport that throws on abort still leaves the attempt on the timeline, saying no more than it knows", async () => {
    const controller = new AbortController();
    const throwing: Transport = {
      send: (_request, { signal }) =>
        new Promise((_resolve, reject) => signal?.addEventListener("abort", () => reject(signal.reason as Error), { once: true })),
    };
    const delivery = deliver(buildWebhookRequest("http://127.0.0.1:9/", body, "k").request, {
      transport: throwing,
      clock: createVirtualClock(0),
      policy: RETRY_POLICIES.none,
      timeoutMs: 2_000,
      signal: controller.signal,
    });
    controller.abort(new Error("terminated"));
    const report = await delivery;
    expect(report.outcome).toBe("interrupted");
    expect(report.attempts.map((a) => a.result.kind === "no-reply" && a.result.error.message)).toEqual(["interrupted: no answer yet"]);
  });
});
