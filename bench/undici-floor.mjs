#!/usr/bin/env node
// The floor for burst mode: undici alone, as lean as it gets (a Pool, the raw dispatch API, a handler that only waits
// for the end of each answer), sending the same signed bytes over the same number of connections. It does nothing
// `send --repeat` must do (no tally, no histogram, no expectation); its requests/s are the most any burst built on
// undici reaches on this machine. Run by bench/burst.mjs in its own process, like `send` and autocannon.
//   node bench/undici-floor.mjs <url> <requests> <connections> <same|unique> <secret> <body file>
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Pool } from "undici";
import { DIST } from "./lib.mjs";

const [url, requests, connections, mode, secret, bodyFile] = process.argv.slice(2);
const amount = Number(requests);
const { loadBuiltinFixtures, findFixture, buildWebhookRequest } = await import(join(DIST, "index.js"));
const { createUniqueBodies } = await import(join(DIST, "core/burst/unique-bodies.js"));

const bytes = readFileSync(bodyFile);
const same = buildWebhookRequest(url, bytes, secret).request;
const fixture = findFixture(loadBuiltinFixtures(), "payment");
const unique = mode === "unique" ? createUniqueBodies(JSON.parse(bytes.toString("utf8")), bytes, fixture.meta.fresh, "pretty") : undefined;
const target = new URL(url);
const pool = new Pool(target.origin, { connections: Number(connections), pipelining: 1 });

let issued = 0;
const sendOne = () =>
  new Promise((resolve, reject) => {
    let request = same;
    if (unique) request = buildWebhookRequest(url, unique.bodyFor(issued).bytes, secret).request;
    issued++;
    pool.dispatch(
      { path: target.pathname, method: "POST", headers: request.headers, body: request.body },
      {
        onRequestStart() {},
        onResponseStart() {},
        onResponseData() {},
        onResponseEnd: () => resolve(),
        onResponseError: (_controller, error) => reject(error),
      },
    );
  });

const started = performance.now();
await Promise.all(
  Array.from({ length: Number(connections) }, async () => {
    while (issued < amount) await sendOne();
  }),
);
const elapsedMs = performance.now() - started;
await pool.close();
process.stdout.write(`${JSON.stringify({ sent: issued, elapsedMs, requestsPerSecond: (issued / elapsedMs) * 1000 })}\n`);
