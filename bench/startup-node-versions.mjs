#!/usr/bin/env node
// Start-up under Node 22 and 24 (the npm registry's node package), with the bin's compile cache (warm) and without it
// (NODE_DISABLE_COMPILE_CACHE=1), each against that version's bare `node -e 0` measured in the same run. Reports only:
// the targets live in startup.mjs. Versions: NODE_MATRIX (default "22 24"); runs: BENCH_RUNS (default 15).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../bin/xsolla-hooks.js", import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 15);
const versions = (process.env.NODE_MATRIX ?? "22 24").split(/\s+/).filter(Boolean);

function once(node, args, env) {
  const start = process.hrtime.bigint();
  const result = spawnSync(node, args, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NO_COLOR: "1", ...env } });
  if (result.status !== 0) throw new Error(`${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const middle = (times) => times.sort((a, b) => a - b)[Math.floor(times.length / 2)];

/** Medians of each variant, run interleaved so machine noise hits them alike. */
function medians(node, variants) {
  const times = variants.map(() => []);
  for (let i = 0; i < runs; i++) variants.forEach(([args, env], v) => times[v].push(once(node, args, env)));
  return times.map(middle);
}

const cases = [
  ["--version", [bin, "--version"]],
  ["sign payment", [bin, "sign", "payment", "--secret", "s"]],
  ["show order_paid", [bin, "show", "order_paid"]],
];

for (const version of versions) {
  let node;
  try {
    node = execFileSync("npx", ["-y", "-p", `node@${version}`, "node", "-p", "process.execPath"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    console.log(`node ${version}: skipped (npx could not get node@${version} from the registry)`);
    continue;
  }
  // A private TMPDIR: the cache starts empty, is warmed by one run, and is removed afterwards.
  const tmp = mkdtempSync(join(tmpdir(), `xsolla-hooks-bench-${version}-`));
  try {
    const cached = { TMPDIR: tmp };
    const uncached = { TMPDIR: tmp, NODE_DISABLE_COMPILE_CACHE: "1" };
    const [baseline] = medians(node, [[["-e", "0"], {}]]);
    console.log(
      `node ${execFileSync(node, ["--version"], { encoding: "utf8" }).trim()}: baseline node -e 0 ${baseline.toFixed(1)} ms (median of ${runs})`,
    );
    for (const [name, args] of cases) {
      spawnSync(node, args, { stdio: "ignore", env: { ...process.env, ...cached } });
      const [base, off, on] = medians(node, [
        [["-e", "0"], {}],
        [args, uncached],
        [args, cached],
      ]);
      console.log(
        `  ${name.padEnd(16)} cache off ${off.toFixed(1)} ms (+${(off - base).toFixed(1)})  cache on ${on.toFixed(1)} ms (+${(on - base).toFixed(1)})  on/off ${(on / off).toFixed(2)}x`,
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
