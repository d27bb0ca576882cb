#!/usr/bin/env node
// The Event API chaos run of test/events-api/chaos.test.ts at 10× the size: 2000 events (BENCH_EVENTS), printing
// only and forwarding to a handler that fails at random, against a mock with every fault on. Prints a table; exit 1
// if any event was lost, acked before it was handled, a duplicate handling went unreported, another project's
// event was touched, or the poller did not finish in one run.
import { fileURLToPath } from "node:url";
import { printTable } from "./lib.mjs";

const { runEventsChaos } = await import(fileURLToPath(new URL("../dist/runners/events-chaos.js", import.meta.url)));

const events = Number(process.env.BENCH_EVENTS ?? 2000);
const seed = Number(process.env.BENCH_SEED ?? 20250115);
const rows = [];
for (const forward of [false, true]) {
  const r = await runEventsChaos({ events, seed, forward });
  const f = r.api.faults;
  rows.push({
    mode: r.mode,
    events: r.events,
    handled: r.handled,
    acked: r.acked,
    lost: r.lost.length,
    "acked early": r.ackedBeforeHandled.length,
    "dup handled": r.duplicateHandlings.length,
    unreported: r.unreported.length,
    "other proj": `${r.summary.skipped.length} skipped, ${r.otherProjectsTouched.length} touched`,
    "API reqs": r.api.requests,
    "429/500/reset/slow": `${f.rateLimited}/${f.failed + f.ackFailed}/${f.dropped}/${f.slow}`,
    "dup/overlap/lost ack": `${f.duplicated}/${f.overlapped}/${f.ackLost}`,
    "handler 500/reset/late":
      r.mode === "forward" ? `${r.handler.failed}/${r.handler.resetBefore + r.handler.resetAfter}/${r.handler.slow}` : "-",
    "virtual time": `${(r.virtualMs / 60_000).toFixed(1)} min`,
    "real time": `${(r.realMs / 1000).toFixed(1)} s`,
    ok: r.ok ? "yes" : "NO",
  });
}

console.log(`Event API chaos: ${events} events, seed ${seed}`);
printTable(rows);
process.exitCode = rows.every((row) => row.ok === "yes") ? 0 : 1;
