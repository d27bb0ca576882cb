// `send --repeat` (burst mode) through the built CLI against real loopback handlers.
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { collect, runCli, startCli } from "../helpers/cli.js";
import { startHandler, type HandlerFlaws, type TestHandler } from "../helpers/handlers.js";
import { startLoopback, type LoopbackServer, type Script } from "../helpers/loopback.js";

const SECRET = "burst-secret-value";
const servers: LoopbackServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()?.close();
});
async function loopback(script?: Script): Promise<LoopbackServer> {
  const server = await startLoopback(script);
  servers.push(server);
  return server;
}
async function handler(flaws: HandlerFlaws = {}): Promise<TestHandler> {
  const server = await startHandler(SECRET, flaws);
  servers.push(server);
  return server;
}

interface BurstJson {
  ok: boolean;
  ids: "same" | "unique";
  sent: number;
  answered: number;
  failed: number;
  mismatched: number;
  requestsPerSecond: number;
  latencyMs: { min: number; p50: number; p95: number; p99: number; max: number };
  statuses: Record<string, number>;
  mismatches: {
    request: number;
    transactionId: string | null;
    status: number | null;
    contentType: string | null;
    body: string | null;
    problems: string[];
  }[];
  sideEffects: { observed: boolean; ok?: boolean; judged?: boolean; message: string };
}
async function burst(url: string, ...args: string[]) {
  const result = await runCli(["send", ...args, "--url", url, "--secret", SECRET, "--json"], { timeoutMs: 30_000 });
  return { ...result, json: JSON.parse(result.stdout) as BurstJson };
}
const sha1 = (body: Buffer) => createHash("sha1").update(body).update(SECRET).digest("hex");
const transactionIds = (server: LoopbackServer) =>
  server.requests.map((r) => String((JSON.parse(r.body.toString()) as { transaction: { id: unknown } }).transaction.id));

