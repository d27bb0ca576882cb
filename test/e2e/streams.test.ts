// The process edges, through the built CLI: a reader that goes away (`| head -1`), Ctrl-C and SIGTERM
// while something is in flight, and waits longer than Node's timers can hold.
import type { ChildProcess } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { collect, runCli, startCli, waitForOutput, type CliResult } from "../helpers/cli.js";
import { startHandler } from "../helpers/handlers.js";
import { startLoopback, type LoopbackServer, type Script } from "../helpers/loopback.js";

const SECRET = "streams-secret-value-1234";
const STACK_TRACE = /\n\s+at /;

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});
async function loopback(script?: Script): Promise<LoopbackServer> {
  const server = await startLoopback(script);
  cleanup.push(() => server.close());
  return server;
}
function track(child: ChildProcess): ChildProcess {
  cleanup.push(() => void child.kill("SIGKILL"));
  return child;
}
const context = (result: CliResult) => `exit ${result.code} (${result.signal})\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;

/** `| head -1`: read the first chunk of stdout, then close the reading end of the pipe. */
async function closeStdoutAfterFirstChunk(child: ChildProcess): Promise<string> {
  const first = await new Promise<string>((resolve) => child.stdout?.once("data", (chunk: Buffer) => resolve(chunk.toString("utf8"))));
  child.stdout?.destroy();
  return first;
}

/** Resolves once the CLI is reading stdin: more than a pipe holds has been written and drained into it. */
async function readingStdin(child: ChildProcess): Promise<void> {
  const whitespace = Buffer.alloc(512 * 1024, 0x20); // a valid start of a JSON body
  if (child.stdin?.write(whitespace) === false) await new Promise((resolve) => child.stdin?.once("drain", resolve));
}

describe("a reader that closes early (| head -1)", () => {
  it("send --retry finishes the replay quietly with its own exit code", async () => {
    // Slow answers, so the timeline lines are written after the reader has gone.
    const server = await loopback((_req, res, index) => void setTimeout(() => res.writeHead(index < 2 ? 500 : 204).end(), 150));
    const child = track(startCli(["send", "order_paid", "--retry", "--url", server.url, "--secret", SECRET]));
    const done = collect(child);
    expect(await closeStdoutAfterFirstChunk(child)).toMatch(/POST/);
    const result = await done;
    expect(result.code, context(result)).toBe(0); // delivered at attempt 3, as without the pipe
    expect(result.stderr, context(result)).toBe("");
    expect(server.requests).toHaveLength(3);
  });

  it("test finishes the suite quietly with its own exit code", async () => {
    const handler = await startHandler(SECRET, { slowFirstMs: 400 });
    cleanup.push(() => handler.close());
    const child = track(startCli(["test", "--url", handler.url, "--secret", SECRET]));
    const done = collect(child, { timeoutMs: 30_000 });
    expect(await closeStdoutAfterFirstChunk(child)).toMatch(/contract test/);
    const result = await done;
    expect(result.code, context(result)).toBe(0);
    expect(result.stderr, context(result)).not.toMatch(STACK_TRACE);
    expect(result.stderr, context(result)).not.toMatch(/EPIPE|internal error/);
  });

  it("listen keeps serving and logs to stderr once its stdout is gone", async () => {
    const child = track(startCli(["listen", "--secret", SECRET, "--max-requests", "2"]));
    const done = collect(child);
    const [, url] = await waitForOutput(child, /listening on (\S+)/);
    child.stdout?.destroy();
    const first = await runCli(["send", "payment", "--url", url ?? "", "--secret", SECRET]);
    const second = await runCli(["send", "refund", "--url", url ?? "", "--secret", SECRET]);
    expect([first.code, second.code]).toEqual([0, 0]);
    const result = await done;
    expect(result.code, context(result)).toBe(0);
    expect(result.stderr, context(result)).not.toMatch(STACK_TRACE);
    // Both request lines, the first (whose stdout write failed) included.
    expect(result.stderr).toMatch(/#1 payment\s+204 accepted/);
    expect(result.stderr).toMatch(/#2 refund\s+204 accepted/);
    expect(result.stderr).toMatch(/stopped after 2 requests/);
  });
});

describe("Ctrl-C and SIGTERM", () => {
  const silent: Script = () => {
    /* never answers */
  };

  it.each(["SIGINT", "SIGTERM"] as const)("%s during a plain send: exit 130, the request was sent, no answer yet", async (signal) => {
    const server = await loopback(silent);
    const child = track(startCli(["send", "payment", "--url", server.url, "--secret", SECRET]));
    const done = collect(child);
    await server.nextRequest();
    child.kill(signal);
    const result = await done;
    expect(result.code, context(result)).toBe(130);
    expect(result.stderr.trimEnd().split("\n"), context(result)).toEqual(["interrupted: the request was sent, no answer yet"]);
    expect(result.stdout).toMatch(/← no answer \(interrupted: the request was sent, no answer yet\)/);
    expect(result.stdout + result.stderr).not.toMatch(/no attempt was made/);
  });

  it("SIGTERM during send --json: the document records the attempt in flight", async () => {
    const server = await loopback(silent);
    const child = track(startCli(["send", "payment", "--url", server.url, "--secret", SECRET, "--json"]));
    const done = collect(child);
    await server.nextRequest();
    child.kill("SIGTERM");
    const result = await done;
    expect(result.code, context(result)).toBe(130);
    const document = JSON.parse(result.stdout) as { ok: boolean; attempts: { errorKind: string; status: null; verdict: string }[] };
    expect(document.ok).toBe(false);
    expect(document.attempts).toMatchObject([{ status: null, errorKind: "interrupted", verdict: "interrupted" }]);
  });

  it("SIGTERM while waiting for stdin: exit 130 at once, nothing sent", async () => {
    const server = await loopback();
    const child = track(startCli(["send", "-", "--url", server.url, "--secret", SECRET]));
    const done = collect(child, { openStdin: true, timeoutMs: 10_000 });
    await readingStdin(child);
    child.kill("SIGTERM");
    const result = await done;
    expect(result.code, context(result)).toBe(130);
    expect(result.stderr.trimEnd(), context(result)).toBe("interrupted while waiting for stdin");
    expect(server.requests).toHaveLength(0);
  });
});

describe("waits beyond Node's timer limit (2^31-1 ms, about 24.8 days)", () => {
  it("--realtime --schedule 600h really waits: no second request, no overflow warning", async () => {
    const server = await loopback((_req, res) => void res.writeHead(500).end());
    const child = track(
      startCli(["send", "payment", "--retry", "--realtime", "--schedule", "600h", "--url", server.url, "--secret", SECRET]),
    );
    const done = collect(child);
    await waitForOutput(child, /resend in 600h/);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(server.requests).toHaveLength(1);
    child.kill("SIGINT");
    const result = await done;
    expect(result.code, context(result)).toBe(130);
    expect(result.stderr).not.toMatch(/TimeoutOverflowWarning/);
    expect(server.requests).toHaveLength(1);
  });
});
