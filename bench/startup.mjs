#!/usr/bin/env node
// Start-up cost of the CLI against bare `node -e 0`, measured in the same run.
// Targets (DEVELOPERS.md): --version within 40 ms of the baseline, sign within 60 ms.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../bin/xsolla-hooks.js", import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 25);

function median(command, args) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${args.join(" ")} exited ${result.status}: ${result.stderr}`);
    times.push(ms);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const cases = [
  { name: "--version", args: [bin, "--version"], budgetMs: 40 },
  { name: "sign payment", args: [bin, "sign", "payment", "--secret", "s"], budgetMs: 60 },
  { name: "show order_paid", args: [bin, "show", "order_paid"], budgetMs: 60 },
];

// Interleave baseline and cases so machine noise hits both alike.
const baseline = median(process.execPath, ["-e", "0"]);
let failed = 0;
console.log(`baseline node -e 0: ${baseline.toFixed(1)} ms (median of ${runs})`);
for (const c of cases) {
  const ms = median(process.execPath, c.args);
  const base = (baseline + median(process.execPath, ["-e", "0"])) / 2;
  const over = ms - base;
  const ok = over <= c.budgetMs;
  if (!ok) failed++;
  console.log(
    `${c.name.padEnd(16)} ${ms.toFixed(1)} ms  +${over.toFixed(1)} ms over baseline (budget ${c.budgetMs} ms)  ratio ${(ms / base).toFixed(2)}x  ${ok ? "ok" : "OVER BUDGET"}`,
  );
}
process.exitCode = failed ? 1 : 0;