describe("send --repeat: burst mode", () => {
  it("--same-ids: N identical signed requests; the report counts them, with a latency histogram and a status histogram", async () => {
    const server = await loopback();
    const { code, json } = await burst(server.url, "payment", "--repeat", "300", "--concurrency", "16", "--same-ids");
    expect(code).toBe(0);
    expect(server.requests).toHaveLength(300);
    expect(new Set(server.requests.map((r) => r.body.toString("hex"))).size).toBe(1);
    expect(new Set(transactionIds(server)).size).toBe(1);
    const first = server.requests[0]!;
    expect(first.headers.authorization).toBe(`Signature ${sha1(first.body)}`);
    expect(json).toMatchObject({ ok: true, ids: "same", sent: 300, answered: 300, failed: 0, mismatched: 0, statuses: { "204": 300 } });
    const { min, p50, p95, p99, max } = json.latencyMs;
    expect(min).toBeGreaterThan(0);
    expect([min <= p50, p50 <= p95, p95 <= p99, p99 <= max]).toEqual([true, true, true, true]);
    expect(json.sideEffects).toMatchObject({ observed: false, message: expect.stringMatching(/side effects were not observed/) });
  });

  it("--unique-ids: N transactions, each signed over its own bytes (the default for a type)", async () => {
    const server = await loopback();
    const { code, json } = await burst(server.url, "payment", "--repeat", "200", "--concurrency", "8");
    expect(code).toBe(0);
    expect(json).toMatchObject({ ids: "unique", sent: 200, mismatched: 0 });
    expect(new Set(transactionIds(server)).size).toBe(200);
    for (const request of server.requests) expect(request.headers.authorization).toBe(`Signature ${sha1(request.body)}`);
  });

  it("the reference-style handler rejecting every 10th request: exit 1, the count, the first five with evidence", async () => {
    const server = await loopback((_req, res, index) => {
      if (index % 10 === 9)
        res.writeHead(400, { "content-type": "application/json" }).end('{"error":{"code":"INVALID_SIGNATURE","message":"bad"}}');
      else res.writeHead(204).end();
    });
    const { code, json } = await burst(server.url, "payment", "--repeat", "100", "--concurrency", "4");
    expect(code).toBe(1);
    expect(json.ok).toBe(false);
    expect(json.mismatched).toBe(10);
    expect(json.statuses).toEqual({ "204": 90, "400 INVALID_SIGNATURE": 10 });
    expect(json.mismatches).toHaveLength(5);
    expect(json.mismatches[0]).toMatchObject({
      status: 400,
      contentType: "application/json",
      body: expect.stringContaining("INVALID_SIGNATURE"),
      transactionId: expect.stringMatching(/^\d+$/),
    });
    const text = await runCli(["send", "payment", "--repeat", "100", "--concurrency", "4", "--url", server.url, "--secret", SECRET]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/✗ 10 of 100 answers differ from the expectation \(200\/201\/204\); the first 5:/);
    expect(text.stdout.match(/^ {2}#\d+ \(transaction \d+\): status 400 application\/json/gm)).toHaveLength(5);
  });

  it("--state-probe with --same-ids: an idempotent handler passes, one that races on duplicates fails", async () => {
    const probe = (server: TestHandler) => `cat "${server.stateDir}/$XSOLLA_HOOKS_USER_ID" 2>/dev/null || echo 0`;
    const good = await handler();
    const pass = await burst(good.url, "payment", "--repeat", "20", "--concurrency", "10", "--same-ids", "--state-probe", probe(good));
    expect(pass.code, pass.stdout).toBe(0);
    expect(pass.json.sideEffects).toMatchObject({ observed: true, ok: true, judged: true });
    expect(pass.json.sideEffects.message).toMatch(/20 identical deliveries changed the state by 1, as one delivery does/);

    const racy = await handler({ raceOnDuplicates: true });
    const fail = await burst(racy.url, "payment", "--repeat", "20", "--concurrency", "10", "--same-ids", "--state-probe", probe(racy));
    expect(fail.code).toBe(1);
    expect(fail.json).toMatchObject({ ok: false, mismatched: 0, sideEffects: { observed: true, ok: false, judged: true } });
    expect(fail.json.sideEffects.message).toMatch(/where one delivery changes it by 1 .*more than once/);
  });

  it("Ctrl-C prints the partial report and exits 130", async () => {
    const server = await loopback((_req, res) => void setTimeout(() => res.writeHead(204).end(), 20));
    const child = startCli(["send", "payment", "--duration", "30s", "--concurrency", "4", "--url", server.url, "--secret", SECRET]);
    const done = collect(child, { timeoutMs: 20_000 });
    while (server.requests.length < 20) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill("SIGINT");
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stdout).toMatch(/answered in .* req\/s/);
    expect(result.stdout).toMatch(/interrupted: a partial report/);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/interrupted after \d+ answered requests/);
  });

  it("nothing listening: exit 3, one line", async () => {
    const server = await loopback();
    await server.close();
    servers.pop();
    const result = await runCli(["send", "payment", "--repeat", "5", "--url", server.url, "--secret", SECRET]);
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^error: could not reach .*connection refused/)]);
  });

  it("bad flag combinations: exit 2, one line (the rest of the table is in test/cli/argv.test.ts)", async () => {
    const result = await runCli([
      "send",
      "payment",
      "--repeat",
      "5",
      "--unique-ids",
      "--same-ids",
      "--url",
      "http://127.0.0.1:9/x",
      "--secret",
      SECRET,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([expect.stringMatching(/--unique-ids and --same-ids exclude each other/)]);
  });

  it("--unique-ids for a body file: exit 2, says why", async () => {
    const result = await runCli([
      "send",
      "fixtures/payment.json",
      "--repeat",
      "3",
      "--unique-ids",
      "--url",
      "http://127.0.0.1:9/x",
      "--secret",
      SECRET,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--unique-ids needs a webhook type/);
  });
});

describe("export artillery: files", () => {
  it("writes the scenario and processor; refuses to overwrite either without --force (exit 2, nothing changed)", async () => {
    const { mkdtempSync, readFileSync, rmSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "xsolla-hooks-export-"));
    try {
      const args = ["export", "artillery", "payment", "--url", "http://127.0.0.1:3000/webhook"];
      const first = await runCli(args, { cwd: dir });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toContain(join(dir, "xsolla-hooks-payment.artillery.yml"));
      writeFileSync(join(dir, "xsolla-hooks-payment.processor.cjs"), "mine");
      const again = await runCli(args, { cwd: dir });
      expect(again.code).toBe(2);
      expect(again.stderr.trim().split("\n")).toEqual([expect.stringMatching(/already exist: not overwritten.*--force/)]);
      expect(readFileSync(join(dir, "xsolla-hooks-payment.processor.cjs"), "utf8")).toBe("mine");
      const forced = await runCli([...args, "--force"], { cwd: dir });
      expect(forced.code).toBe(0);
      expect(readFileSync(join(dir, "xsolla-hooks-payment.processor.cjs"), "utf8")).toContain("signXsollaWebhook");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Memory stays flat however large N is: peak RSS of a large burst against a small one. Slow; behind a flag.
describe.runIf(process.env.XSOLLA_HOOKS_SOAK === "1")("send --repeat: flat memory on a large N", () => {
  it("200 000 requests peak within 30 MB of 10 000, and under 150 MB", { timeout: 300_000 }, async () => {
    const { spawn } = await import("node:child_process");
    const { readFileSync } = await import("node:fs");
    const { BIN, cliEnv } = await import("../helpers/cli.js");
    const { createServer } = await import("node:http");
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const peak = (n: number) =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          [BIN, "send", "payment", "--repeat", String(n), "--concurrency", "64", "--url", url, "--secret", SECRET],
          {
            env: cliEnv(),
            stdio: "ignore",
          },
        );
        let mb = 0;
        const timer = setInterval(() => {
          try {
            mb = Math.max(mb, Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0) / 1024);
          } catch {
            // exited
          }
        }, 20);
        child.on("close", (code) => {
          clearInterval(timer);
          if (code === 0) resolve(mb);
          else reject(new Error(`exit ${code}`));
        });
      });
    try {
      const small = await peak(10_000);
      const large = await peak(200_000);
      expect(large).toBeLessThan(150);
      expect(large - small).toBeLessThan(30);
    } finally {
      server.close();
    }
  });
});
