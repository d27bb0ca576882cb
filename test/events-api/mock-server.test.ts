// The mock Event API itself: routes, shapes, admin API, and repeatable faults.
import { request } from "undici";
import { describe, expect, it } from "vitest";
import { enqueueRemote, listRemote } from "../../src/events-api/admin-client.js";
import { createEventApiClient } from "../../src/events-api/client.js";
import { EventApiError } from "../../src/events-api/errors.js";
import { mulberry32, startMockEventApi, type MockEventApiOptions } from "../../src/events-api/mock-server.js";
import { parseEventsResponse } from "../../src/events-api/schema.js";
import { refusedPort, startLoopback } from "../helpers/loopback.js";
import { START, disposeLater, webhookBody } from "./helpers.js";

async function mock(options: MockEventApiOptions = {}) {
  return disposeLater(await startMockEventApi({ now: () => START, ...options }));
}

async function raw(url: string, init: { method?: "GET" | "POST"; headers?: Record<string, string>; body?: string } = {}) {
  const response = await request(url, {
    method: init.method ?? "GET",
    headers: { authorization: "Bearer x", ...init.headers },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, json: text ? (JSON.parse(text) as unknown) : undefined };
}

describe("routes and shapes", () => {
  it("answers the documented shape: status 0, ISO created_at, the webhook body as data", async () => {
    const api = await mock({ firstId: 1000 });
    const body = webhookBody("order_paid");
    const event = api.enqueue(body);
    expect(event).toEqual({ id: 1000, status: 0, created_at: "2025-01-15T12:00:00.000Z", data: body });
    const answer = await raw(`${api.url}/events`);
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toMatch(/^application\/json/);
    expect(answer.json).toEqual({ events: [event] });
    expect(parseEventsResponse(answer.json).ok).toBe(true);
  });

  it("accepts types as repeated, bracketed or comma-separated parameters", async () => {
    const api = await mock();
    for (const type of ["payment", "refund", "order_paid", "user_validation"]) api.enqueue({ notification_type: type });
    const types = async (query: string) =>
      ((await raw(`${api.url}/events?${query}`)).json as { events: { data: { notification_type: string } }[] }).events.map(
        (e) => e.data.notification_type,
      );
    expect(await types("types=payment&types=refund")).toEqual(["payment", "refund"]);
    expect(await types("types[]=order_paid&types[]=refund")).toEqual(["refund", "order_paid"]);
    expect(await types("types=payment,user_validation")).toEqual(["payment", "user_validation"]);
  });

  it("refuses bad parameters, methods and routes with the webhook error shape", async () => {
    const api = await mock();
    expect(await raw(`${api.url}/events?after_id=abc`)).toMatchObject({ status: 400, json: { error: { code: "INVALID_PARAMETER" } } });
    expect(await raw(`${api.url}/events`, { method: "POST" })).toMatchObject({
      status: 405,
      json: { error: { code: "METHOD_NOT_ALLOWED" } },
    });
    expect(await raw(`${api.url}/events/1/processed`)).toMatchObject({ status: 405 });
    expect(await raw(`${api.url}/events/abc/processed`, { method: "POST" })).toMatchObject({
      status: 404,
      json: { error: { code: "NOT_FOUND" } },
    });
    expect(await raw(`${api.url}/nope`)).toMatchObject({ status: 404 });
    expect(await raw(`${api.url}/events`, { headers: { authorization: "" } })).toMatchObject({
      status: 401,
      json: { error: { code: "UNAUTHORIZED" } },
    });
    expect(await raw(`${api.url}/events`, { headers: { authorization: "Basic abc" } })).toMatchObject({ status: 401 });
  });

  it("keeps its state private: events() returns copies", async () => {
    const api = await mock();
    api.enqueue({ notification_type: "payment" });
    const copy = api.events()[0];
    if (copy) copy.data.notification_type = "changed";
    expect(api.events()[0]?.data.notification_type).toBe("payment");
    expect(() => api.enqueue([])).toThrow(TypeError);
  });

  it("reports each request, credentials masked", async () => {
    const seen: unknown[] = [];
    const api = await mock({ onRequest: (entry) => seen.push(entry) });
    await raw(`${api.url}/events?token=abcdefghijklmnopqrstuvwxyz`, { headers: { authorization: "" } });
    expect(seen).toEqual([{ method: "GET", path: "/events", query: { token: ["abcdef…wxyz (26 chars)"] }, auth: "token", outcome: 200 }]);
  });

  it("validates its options", async () => {
    await expect(startMockEventApi({ faults: { failRate: 2 } })).rejects.toThrow(RangeError);
    await expect(startMockEventApi({ faults: { rateLimit: 0 } })).rejects.toThrow(RangeError);
    await expect(startMockEventApi({ pageSize: 0 })).rejects.toThrow(RangeError);
  });
});

describe("admin API", () => {
  it("enqueues over HTTP and lists every event with its processed flag", async () => {
    const api = await mock({ faults: { failRate: 1 } });
    const body = webhookBody("refund");
    const event = await enqueueRemote(body, { baseUrl: api.url });
    expect(event).toEqual({ id: 1, status: 0, created_at: "2025-01-15T12:00:00.000Z", data: body });
    expect(api.events()).toEqual([event]);
    await enqueueRemote({ notification_type: "payment" }, { baseUrl: `${api.url}/` });
    api.setFaults({});
    await disposeLater(createEventApiClient({ baseUrl: api.url, auth: { kind: "jwt", jwt: "x" } })).markProcessed(1);
    const records = await listRemote({ baseUrl: api.url });
    expect(records.map((r) => [r.id, r.processed, r.processed_at])).toEqual([
      [1, true, "2025-01-15T12:00:00.000Z"],
      [2, false, null],
    ]);
    expect(api.stats()).toMatchObject({ admin: 3, processed: 1 });
  });

  it("refuses a body that is not a JSON object", async () => {
    const api = await mock();
    expect(await raw(`${api.url}/_admin/events`, { method: "POST", body: "{nope" })).toMatchObject({
      status: 400,
      json: { error: { code: "INVALID_JSON" } },
    });
    expect(await raw(`${api.url}/_admin/events`, { method: "POST", body: "[1]" })).toMatchObject({
      status: 400,
      json: { error: { code: "INVALID_BODY" } },
    });
    await expect(enqueueRemote([], { baseUrl: api.url })).rejects.toThrow(/JSON object/);
  });

  it("says when the server is not our mock, or not there", async () => {
    const server = disposeLater(await startLoopback((_r, res) => void res.writeHead(404).end()));
    const error = await enqueueRemote({ notification_type: "payment" }, { baseUrl: `http://127.0.0.1:${server.port}` }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ kind: "not-found", hint: expect.stringMatching(/events serve/) });
    const port = await refusedPort();
    const down = await listRemote({ baseUrl: `http://127.0.0.1:${port}` }).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(EventApiError);
    expect(down).toMatchObject({ kind: "network", transportKind: "refused" });
  });
});

