// `listen --forward-to` end to end: the real `send` → the real `listen` → a handler on loopback.
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { collect, runCli, startCli, waitForOutput } from "../helpers/cli.js";
import { startLoopback, type Script } from "../helpers/loopback.js";
import { parseCapturedRequest } from "../../src/core/http-capture.js";

const SECRET = "forward-secret-0123456789";
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "xsolla-hooks-forward-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function handler(script?: Script) {
  const server = await startLoopback(script);
  cleanup.push(() => server.close());
  return server;
}

/** A forwarding receiver that stops after `requests` deliveries; resolves with its URL and, later, its output. */
async function forwarder(to: string, requests: number, ...args: string[]) {
  const child = startCli(["listen", "--secret", SECRET, "--forward-to", to, "--max-requests", String(requests), ...args]);
  cleanup.push(() => void child.kill("SIGKILL"));
  const done = collect(child);
  const [, url] = await waitForOutput(child, /listening on (\S+)/, args.includes("--json") ? "stderr" : "stdout");
  return { url: url ?? "", done };
}

describe("listen --forward-to", () => {
  it("passes the exact bytes and headers on, returns the handler's answer, and prints both verdicts", async () => {
    const target = await handler((_request, res) => {
      res.writeHead(200, { "content-type": "application/json", "x-handler": "yes" });
      res.end('{"handled":true}');
    });
    const saveDir = tempDir();
    const receiver = await forwarder(target.url, 2, "--save", saveDir);

    const sent = await runCli(["send", "order_paid", "--url", receiver.url, "--secret", SECRET, "--json"]);
    expect(sent.code).toBe(0);
    const report = JSON.parse(sent.stdout) as { attempts: { status: number; body: string }[] };
    // The sender got the handler's answer, not the receiver's 204.
    expect(report.attempts.at(-1)).toMatchObject({ status: 200, body: '{"handled":true}' });

    const wrong = await runCli(["send", "payment", "--url", receiver.url, "--secret", "not-the-secret"]);
    expect(wrong.code).toBe(0);
    const out = await receiver.done;
    expect(out.code).toBe(0);

    // Byte for byte: what arrived at the receiver (its capture) is what reached the handler, and its signature still holds.
    const captures = readdirSync(saveDir).sort();
    expect(captures).toHaveLength(2);
    const captured = parseCapturedRequest(readFileSync(join(saveDir, captures[0] as string)));
    const arrived = target.requests[0];
    expect(arrived).toBeDefined();
    expect(Buffer.compare(arrived!.body, Buffer.from(captured.body))).toBe(0);
    const expectedSignature = createHash("sha1")
      .update(Buffer.concat([arrived!.body, Buffer.from(SECRET)]))
      .digest("hex");
    expect(arrived!.headers.authorization).toBe(`Signature ${expectedSignature}`);
    expect(arrived!.headers["content-type"]).toBe("application/json");
    expect(arrived!.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(arrived!.url).toBe("/webhook");

    const lines = out.stdout.split("\n").filter((line) => /#\d/.test(line));
    expect(lines[0]).toMatch(/#1 order_paid\s+signature ok → handler 200 in \d+ ms/);
    expect(lines[1]).toMatch(/#2 payment\s+signature bad \(signature does not match the body\) → handler 200 in \d+ ms/);
    expect(lines[1]).toMatch(/the handler accepted a delivery whose signature does not match --secret/);
  });

  it("answers 502 when the handler is down and 504 when it is too slow, and keeps the capture", async () => {
    const slow = await handler(async (_request, res) => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      if (!res.destroyed) res.writeHead(204).end();
    });
    const down = await handler();
    const downUrl = down.url;
    await down.close();

    const saveDir = tempDir();
    const toDown = await forwarder(downUrl, 1, "--save", saveDir, "--json");
    const refused = await runCli(["send", "payment", "--url", toDown.url, "--secret", SECRET]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/← 502 Bad Gateway/);
    const downOut = await toDown.done;
    const line = JSON.parse(downOut.stdout.trim());
    expect(line.forward).toMatchObject({ status: null, outcome: "unreachable", answeredWith: 502 });
    expect(line.verdict).toBe("accepted");
    expect(readdirSync(saveDir)).toHaveLength(1);

    const toSlow = await forwarder(slow.url, 1, "--forward-timeout", "300");
    const timedOut = await runCli(["send", "payment", "--url", toSlow.url, "--secret", SECRET]);
    expect(timedOut.code).toBe(1);
    expect(timedOut.stdout).toMatch(/← 504 Gateway Timeout/);
    const slowOut = await toSlow.done;
    expect(slowOut.stdout).toMatch(/signature ok → handler timed out: timed out: no answer within 300 ms; answered 504/);
  });

  it("passes a handler's rejection through unchanged", async () => {
    const target = await handler((_request, res) => {
      res.writeHead(400, { "content-type": "application/json" });
      res.end('{"error":{"code":"INVALID_USER","message":"Invalid user"}}');
    });
    const receiver = await forwarder(target.url, 1);
    const sent = await runCli(["send", "user_validation", "--url", receiver.url, "--secret", SECRET, "--expect", "4xx:INVALID_USER"]);
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/← 400 Bad Request/);
    const out = await receiver.done;
    expect(out.stdout).toMatch(/user_validation\s+signature ok → handler 400 in \d+ ms/);
  });

  it("refuses flags that shape the receiver's own answer, and a bad URL, in one line", async () => {
    const withStatus = await runCli(["listen", "--secret", SECRET, "--forward-to", "http://127.0.0.1:9/x", "--status", "500"]);
    expect(withStatus.code).toBe(2);
    expect(withStatus.stderr).toMatch(/^error: --status cannot be used with --forward-to/);
    const badUrl = await runCli(["listen", "--secret", SECRET, "--forward-to", "ftp://example/x"]);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr.trim().split("\n")[0]).toMatch(/^error: invalid URL/);
    const timeoutAlone = await runCli(["listen", "--secret", SECRET, "--forward-timeout", "100"]);
    expect(timeoutAlone.code).toBe(2);
    expect(timeoutAlone.stderr).toMatch(/--forward-timeout needs --forward-to/);
  });
});
