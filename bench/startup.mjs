#!/usr/bin/env node
// Start-up cost of the CLI against bare `node -e 0`, medians of 20 runs, measured in the same run with the baseline
// and each case interleaved so machine noise hits both alike.
// Budgets over the baseline: --version +40 ms, sign +60 ms, show +60 ms, one send to a loopback receiver +160 ms.
import { spawnSync } from "node:child_process";
import { BARE_SERVER, BIN, median, printTable, recordResults, startServer } from "./lib.mjs";

const runs = Number(process.env.BENCH_RUNS ?? 20);

function once(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return ms;
}

// The receiver runs in its own process: spawnSync blocks this one.
const receiver = await startServer(["-e", BARE_SERVER]);
const cases = [
  { name: "--version", args: [BIN, "--version"], budgetMs: 40 },
  { name: "sign payment", args: [BIN, "sign", "payment", "--secret", "s"], budgetMs: 60 },
  { name: "show order_paid", args: [BIN, "show", "order_paid"], budgetMs: 60 },
  { name: "send payment (loopback)", args: [BIN, "send", "payment", "--url", receiver.url, "--secret", "s"], budgetMs: 160 },
];

let failed = false;
const rows = [];
const results = { runs };
try {
  once(["-e", "0"]); // warm the file cache
  for (const c of cases) {
    once(c.args);
    const base = [];
    const times = [];
    for (let i = 0; i < runs; i++) {
      base.push(once(["-e", "0"]));
      times.push(once(c.args));
    }
    const baseline = median(base);
    const ms = median(times);
    const over = ms - baseline;
    const ok = over <= c.budgetMs;
    failed ||= !ok;
    results[c.name] = {
      ms: Number(ms.toFixed(1)),
      baselineMs: Number(baseline.toFixed(1)),
      overMs: Number(over.toFixed(1)),
      budgetMs: c.budgetMs,
      ok,
    };
    rows.push({
      command: c.name,
      "median ms": ms.toFixed(1),
      "node -e 0 ms": baseline.toFixed(1),
      over: `${over >= 0 ? "+" : ""}${over.toFixed(1)} ms`,
      budget: `+${c.budgetMs} ms`,
      ratio: `${(ms / baseline).toFixed(2)}x`,
      ok: ok ? "ok" : "OVER BUDGET",
    });
  }
} finally {
  receiver.stop();
}
console.log(`cold start: medians of ${runs} runs, each against node -e 0 interleaved`);
printTable(rows);
recordResults("startup", results);
process.exitCode = failed ? 1 : 0;
