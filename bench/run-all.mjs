#!/usr/bin/env node
// Runs the benchmarks in bench/ in turn (each prints a table and records its figures in bench/results.json);
// exit 1 if any misses its target. `npm run bench -- --only burst,startup` runs some of them; --list names them.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const BENCHES = {
  startup: { script: "startup.mjs", what: "cold start of --version, sign, show, one send vs node -e 0" },
  "startup-node-versions": {
    script: "startup-node-versions.mjs",
    what: "start-up under Node 22 and 24, with the compile cache on and off",
  },
  burst: {
    script: "burst.mjs",
    what: "send --repeat throughput vs autocannon and vs undici alone (same and unique ids); peak RSS of a 200 000-request burst",
  },
  receiver: {
    script: "receiver-load.mjs",
    what: "listen (verifying every signature) vs a bare node:http server and a verify-and-parse floor, under autocannon",
  },
  retry: { script: "retry-replay.mjs", what: "order_paid resend schedule (20 attempts, 715 simulated minutes) wall time" },
  poller: { script: "events-poller.mjs", what: "Event API poller events/s drained with acks vs the mock's raw GET+POST rate" },
  "events-chaos": { script: "events-chaos.mjs", what: "Event API chaos run at 10x the test's size (correctness under faults)" },
};

const args = process.argv.slice(2);
if (args.includes("--list") || args.includes("--help")) {
  for (const [name, { what }] of Object.entries(BENCHES)) console.log(`${name.padEnd(14)} ${what}`);
  console.log("\nnpm run bench                       all of them\nnpm run bench -- --only burst,retry  some of them");
  process.exit(0);
}
const onlyAt = args.findIndex((a) => a === "--only" || a.startsWith("--only="));
const onlyText = onlyAt === -1 ? undefined : args[onlyAt].includes("=") ? args[onlyAt].slice(7) : args[onlyAt + 1];
if (onlyAt !== -1 && !onlyText) {
  console.error("error: --only needs bench names, e.g. --only burst,startup (see --list)");
  process.exit(2);
}
const names = onlyText
  ? onlyText
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
  : Object.keys(BENCHES);
const unknown = names.filter((n) => !Object.hasOwn(BENCHES, n));
if (unknown.length) {
  console.error(`error: unknown bench ${unknown.join(", ")} (known: ${Object.keys(BENCHES).join(", ")})`);
  process.exit(2);
}

const failed = [];
for (const name of names) {
  console.log(`\n== ${name}: ${BENCHES[name].what}`);
  const result = spawnSync(process.execPath, [fileURLToPath(new URL(BENCHES[name].script, import.meta.url))], { stdio: "inherit" });
  if (result.status !== 0) failed.push(name);
}
console.log(`\n${failed.length ? `missed a target or failed: ${failed.join(", ")}` : "every target held"}; figures in bench/results.json`);
process.exitCode = failed.length ? 1 : 0;
