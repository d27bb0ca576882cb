#!/usr/bin/env node
// The Event API poller's drain rate: `runPoll --once --ack` (no faults) over N events from the mock Event API,
// against the mock's own raw rate for the same work: a bare loop of GET /events pages and one POST
// /events/{id}/processed per event, over the same HTTP client, in the same process, run alternately.
// No target in the issue: the figure and its ratio are recorded.
import { join } from "node:path";
import { Agent, request } from "undici";
import { DIST, median, printTable, recordResults } from "./lib.mjs";

const events = Number(process.env.BENCH_EVENTS ?? 2000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const JWT = "bench.jwt.token";
const { startMockEventApi } = await import(join(DIST, "events-api/mock-server.js"));
const { createEventApiClient, buildListUrl, buildProcessedUrl, buildHeaders, resolveClientConfig } = await import(
  join(DIST, "events-api/client.js")
);
const { runPoll } = await import(join(DIST, "runners/poll.js"));
const { loadBuiltinFixtures, findFixture, buildPayload } = await import(join(DIST, "index.js"));

const body = buildPayload(findFixture(loadBuiltinFixtures(), "payment"), {
  context: { now: Date.now(), rand: Math.random },
  format: "compact",
}).body;

async function filledMock() {
  const api = await startMockEventApi({ jwt: JWT });
  for (let i = 0; i < events; i++) api.enqueue(body);
  return api;
}

async function poller() {
  const api = await filledMock();
  const client = createEventApiClient({ baseUrl: api.url, auth: { kind: "jwt", jwt: JWT } });
  const started = performance.now();
  let seen = 0;
  await runPoll(
    client,
    {
      intervalMs: 1000,
      maxFailures: 3,
      backoff: { baseMs: 100, maxMs: 1000 },
      ack: true,
      once: true,
      signal: new AbortController().signal,
    },
    { onEvent: () => void seen++, onPollError() {}, onIdle() {}, onAckRetry() {}, onForwardFailed() {} },
  );
  const ms = performance.now() - started;
  const left = api.unprocessed().length;
  await client.close().catch(() => {}); // runPoll may have closed it already
  await api.close();
  if (seen !== events || left !== 0) throw new Error(`poller: ${seen} seen, ${left} left unprocessed`);
  return (events / ms) * 1000;
}

async function raw() {
  const api = await filledMock();
  const config = resolveClientConfig({ baseUrl: api.url, auth: { kind: "jwt", jwt: JWT } });
  const headers = buildHeaders(config.auth);
  const dispatcher = new Agent({ keepAliveTimeout: 4_000, connections: 16 });
  const started = performance.now();
  let afterId;
  let drained = 0;
  for (;;) {
    const page = await request(buildListUrl(config, { afterId }), { headers, dispatcher });
    const list = await page.body.json();
    const items = Array.isArray(list) ? list : (list.events ?? list.items ?? []);
    if (items.length === 0) break;
    for (const event of items) {
      const ack = await request(buildProcessedUrl(config, event.id), { method: "POST", headers, dispatcher });
      await ack.body.dump();
      drained++;
      afterId = event.id;
    }
  }
  const ms = performance.now() - started;
  await dispatcher.close();
  const left = api.unprocessed().length;
  await api.close();
  if (drained !== events || left !== 0) throw new Error(`raw loop: ${drained} drained, ${left} left`);
  return (events / ms) * 1000;
}

await poller(); // warm-up
const polled = [];
const raws = [];
for (let i = 0; i < rounds; i++) {
  raws.push(await raw());
  polled.push(await poller());
}
const p = median(polled);
const r = median(raws);
console.log(`Event API poller: ${events} events, no faults, acks on; median of ${rounds} alternating rounds`);
printTable([
  { client: "raw GET page + POST ack loop", "events/s": Math.round(r), ratio: "1.00x" },
  { client: "runPoll --once --ack", "events/s": Math.round(p), ratio: `${(p / r).toFixed(2)}x` },
]);
recordResults("poller", {
  events,
  rounds,
  rawEventsPerSecond: Math.round(r),
  pollerEventsPerSecond: Math.round(p),
  ratio: Number((p / r).toFixed(2)),
});
