#!/usr/bin/env node
// The reference receiver under load, against a bare node:http server answering 204, both loaded by
// autocannon with the same signed payment body over the same connections, in the same run.
// Target: the receiver (verifying every signature, logging every request) reaches 0.8x the bare server.
// BENCH_SOAK=1000000 adds a soak: that many deliveries, RSS sampled every 100 000 (target: flat, < 150 MB).
import { createHash } from "node:crypto";
import { readFileSync, rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { BARE_SERVER, recordResults, startServer as start } from "./lib.mjs";

const bin = fileURLToPath(new URL("../bin/xsolla-hooks.js", import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const soak = Number(process.env.BENCH_SOAK ?? 0);
const SECRET = "bench-secret";

const FLOOR_SERVER = `
const http = require("node:http");
const { createHash } = require("node:crypto");
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const ok = req.headers.authorization === "Signature " + createHash("sha1").update(body).update(${JSON.stringify(SECRET)}).digest("hex");
    const parsed = JSON.parse(body.toString("utf8"));
    res.writeHead(ok && parsed.notification_type ? 204 : 400);
    res.end();
  });
});
server.listen(0, "127.0.0.1", () => console.log("listening on http://127.0.0.1:" + server.address().port + "/"));
`;

const fixture = JSON.parse(readFileSync(new URL("../fixtures/payment.json", import.meta.url), "utf8"));
const body = JSON.stringify(fixture.body);
const headers = {
  "content-type": "application/json",
  authorization: `Signature ${createHash("sha1").update(body).update(SECRET).digest("hex")}`,
};

function load(url, options = {}) {
  const settings = { url, method: "POST", headers, body, connections, pipelining: 1, duration: seconds, ...options };
  // autocannon takes either a duration or an amount of requests.
  if (settings.amount !== undefined) delete settings.duration;
  return new Promise((resolve, reject) => {
    autocannon(settings, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

let serial = 0;
/** The payment body with a fresh transaction id, signed: what a busy project sends. */
function uniqueDelivery(request) {
  const unique = JSON.stringify({ ...fixture.body, transaction: { ...fixture.body.transaction, id: 9_000_000_000 + serial++ } });
  return {
    ...request,
    body: unique,
    headers: { ...headers, authorization: `Signature ${createHash("sha1").update(unique).update(SECRET).digest("hex")}` },
  };
}

function rssOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return NaN;
  }
}

const dir = mkdtempSync(join(tmpdir(), "xsolla-hooks-bench-"));
try {
  const bare = await start(["-e", BARE_SERVER], /listening on (\S+)/);
  await load(bare.url, { duration: 2 }); // warm-up
  const bareResult = await load(bare.url);
  bare.child.kill();

  // The floor: a server that does only what any correct handler must (read the body, SHA-1 it, parse the JSON) and
  // nothing of ours. The receiver cannot beat it; its ratio says how much of the gap is the work itself.
  const floor = await start(["-e", FLOOR_SERVER], /listening on (\S+)/);
  await load(floor.url, { duration: 2 });
  const floorResult = await load(floor.url);
  floor.child.kill();

  const receiver = await start([bin, "listen", "--secret", SECRET, "--log-file", join(dir, "requests.log")], /listening on (\S+)/);
  await load(receiver.url, { duration: 2 });
  const receiverResult = await load(receiver.url);

  const ratio = receiverResult.requests.average / bareResult.requests.average;
  const row = (name, r) =>
    `${name.padEnd(30)} ${String(Math.round(r.requests.average)).padStart(8)} req/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   non-2xx ${r.non2xx}   errors ${r.errors}`;
  console.log(`receiver load: ${connections} connections, ${seconds} s each, one signed payment body (${body.length} bytes)`);
  console.log(row("bare node:http (204)", bareResult));
  console.log(row("floor (read + SHA-1 + JSON.parse)", floorResult));
  console.log(row("listen (verify + log file)", receiverResult));
  const floorRatio = floorResult.requests.average / bareResult.requests.average;
  console.log(`floor ${floorRatio.toFixed(2)}x the bare server: the most any verifying handler in one Node process gets here`);
  console.log(`ratio ${ratio.toFixed(2)}x the bare server (target >= 0.80) ${ratio >= 0.8 ? "ok" : "BELOW TARGET"}`);
  let failed = ratio < 0.8 || receiverResult.non2xx > 0;
  recordResults("receiver", {
    connections,
    seconds,
    bareRps: Math.round(bareResult.requests.average),
    floorRps: Math.round(floorResult.requests.average),
    floorRatio: Number(floorRatio.toFixed(2)),
    receiverRps: Math.round(receiverResult.requests.average),
    ratio: Number(ratio.toFixed(2)),
    receiverP50Ms: receiverResult.latency.p50,
    receiverP99Ms: receiverResult.latency.p99,
    ok: ratio >= 0.8,
  });

  if (soak > 0) {
    console.log(`\nsoak: ${soak} deliveries, RSS every 100 000`);
    const samples = [];
    let sent = 0;
    while (sent < soak) {
      const amount = Math.min(100_000, soak - sent);
      // Every soak delivery is a new transaction, so the id tracker fills up and has to stay bounded.
      await load(receiver.url, { amount, requests: [{ setupRequest: uniqueDelivery }] });
      sent += amount;
      const rss = rssOf(receiver.child.pid);
      samples.push(rss);
      console.log(`  ${String(sent).padStart(8)} deliveries   RSS ${rss.toFixed(1)} MB`);
    }
    const warm = samples.slice(1);
    const peak = Math.max(...samples);
    const growth = warm.length > 1 ? (warm.at(-1) ?? 0) - (warm[0] ?? 0) : 0;
    const flat = growth < 20;
    console.log(
      `peak ${peak.toFixed(1)} MB (target < 150) ${peak < 150 ? "ok" : "OVER"}; growth after warm-up ${growth.toFixed(1)} MB ${flat ? "flat" : "GROWING"}`,
    );
    failed ||= peak >= 150 || !flat;
  }
  receiver.child.kill();
  process.exitCode = failed ? 1 : 0;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
