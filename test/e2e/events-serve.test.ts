// `events serve` through the built CLI: the mock's fault switches, checked with raw HTTP requests.
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { JWT, jwtWith, serve } from "../helpers/events.js";
import { runCli } from "../helpers/cli.js";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

describe("events serve: fault switches", () => {
  async function raw(url: string, init: { method?: "GET" | "POST"; jwt?: string } = {}) {
    const started = performance.now();
    const response = await request(url, { method: init.method ?? "GET", headers: { authorization: `Bearer ${init.jwt ?? JWT}` } });
    const text = await response.body.text();
    return { status: response.statusCode, json: text ? (JSON.parse(text) as unknown) : undefined, ms: performance.now() - started };
  }
  const ids = (json: unknown) => (json as { events: { id: number }[] }).events.map((e) => e.id);

  it("overlapping and duplicate pages, JWT expiry after N requests, and Xsolla Login error bodies", async () => {
    const { url } = await serve(
      cleanup,
      "--overlap-rate",
      "1",
      "--duplicate-rate",
      "1",
      "--page-size",
      "2",
      "--jwt-expire-after",
      "2",
      "--error-body",
      "login",
    );
    expect((await runCli(["events", "enqueue", "payment", "--count", "3", "--base-url", url])).code).toBe(0);
    // after_id ignored (overlap), and each event of the page listed twice (duplicate).
    expect(ids((await raw(`${url}/events?after_id=2`)).json)).toEqual([1, 2, 1, 2]);
    expect((await raw(`${url}/events/1/processed`, { method: "POST" })).status).toBe(204);
    const expired = await raw(`${url}/events`);
    expect(expired.status).toBe(401);
    // The shape Xsolla's Unity SDK parses as an error: {"error":{"code","description"}}.
    expect(expired.json).toEqual({ error: { code: "401", description: "the JWT has expired (injected, after 2 requests)" } });
    // A refreshed JWT starts its own count.
    expect((await raw(`${url}/events`, { jwt: jwtWith({ sub: "player_1", n: 2 }) })).status).toBe(200);
  });

  it("slow answers, and acks that are applied but whose answer is lost", async () => {
    const { url } = await serve(cleanup, "--slow-rate", "1", "--slow-ms", "300ms", "--ack-lost-rate", "1");
    expect((await runCli(["events", "enqueue", "payment", "--base-url", url])).code).toBe(0);
    const slow = await raw(`${url}/events`);
    expect(slow.status).toBe(200);
    expect(slow.ms).toBeGreaterThanOrEqual(290);
    await expect(raw(`${url}/events/1/processed`, { method: "POST" })).rejects.toThrow();
    const admin = await request(`${url}/_admin/events`);
    expect(((await admin.body.json()) as { events: { processed: boolean }[] }).events.map((e) => e.processed)).toEqual([true]);
  });
});
