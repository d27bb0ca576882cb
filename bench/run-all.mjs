#!/usr/bin/env node
// Runs every benchmark in bench/ in turn; exit 1 if any misses its target.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

let failed = 0;
for (const script of ["startup.mjs", "startup-node-versions.mjs", "retry-replay.mjs", "receiver-load.mjs", "events-chaos.mjs"]) {
  console.log(`\n== ${script}`);
  const result = spawnSync(process.execPath, [fileURLToPath(new URL(script, import.meta.url))], { stdio: "inherit" });
  if (result.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
