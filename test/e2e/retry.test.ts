// `send --retry` through the built CLI against real loopback handlers; only time is virtual.
import { afterEach, describe, expect, it } from "vitest";
import { collect, runCli, startCli, waitForOutput } from "../helpers/cli.js";
import { refusedPort, startLoopback, type LoopbackServer, type Script } from "../helpers/loopback.js";

const SECRET = "retry-secret-value";
const servers: LoopbackServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()?.close();
});
async function handler(script: Script): Promise<LoopbackServer> {
  const server = await startLoopback(script);
  servers.push(server);
  return server;
}

interface RetryJson {
  ok: boolean;
  outcome: string;
  summary: string;
  policy: { name: string; documented: boolean; delaysSeconds: number[] };
  attempts: { attempt: number; status: number | null; offsetSeconds: number; errorKind: string | null }[];
}
async function retry(url: string, ...args: string[]): Promise<{ code: number | null; json: RetryJson; stderr: string }> {
  const result = await runCli(["send", ...args, "--url", url, "--secret", SECRET, "--retry", "--json"]);
  return { code: result.code, json: JSON.parse(result.stdout) as RetryJson, stderr: result.stderr };
}
const statusAfter =
  (failures: number, failStatus = 500): Script =>
  (_req, res, index) =>
    void res.writeHead(index < failures ? failStatus : 204).end();

describe("send --retry", () => {
  it("a handler failing 3 times is delivered at attempt 4 at +25m, with the same bytes and signature each time", async () => {
    const server = await handler(statusAfter(3));
    const { code, json } = await retry(server.url, "order_paid");
    expect(code).toBe(0);
    expect(json).toMatchObject({
      ok: true,
      outcome: "delivered",
      summary: "delivered at attempt 4 at +25m",
      policy: { name: "order", documented: true },
    });
    expect(json.attempts.map((a) => [a.status, a.offsetSeconds])).toEqual([
      [500, 0],
      [500, 300],
      [500, 600],
      [204, 1500],
    ]);
    expect(new Set(server.requests.map((r) => r.body.toString())).size).toBe(1);
    expect(new Set(server.requests.map((r) => r.headers.authorization)).size).toBe(1);
  });

  it("--expect-attempts checks the attempt that succeeded", async () => {
    expect((await retry((await handler(statusAfter(1))).url, "order_paid", "--expect-attempts", "2")).code).toBe(0);
    expect((await retry((await handler(statusAfter(1))).url, "order_paid", "--expect-attempts", "1")).code).toBe(1);
  });

  it("an always-500 handler gets exactly 20 requests for order_paid over 11h55m, then exit 1", async () => {
    const server = await handler((_req, res) => void res.writeHead(500).end());
    const started = Date.now();
    const { code, json } = await retry(server.url, "order_paid");
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(code).toBe(1);
    expect(server.requests).toHaveLength(20);
    expect(json.outcome).toBe("exhausted");
    expect(json.attempts.map((a) => a.offsetSeconds / 60)).toEqual([
      0, 5, 10, 25, 40, 55, 70, 85, 100, 115, 175, 235, 295, 355, 415, 475, 535, 595, 655, 715,
    ]);
    expect(json.summary).toMatch(/gave up after 20 attempts over 11h55m; with auto-refund on/);
  });

  it("a 400 is final after one request; --expect-final accepts it", async () => {
    const server = await handler((_req, res) => void res.writeHead(400).end());
    const plain = await retry(server.url, "order_canceled");
    expect(plain.code).toBe(1);
    expect(plain.json.outcome).toBe("final");
    expect(server.requests).toHaveLength(1);
    expect((await retry(server.url, "order_paid", "--expect-final", "4xx")).code).toBe(0);
    expect((await retry(server.url, "order_paid", "--expect-final", "409")).code).toBe(1);
  });

  it("user_validation is sent once and never resent, and says why", async () => {
    const server = await handler((_req, res) => void res.writeHead(500).end());
    const result = await runCli(["send", "user_validation", "--url", server.url, "--secret", SECRET, "--retry"]);
    expect(result.code).toBe(1);
    expect(server.requests).toHaveLength(1);
    expect(result.stdout).toMatch(/Xsolla never resends user_validation/);
  });

  it("resends after a reset and after a timeout", async () => {
    const server = await handler((_req, res, index) => {
      if (index === 0) return void res.socket?.destroy();
      if (index === 1) return; // no answer: the sender times out
      res.writeHead(204).end();
    });
    const { code, json } = await retry(server.url, "order_paid", "--timeout", "300");
    expect(code).toBe(0);
    expect(json.attempts.map((a) => a.errorKind ?? a.status)).toEqual(["reset", "timeout", 204]);
  });

  it("payment uses the labelled model; --schedule, --max-attempts and --policy replace it", async () => {
    const server = await handler((_req, res) => void res.writeHead(503).end());
    const model = await retry(server.url, "payment");
    expect(model.json.policy).toMatchObject({ name: "payment", documented: false });
    expect(model.json.attempts).toHaveLength(13);
    const human = await runCli(["send", "payment", "--url", server.url, "--secret", SECRET, "--retry", "--max-attempts", "2"]);
    expect(human.stdout).toMatch(/MODEL/);

    const custom = await retry(server.url, "payment", "--schedule", "1m,2x30s");
    expect(custom.json.attempts.map((a) => a.offsetSeconds)).toEqual([0, 60, 90, 120]);
    expect((await retry(server.url, "payment", "--max-attempts", "3")).json.attempts).toHaveLength(3);
    expect((await retry(server.url, "order_paid", "--policy", "none")).json.attempts).toHaveLength(1);
    expect((await retry(server.url, "dispute", "--policy", "user_validation")).json.attempts).toHaveLength(1);
  });

  it("exit 3 when no attempt ever got an answer", async () => {
    const port = await refusedPort();
    const result = await runCli([
      "send",
      "payment",
      "--url",
      `http://127.0.0.1:${port}/`,
      "--secret",
      SECRET,
      "--retry",
      "--schedule",
      "1m,1m",
    ]);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/# 3 \+2m/);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("Ctrl-C during --speed prints the partial timeline and exits 130", async () => {
    const server = await handler((_req, res) => void res.writeHead(500).end());
    const child = startCli(["send", "order_paid", "--url", server.url, "--secret", SECRET, "--retry", "--speed", "2"]);
    const done = collect(child);
    await waitForOutput(child, /# 1 \+0s .*resend in 5m/);
    child.kill("SIGINT");
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stdout).toMatch(/interrupted after 1 attempt/);
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    [["--schedule", "5m"], /go with --retry/],
    [["--retry", "--expect", "204"], /--expect does not go with --retry/],
    [["--retry", "--schedule", "5 minutes"], /invalid --schedule/],
    [["--retry", "--speed", "0"], /invalid --speed/],
    [["--retry", "--policy", "sometimes"], /unknown retry policy/],
    [["--retry", "--expect-final", "maybe"], /invalid --expect/],
  ])("usage error: %j", async (args, message) => {
    const result = await runCli(["send", "order_paid", "--url", "http://127.0.0.1:9/", "--secret", SECRET, ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
