// `events poll` and `events list` through the built CLI: project scoping, lenient pages, resends within the run,
// late events, --once draining, auth failures mid-run, lost acks, output discipline, --jwt-file and a closed
// stdout. The Event API is the mock on 127.0.0.1, in this process; handlers are loopback servers.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { JWT } from "../helpers/events.js";
import { startMockEventApi, type MockEventApiOptions } from "../../src/events-api/mock-server.js";
import { collect, runCli, startCli, waitForOutput } from "../helpers/cli.js";
import { startLoopback } from "../helpers/loopback.js";
import { webhookBody } from "../events-api/helpers.js";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

const SECRET = "forward-secret-123";

async function mock(options: MockEventApiOptions = {}) {
  const api = await startMockEventApi(options);
  cleanup.push(() => api.close());
  return api;
}

async function handler(answer: (n: number) => number = () => 204) {
  let n = 0;
  const server = await startLoopback((_req, res) => void res.writeHead(answer(++n)).end());
  cleanup.push(() => server.close());
  return server;
}

interface EventLine {
  id: number;
  type: string;
  status: number;
  created_at: string | null;
}
const lines = (text: string) =>
  text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as EventLine);

/** Rejects after `ms` instead of hanging until the test's own timeout, saying what did not happen. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_resolve, reject) => setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)),
  ]);
}

const poll = (url: string, ...args: string[]) =>
  runCli(["events", "poll", "--jwt", JWT, "--base-url", url, ...args], { timeoutMs: 20_000 });

describe("events poll: which events it handles", () => {
  it("--project-id: events of other projects are neither printed nor acked, and the summary counts them", async () => {
    const api = await mock();
    const ours = api.enqueue({ ...webhookBody("payment", 1), settings: { project_id: 111, merchant_id: 1 } });
    const theirs = api.enqueue({ ...webhookBody("payment", 2), settings: { project_id: 222, merchant_id: 1 } });
    const combined = api.enqueue({ notification_type: "order_paid", billing: { settings: { project_id: "333" } } });
    const oursAsText = api.enqueue({ notification_type: "order_paid", billing: { settings: { project_id: "111" } } });

    const listed = await runCli(["events", "list", "--jwt", JWT, "--base-url", api.url, "--project-id", "111", "--json"]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(lines(listed.stdout).map((e) => e.id)).toEqual([ours.id, oursAsText.id]);
    expect(listed.stderr).toContain(`note: event ${theirs.id} is for project 222, not 111: not shown\n`);

    const result = await poll(api.url, "--project-id", "111", "--ack", "--once", "--json");
    expect(result.code, result.stderr).toBe(0);
    expect(lines(result.stdout).map((e) => e.id)).toEqual([ours.id, oursAsText.id]);
    expect(result.stderr).toContain(`note: event ${theirs.id} is for project 222, not 111: skipped, left unprocessed\n`);
    expect(result.stderr).toContain(`note: event ${combined.id} is for project 333, not 111: skipped, left unprocessed\n`);
    expect(result.stderr).toMatch(/^received 2 events; marked 2 processed; skipped 2 events of other projects$/m);
    expect(api.unprocessed().map((e) => e.id)).toEqual([theirs.id, combined.id]);
    const acks = api.requests().filter((r) => r.method === "POST");
    expect(acks.map((r) => r.path)).toEqual([`/events/${ours.id}/processed`, `/events/${oursAsText.id}/processed`]);
    // project_id is sent on both calls, as Xsolla's SDK does.
    expect(api.requests().every((r) => r.query["project_id"]?.[0] === "111")).toBe(true);
  });

  it("a malformed event is reported and left unacked without blocking the page or later polls; status and created_at are optional", async () => {
    const api = await mock({ pageSize: 3 });
    const first = api.enqueue(webhookBody("payment", 1));
    const bare = api.enqueueRaw({ id: 2, data: { notification_type: "payment" } });
    const broken = api.enqueueRaw({ id: 3, status: 0, created_at: "2025-01-15", data: "not a webhook body" });
    api.enqueueRaw({ status: 0, created_at: "2025-01-15", data: {} });
    const later = api.enqueue(webhookBody("order_paid", 2));

    const result = await poll(api.url, "--ack", "--once", "--json");
    expect(result.code, result.stderr).toBe(1);
    expect(lines(result.stdout)).toMatchObject([{ id: first.id }, { id: bare, status: 0, created_at: null }, { id: later.id }]);
    const warnings = result.stderr.split("\n").filter((l) => l.startsWith("warning:"));
    // Each once, though both are listed on every sweep.
    expect(warnings).toEqual([
      `warning: event ${broken} is malformed (events[2].data: expected an object); left unprocessed`,
      "warning: an event without a readable id is malformed (events[0].id: missing (expected an integer)); left unprocessed",
    ]);
    expect(result.stderr).toMatch(/^received 3 events; marked 3 processed; left 2 malformed events unprocessed: 3$/m);
    expect(api.unprocessed().map((e) => e.id)).toEqual([broken, broken + 1]);

    const list = await runCli(["events", "list", "--jwt", JWT, "--base-url", api.url, "--json"]);
    expect(list.code).toBe(1);
    expect(list.stdout).toBe("");
    expect(list.stderr).toMatch(/^warning: event 3 is malformed \(events\[0\]\.data: expected an object\); not shown$/m);
  });
});

describe("events poll: no stranded events", () => {
  it("a failed --forward-to is resent within the running poller, then acked", async () => {
    const api = await mock();
    api.enqueue(webhookBody("payment", 1));
    api.enqueue(webhookBody("order_paid", 2));
    // Each event fails twice, then gets through.
    const seen = new Map<string, number>();
    const target = await startLoopback((req, res) => {
      const key = req.body.toString("utf8");
      seen.set(key, (seen.get(key) ?? 0) + 1);
      res.writeHead((seen.get(key) ?? 0) <= 2 ? 500 : 204).end();
    });
    cleanup.push(() => target.close());

    const result = await poll(
      api.url,
      "--ack",
      "--once",
      "--json",
      "--forward-to",
      target.url,
      "--secret",
      SECRET,
      "--forward-schedule",
      "2x50ms",
    );
    expect(result.code, result.stderr).toBe(0);
    expect(target.requests).toHaveLength(6);
    expect(result.stderr).toContain("warning: forwarding event 1 failed (status 500); attempt 2 in 50ms\n");
    expect(result.stderr).toContain("warning: forwarding event 2 failed (status 500); attempt 3 in 50ms\n");
    expect(result.stderr).toMatch(/^received 2 events; marked 2 processed$/m);
    expect(lines(result.stdout).map((e) => e.id)).toEqual([1, 2]);
    expect(api.unprocessed()).toEqual([]);
  });

  it("an event that shows up late, below ids already handled, is still handled", async () => {
    const api = await mock();
    api.enqueue(webhookBody("payment", 1), { id: 1 });
    api.enqueue(webhookBody("payment", 3), { id: 3 });
    const child = startCli(["events", "poll", "--jwt", JWT, "--base-url", api.url, "--ack", "--json", "--interval", "100ms"]);
    cleanup.push(() => void child.kill("SIGKILL"));
    const done = collect(child, { timeoutMs: 20_000 });
    await within(waitForOutput(child, /"id":3/), 10_000, "event 3");
    api.enqueue(webhookBody("refund", 2), { id: 2 });
    await within(waitForOutput(child, /"id":2/), 5_000, "event 2 after it was added below the cursor");
    child.kill("SIGINT");
    const result = await done;
    expect(result.code).toBe(130);
    expect(lines(result.stdout).map((e) => e.id)).toEqual([1, 3, 2]);
    expect(api.unprocessed()).toEqual([]);
  });

  it("--once drains until nothing is left, not until a page of ids already seen", async () => {
    // Overlapping pages: half the answers ignore after_id and repeat the first page.
    const api = await mock({ pageSize: 2, faults: { overlapRate: 0.5, seed: 3 } });
    for (let n = 1; n <= 9; n++) api.enqueue(webhookBody("payment", n));
    const result = await poll(api.url, "--once", "--json");
    expect(result.code, result.stderr).toBe(0);
    expect(lines(result.stdout).map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(api.stats().faults.overlapped).toBeGreaterThan(2);
  });
});

describe("events poll: auth failures and lost answers mid-run", () => {
  it("a 401 on an ack stops forwarding the page, names what was handled but not acked, and exits 2", async () => {
    // GET /events, ack 1, ack 2 pass; the third API request with this JWT (ack 3) gets 401.
    const api = await mock({ faults: { jwtExpireAfter: 3 } });
    for (let n = 1; n <= 4; n++) api.enqueue(webhookBody("payment", n));
    const target = await handler();
    const result = await poll(api.url, "--ack", "--once", "--json", "--forward-to", target.url, "--secret", SECRET);
    expect(result.code).toBe(2);
    expect(target.requests).toHaveLength(3);
    expect(lines(result.stdout).map((e) => e.id)).toEqual([1, 2, 3]);
    expect(result.stderr).toMatch(
      /^received 3 events; marked 2 processed; handled but NOT marked processed: 3 \(they will be listed again\)$/m,
    );
    expect(result.stderr).toMatch(/^error: POST \/events\/3\/processed: the Event API refused the JWT .* \(HTTP 401 unauthorized\)/m);
    expect(result.stderr).not.toContain(JWT);
    expect(api.unprocessed().map((e) => e.id)).toEqual([3, 4]);
  });

  it("an ack applied by the server but whose answer was lost is confirmed by re-listing, not reported as NOT marked processed", async () => {
    const api = await mock({ faults: { ackLostRate: 1 } });
    api.enqueue(webhookBody("payment", 1));
    api.enqueue(webhookBody("payment", 2));
    const result = await poll(api.url, "--ack", "--once", "--json", "--backoff", "10ms");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/warning: marking 1 processed failed \(POST \/events\/1\/processed: .*\); retry in/);
    expect(result.stderr).toMatch(/^received 2 events; marked 2 processed \(2 confirmed by re-listing\)$/m);
    expect(result.stderr).not.toMatch(/NOT marked/);
    expect(api.unprocessed()).toEqual([]);
  });
});

describe("output discipline and credentials", () => {
  it("with --json, an error goes to stderr only: stdout holds events and nothing else", async () => {
    const api = await mock({ faults: { unauthorized: true } });
    for (const command of [
      ["events", "poll", "--once"],
      ["events", "list"],
    ]) {
      const result = await runCli([...command, "--jwt", JWT, "--base-url", api.url, "--json"]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^error: GET \/events: the Event API refused the JWT .*\(HTTP 401 unauthorized\)/m);
    }
  });

  it("--jwt-file reads the JWT (trimmed, size-capped, never printed); bad files are one line and exit 2", async () => {
    const api = await mock({ jwt: JWT });
    api.enqueue(webhookBody("payment", 1));
    const dir = mkdtempSync(join(tmpdir(), "xsolla-hooks-jwt-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "jwt");
    writeFileSync(file, `\uFEFF  ${JWT}\n\n`);

    const ok = await runCli(["events", "list", "--jwt-file", file, "--base-url", api.url, "--json"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(lines(ok.stdout).map((e) => e.id)).toEqual([1]);
    expect(ok.stdout + ok.stderr).not.toContain(JWT);

    const big = join(dir, "big");
    writeFileSync(big, "x".repeat(70 * 1024));
    const empty = join(dir, "empty");
    writeFileSync(empty, " \n");
    const cases: [string[], string][] = [
      [["--jwt-file", join(dir, "missing")], `error: cannot read --jwt-file ${join(dir, "missing")}: no such file`],
      [["--jwt-file", dir], `error: cannot read --jwt-file ${dir}: is a directory`],
      [["--jwt-file", big], `error: --jwt-file ${big} is larger than 64 KiB: that is not a JWT`],
      [["--jwt-file", empty], `error: --jwt-file ${empty} is empty`],
      [["--jwt-file", file, "--jwt", JWT], "error: use --jwt or --jwt-file, not both"],
      [["--jwt-file", file, "--token", "t"], "error: use --jwt-file or --token, not both"],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(["events", "poll", "--once", "--base-url", api.url, ...args]);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toBe(`${message}\n`);
    }
  });
});

describe("events poll: a closed stdout", () => {
  it("ends quietly with its usual exit code and acks nothing it could not print", async () => {
    const api = await mock();
    api.enqueue(webhookBody("payment", 1));
    const child = startCli(["events", "poll", "--jwt", JWT, "--base-url", api.url, "--ack", "--json", "--interval", "100ms"]);
    cleanup.push(() => void child.kill("SIGKILL"));
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    await within(waitForOutput(child, /"id":1/), 10_000, "event 1");
    // The reader leaves (as `| head -1` does); the next event is written into a closed pipe.
    child.stdout?.destroy();
    api.enqueue(webhookBody("payment", 2));
    const code = await within(exit, 10_000, "exit after stdout closed");
    expect(code).toBe(0);
    expect(stderr).toBe("received 1 event; marked 1 processed; stdout closed: stopped before 2 (left unprocessed)\n");
    expect(api.isProcessed(1)).toBe(true);
    expect(api.isProcessed(2)).toBe(false);
  });
});
