// Shared by the bench scripts: server processes, tables, and bench/results.json.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync, renameSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../bin/xsolla-hooks.js", import.meta.url));
export const DIST = fileURLToPath(new URL("../dist/", import.meta.url));
const RESULTS = fileURLToPath(new URL("results.json", import.meta.url));

/** A bare node:http server answering 204 to everything, in its own process: the baseline peer. */
export const BARE_SERVER = `
const http = require("node:http");
const server = http.createServer((req, res) => { req.on("data", () => {}); req.on("end", () => { res.writeHead(204); res.end(); }); });
server.listen(0, "127.0.0.1", () => console.log("listening on http://127.0.0.1:" + server.address().port + "/webhook"));
`;

/** Starts a process and resolves with it and the URL it prints. */
export function startServer(args, pattern = /listening on (\S+)/) {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let seen = "";
    const onData = (chunk) => {
      seen += chunk.toString();
      const match = seen.match(pattern);
      if (match) {
        child.stdout.off("data", onData);
        child.stderr.off("data", onData);
        child.stdout.resume();
        child.stderr.resume();
        resolve({ child, url: match[1], stop: () => child.kill() });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => reject(new Error(`server exited ${code}: ${seen}`)));
  });
}

/** Runs a command to the end; resolves with its exit code, stdout and peak RSS (MB, from /proc while it ran). */
export function runProcess(command, args, options = {}) {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1", ...options.env } });
  const out = [];
  const err = [];
  let peakMb = 0;
  const sample = () => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      peakMb = Math.max(peakMb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
    } catch {
      // gone already
    }
  };
  const timer = options.sampleRss ? setInterval(sample, 20) : undefined;
  child.stdout.on("data", (c) => out.push(c));
  child.stderr.on("data", (c) => err.push(c));
  return new Promise((resolve) => {
    child.on("close", (code) => {
      if (timer) clearInterval(timer);
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), peakMb });
    });
  });
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Prints rows (objects with the same keys) as an aligned table. */
export function printTable(rows) {
  const columns = Object.keys(rows[0]);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((row) => String(row[c]).length)));
  const line = (cells) =>
    cells
      .map((cell, i) => String(cell).padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  console.log(line(columns));
  for (const row of rows) console.log(line(columns.map((c) => row[c])));
}

/** Merges one bench's figures into bench/results.json, with the machine they came from. */
export function recordResults(name, data) {
  let all;
  try {
    all = JSON.parse(readFileSync(RESULTS, "utf8"));
  } catch {
    all = {};
  }
  all.machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? "unknown", platform: process.platform };
  all[name] = { ...data, measuredAt: new Date().toISOString() };
  writeFileSync(`${RESULTS}.tmp`, `${JSON.stringify(all, null, 2)}\n`);
  renameSync(`${RESULTS}.tmp`, RESULTS);
}