describe("faults", () => {
  async function outcomes(seed: number): Promise<(number | string)[]> {
    const api = await mock({ faults: { failRate: 0.3, dropRate: 0.2, ackFailRate: 0.3, seed } });
    for (let i = 0; i < 10; i++) api.enqueue({ notification_type: "payment" });
    const client = disposeLater(createEventApiClient({ baseUrl: api.url, auth: { kind: "jwt", jwt: "x" }, timeoutMs: 2_000 }));
    for (let i = 1; i <= 10; i++) {
      await client.listEvents().catch(() => undefined);
      await client.markProcessed(i).catch(() => undefined);
    }
    return api.requests().map((r) => r.outcome);
  }

  it("repeat exactly for the same seed, and differ for another", async () => {
    const a = await outcomes(42);
    expect(await outcomes(42)).toEqual(a);
    expect(await outcomes(43)).not.toEqual(a);
    expect(a).toContain("dropped");
    expect(a).toContain(500);
  });

  it("mulberry32 is uniform-ish in [0, 1)", () => {
    const rand = mulberry32(1);
    const values = Array.from({ length: 10_000 }, rand);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });

  it("a failed or dropped ack leaves the event unprocessed", async () => {
    const api = await mock({ faults: { ackFailRate: 1 } });
    api.enqueue({ notification_type: "payment" });
    const client = disposeLater(createEventApiClient({ baseUrl: api.url, auth: { kind: "jwt", jwt: "x" } }));
    await expect(client.markProcessed(1)).rejects.toMatchObject({ kind: "server" });
    api.setFaults({ dropRate: 1 });
    await expect(client.markProcessed(1)).rejects.toMatchObject({ kind: "network" });
    expect(api.isProcessed(1)).toBe(false);
    // Listing is unaffected by ackFailRate.
    api.setFaults({ ackFailRate: 1 });
    expect(await client.listEvents()).toHaveLength(1);
  });
});
