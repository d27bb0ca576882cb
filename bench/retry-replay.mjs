#!/usr/bin/env node
// Replays the full order_paid schedule (20 attempts, 715 simulated minutes) against an always-failing
// loopback handler on the virtual clock. Target: all 20 real requests in under 0.5 s.
// Baseline in the same run: 20 plain sequential requests to the same handler with no engine.
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { recordResults } from "./lib.mjs";

const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const {
  deliver,
  createVirtualClock,
  createHttpTransport,
  RETRY_POLICIES,
  buildWebhookRequest,
  loadBuiltinFixtures,
  findFixture,
  buildPayload,
} = await import(dist);

let requests = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    requests++;
    res.writeHead(500, { "content-type": "application/json" }).end('{"error":{"code":"SERVER_ERROR","message":"always failing"}}');
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${server.address().port}/webhook`;
const { bytes } = buildPayload(findFixture(loadBuiltinFixtures(), "order_paid"), { context: { now: Date.now(), rand: Math.random } });
const { request } = buildWebhookRequest(url, bytes, "bench-secret");
const transport = createHttpTransport();

async function replay() {
  const clock = createVirtualClock(Date.now());
  const started = performance.now();
  const report = await deliver(request, { transport, clock, policy: RETRY_POLICIES.order, timeoutMs: 5_000 });
  return { ms: performance.now() - started, report };
}
async function plainRequests(count) {
  const started = performance.now();
  for (let i = 0; i < count; i++) await transport.send(request, { timeoutMs: 5_000 });
  return performance.now() - started;
}

await replay(); // warm up sockets and JIT
const runs = Number(process.env.BENCH_RUNS ?? 10);
const replays = [];
const baselines = [];
for (let i = 0; i < runs; i++) {
  baselines.push(await plainRequests(20));
  requests = 0;
  const { ms, report } = await replay();
  if (requests !== 20 || report.attempts.length !== 20) throw new Error(`expected 20 requests, got ${requests}`);
  replays.push({ ms, simulatedMinutes: report.attempts.at(-1).offsetMs / 60_000 });
}
await transport.close();
server.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const replayMs = median(replays.map((r) => r.ms));
const baselineMs = median(baselines);
const ok = replayMs < 500;
console.log(`order_paid replay: 20 requests, ${replays[0].simulatedMinutes} simulated minutes (11h55m)`);
console.log(`  wall time        ${replayMs.toFixed(1)} ms (median of ${runs}; target < 500 ms) ${ok ? "ok" : "OVER TARGET"}`);
console.log(`  baseline         ${baselineMs.toFixed(1)} ms for 20 plain requests, same handler, same run`);
console.log(`  ratio            ${(replayMs / baselineMs).toFixed(2)}x the bare HTTP cost`);
recordResults("retry", { wallMs: Number(replayMs.toFixed(1)), baselineMs: Number(baselineMs.toFixed(1)), targetMs: 500, ok });
process.exitCode = ok ? 0 : 1;
