// The `events` commands through the built CLI, against `events serve` (also spawned) on loopback.
import { afterEach, describe, expect, it } from "vitest";
import { JWT, jwtWith, serve } from "../helpers/events.js";
import { collect, runCli, startCli, waitForOutput } from "../helpers/cli.js";
import { startHandler } from "../helpers/handlers.js";
import { refusedPort } from "../helpers/loopback.js";
import { listRemote } from "../../src/events-api/admin-client.js";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

interface EventLine {
  id: number;
  type: string;
  status: number;
  created_at: string;
  data: { notification_type: string; user?: { id?: string } };
}
const lines = (text: string) =>
  text
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as EventLine);

describe("events", () => {
  it("enqueue, list (table and JSON), poll --ack --once, then nothing is left", async () => {
    const { url } = await serve(cleanup);
    expect((await runCli(["events", "enqueue", "order_paid", "--base-url", url, "--count", "2"])).stdout).toMatch(
      /enqueued event 1 \(order_paid\)\nenqueued event 2/,
    );
    expect((await runCli(["events", "enqueue", "payment", "--set", "user.id=player_9", "--base-url", url])).code).toBe(0);

    const table = await runCli(["events", "list", "--jwt", JWT, "--base-url", url]);
    expect(table.stdout).toMatch(/^ID\s+TYPE\s+CREATED_AT\s+USER\s+SKU\s+QTY\s+AMOUNT\n1\s+order_paid/);
    const filtered = await runCli(["events", "list", "--jwt", JWT, "--base-url", url, "--types", "payment", "--json"]);
    expect(lines(filtered.stdout).map((e) => [e.id, e.type, e.data.user?.id])).toEqual([[3, "payment", "player_9"]]);
    const after = await runCli(["events", "list", "--token", "payment-token-1", "--base-url", url, "--after-id", "1", "--json"]);
    expect(lines(after.stdout).map((e) => e.id)).toEqual([2, 3]);

    const poll = await runCli(["events", "poll", "--jwt", JWT, "--base-url", url, "--ack", "--once", "--json"]);
    expect(poll.code).toBe(0);
    expect(lines(poll.stdout).map((e) => e.id)).toEqual([1, 2, 3]);
    expect(poll.stderr).toMatch(/received 3 events; marked 3 processed/);
    expect((await runCli(["events", "list", "--jwt", JWT, "--base-url", url])).stdout).toBe("no unprocessed events\n");
    const ack = await runCli(["events", "ack", "1", "77", "--jwt", JWT, "--base-url", url]);
    expect(ack.code).toBe(2);
    expect(ack.stdout).toBe("marked 1 processed\n");
    expect(ack.stderr).toMatch(/no such event/);
    // Eight CLI processes in a row: allow for a busy machine.
  }, 40_000);

  it("under injected faults every event is printed exactly once and none is left unprocessed", async () => {
    const { url } = await serve(
      cleanup,
      "--fail-rate",
      "0.2",
      "--ack-fail-rate",
      "0.2",
      "--drop-rate",
      "0.05",
      "--seed",
      "11",
      "--page-size",
      "7",
    );
    expect((await runCli(["events", "enqueue", "order_paid", "--base-url", url, "--count", "40"], { timeoutMs: 30_000 })).code).toBe(0);
    const poll = await runCli(
      ["events", "poll", "--jwt", JWT, "--base-url", url, "--ack", "--once", "--json", "--backoff", "20ms", "--max-failures", "50"],
      { timeoutMs: 30_000 },
    );
    expect(poll.code, poll.stderr).toBe(0);
    const ids = lines(poll.stdout).map((e) => e.id);
    expect(ids).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(poll.stderr).toMatch(/warning: /);
    expect(poll.stderr).toMatch(/received 40 events; marked 40 processed/);
    // Checked on the admin route, which is never faulted (a listing through the faulty API could fail by chance).
    expect((await listRemote({ baseUrl: url })).filter((e) => !e.processed)).toEqual([]);
  }, 40_000);

  it("--forward-to signs each event's data as a webhook and acks only after a 2xx", async () => {
    const secret = "forward-secret-123";
    const handler = await startHandler(secret);
    cleanup.push(() => handler.close());
    const { url } = await serve(cleanup);
    await runCli(["events", "enqueue", "order_paid", "--base-url", url]);
    await runCli(["events", "enqueue", "user_validation", "--set", "user.id=test_xsolla_ghost", "--base-url", url]);
    const poll = await runCli([
      "events",
      "poll",
      "--jwt",
      JWT,
      "--base-url",
      url,
      "--ack",
      "--once",
      "--forward-to",
      handler.url,
      "--secret",
      secret,
    ]);
    expect(poll.code).toBe(1);
    expect(handler.requests).toHaveLength(2);
    expect(poll.stderr).toMatch(/forwarding event 2 failed \(status 400\); not marked processed/);
    expect(poll.stderr).toMatch(/received 2 events; marked 1 processed; not forwarded: 2/);
    const left = await runCli(["events", "list", "--jwt", JWT, "--base-url", url, "--json"]);
    expect(lines(left.stdout).map((e) => e.id)).toEqual([2]);
  });

  it("auth: a pinned JWT refuses another; an expired JWT is warned about and exits 2; credentials never print whole", async () => {
    const { url } = await serve(cleanup, "--jwt", JWT);
    const other = jwtWith({ sub: "someone", exp: Math.floor(Date.now() / 1000) + 3600 });
    const refused = await runCli(["events", "list", "--jwt", other, "--base-url", url]);
    expect(refused.code).toBe(2);
    const expired = jwtWith({ sub: "player_1", exp: Math.floor(Date.now() / 1000) - 7200 });
    const late = await runCli(["events", "poll", "--jwt", expired, "--base-url", url]);
    expect(late.code).toBe(2);
    expect(late.stderr).toMatch(/^warning: the JWT expired 2 h/);
    expect(late.stderr).toMatch(/error: .*expired/);
    for (const output of [refused.stdout + refused.stderr, late.stdout + late.stderr]) {
      expect(output).not.toContain(other);
      expect(output).not.toContain(expired);
    }
    const none = await runCli(["events", "list", "--base-url", url]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/missing Event API credentials/);
  });

  it("gives up with exit 3 after --max-failures when the API is down", async () => {
    const port = await refusedPort();
    const result = await runCli([
      "events",
      "poll",
      "--jwt",
      JWT,
      "--base-url",
      `http://127.0.0.1:${port}`,
      "--max-failures",
      "3",
      "--backoff",
      "10ms",
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/gave up after 3 failed requests in a row/);
  });

  it("Ctrl-C while polling prints the summary and exits 130", async () => {
    const { url } = await serve(cleanup);
    await runCli(["events", "enqueue", "payment", "--base-url", url]);
    const child = startCli(["events", "poll", "--jwt", JWT, "--base-url", url, "--ack", "--json"]);
    const done = collect(child);
    await waitForOutput(child, /"id":1/);
    child.kill("SIGINT");
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/received 1 event; marked 1 processed/);
  });
});
