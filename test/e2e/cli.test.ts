// The built CLI, spawned as users run it, against real servers on 127.0.0.1.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { collect, runCli, startCli, waitForOutput } from "../helpers/cli.js";
import { startLoopback, type LoopbackServer } from "../helpers/loopback.js";

const SECRET = "s3cr3t-VALUE-1234567890";
const sha1 = (bytes: Buffer, secret: string) =>
  createHash("sha1")
    .update(Buffer.concat([bytes, Buffer.from(secret)]))
    .digest("hex");

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});
async function handler(script?: Parameters<typeof startLoopback>[0]): Promise<LoopbackServer> {
  const server = await startLoopback(script);
  cleanup.push(() => server.close());
  return server;
}
function track(child: ChildProcess): ChildProcess {
  cleanup.push(() => void child.kill("SIGKILL"));
  return child;
}

describe("help and version", () => {
  it("prints the version from package.json", async () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    const result = await runCli(["--version"]);
    expect(result).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  it.each([
    "list",
    "show",
    "sign",
    "send",
    "test",
    "listen",
    "demo",
    "interactive",
    "completion",
    "events",
    "events list",
    "events ack",
    "events poll",
    "events serve",
    "events enqueue",
  ])("%s --help has a description and an example", async (command) => {
    const result = await runCli([...command.split(" "), "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`Usage: xsolla-hooks ${command}`));
    expect(result.stdout).toMatch(/Examples:\n\s+\$ xsolla-hooks /);
  });

  it("no arguments without a TTY prints help and exits 0 (never prompts)", async () => {
    const result = await runCli([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Usage: xsolla-hooks/);
  });
});

describe("list and show", () => {
  it("list --json lists every fixture with its metadata", async () => {
    const result = await runCli(["list", "--json"]);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as { id: string; responseBodyRequired: boolean; retryPolicy: string }[];
    expect(rows.map((r) => r.id)).toEqual(
      expect.arrayContaining(["user_validation", "payment", "order_paid", "order_paid.separate", "partner_side_catalog"]),
    );
    expect(
      rows
        .filter((r) => r.responseBodyRequired)
        .map((r) => r.id)
        .sort(),
    ).toEqual(["get_pincode", "partner_side_catalog", "user_search"]);
    expect(rows.find((r) => r.id === "user_validation")?.retryPolicy).toBe("none");
  });

  it("show --keep-ids prints the fixture's exact bytes, no trailing newline on a pipe", async () => {
    const fixture = JSON.parse(readFileSync(new URL("../../fixtures/order_paid.separate.json", import.meta.url), "utf8")) as {
      body: unknown;
    };
    const result = await runCli(["show", "order_paid", "--variant", "separate", "--keep-ids"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(JSON.stringify(fixture.body, null, 2));
  });

  it("show applies --set, --set-string and --merge; fresh ids differ between runs", async () => {
    const a = await runCli([
      "show",
      "order_paid",
      "--set",
      "items.0.sku=gold_pack",
      "--set-string",
      "items.0.quantity=3",
      "--body-format",
      "compact",
    ]);
    const b = await runCli(["show", "order_paid", "--body-format", "compact"]);
    const bodyA = JSON.parse(a.stdout) as { items: { sku: string; quantity: unknown }[]; order: { id: number } };
    const bodyB = JSON.parse(b.stdout) as { order: { id: number } };
    expect(bodyA.items[0]).toMatchObject({ sku: "gold_pack", quantity: "3" });
    expect(bodyA.order.id).not.toBe(bodyB.order.id);
    expect(a.stdout).not.toContain("\n");
  });
});

describe("sign", () => {
  it("signs a file's exact bytes, checked against an independent SHA-1", async () => {
    const file = fileURLToPath(new URL("../../fixtures/payment.json", import.meta.url));
    const bytes = readFileSync(file);
    const result = await runCli(["sign", file, "--secret", SECRET, "--json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      signature: sha1(bytes, SECRET),
      header: `Authorization: Signature ${sha1(bytes, SECRET)}`,
    });
  });

  it("signs stdin byte for byte (a trailing newline counts) with the secret from the environment", async () => {
    const input = Buffer.from('{"notification_type":"payment"}\n');
    const result = await runCli(["sign", "-"], { input, env: { XSOLLA_WEBHOOK_SECRET: SECRET } });
    expect(result.stdout).toBe(`Authorization: Signature ${sha1(input, SECRET)}\n`);
  });

  it("signs a fixture as show --keep-ids prints it", async () => {
    const shown = await runCli(["show", "refund", "--keep-ids"]);
    const signed = await runCli(["sign", "refund", "--secret", SECRET]);
    expect(signed.stdout).toBe(`Authorization: Signature ${sha1(shown.stdoutBytes, SECRET)}\n`);
  });
});

describe("send", () => {
  it("POSTs the signed bytes with JSON headers; the bytes signed are the bytes sent", async () => {
    const server = await handler();
    const result = await runCli(["send", "payment", "--url", server.url, "--secret", SECRET, "--header", "X-Trace: abc"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/← 204 No Content/);
    expect(result.stdout).toMatch(/✓ as expected/);
    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers.accept).toBe("application/json");
    expect(request?.headers["x-trace"]).toBe("abc");
    expect(request?.headers.authorization).toBe(`Signature ${sha1(request?.body ?? Buffer.alloc(0), SECRET)}`);
    expect(JSON.parse(request?.body.toString() ?? "{}")).toHaveProperty("notification_type", "payment");
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  it("--json prints one object and nothing else", async () => {
    const server = await handler(
      (_req, res) => void res.writeHead(200, { "content-type": "application/json" }).end('{"user":{"id":"u1"}}'),
    );
    const result = await runCli(["send", "user_search", "--url", server.url, "--secret", SECRET, "--json"]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    const document = JSON.parse(lines[0] ?? "") as Record<string, unknown>;
    expect(Object.keys(document)).toEqual(expect.arrayContaining(["type", "url", "ok", "expected", "signature", "attempts"]));
    expect(document).toMatchObject({
      type: "user_search",
      ok: true,
      attempts: [{ attempt: 1, status: 200, offsetSeconds: 0, error: null }],
    });
  });

  it("exit 1 when the handler answers but not as expected", async () => {
    const server = await handler((_req, res) => void res.writeHead(200).end("not json"));
    const result = await runCli(["send", "get_pincode", "--url", server.url, "--secret", SECRET]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ the get_pincode response must be JSON/);
  });

  it("--expect accepts codes and classes", async () => {
    const server = await handler((_req, res) => void res.writeHead(409).end());
    expect((await runCli(["send", "payment", "--url", server.url, "--secret", SECRET, "--expect", "4xx"])).code).toBe(0);
    expect((await runCli(["send", "payment", "--url", server.url, "--secret", SECRET, "--expect", "200,204"])).code).toBe(1);
  });

  it("--bad-signature and --no-signature expect a rejection by default", async () => {
    const server = await handler((req, res) => {
      const ok = req.headers.authorization === `Signature ${sha1(req.body, SECRET)}`;
      res
        .writeHead(ok ? 204 : 401, { "content-type": "application/json" })
        .end(ok ? "" : '{"error":{"code":"INVALID_SIGNATURE","message":"Invalid signature"}}');
    });
    const bad = await runCli(["send", "payment", "--url", server.url, "--secret", SECRET, "--bad-signature"]);
    const none = await runCli(["send", "payment", "--url", server.url, "--secret", SECRET, "--no-signature"]);
    expect([bad.code, none.code]).toEqual([0, 0]);
    expect(server.requests[0]?.headers.authorization).toMatch(/^Signature [0-9a-f]{40}$/);
    expect(server.requests[1]?.headers.authorization).toBeUndefined();
  });

  it("is accepted by an independent handler that verifies Xsolla signatures on the raw body (Python)", async () => {
    const script = fileURLToPath(new URL("../handlers/independent_handler.py", import.meta.url));
    const python = track(spawn("python3", [script, SECRET], { stdio: ["ignore", "pipe", "pipe"] }));
    const [port] = await waitForOutput(python, /^\d+/);
    const url = `http://127.0.0.1:${port}/webhook`;
    for (const args of [
      ["payment"],
      ["order_paid", "--variant", "separate"],
      ["user_validation", "--body-format", "compact"],
      ["payment", "--set", "user.name=Игрок ✓"],
    ]) {
      const result = await runCli(["send", ...args, "--url", url, "--secret", SECRET]);
      expect(result.code, `${args.join(" ")}: ${result.stdout}${result.stderr}`).toBe(0);
    }
    const wrong = await runCli(["send", "payment", "--url", url, "--secret", "another-secret", "--expect", "204"]);
    expect(wrong.code).toBe(1);
    const unknown = await runCli([
      "send",
      "user_validation",
      "--set",
      "user.id=test_xsolla_1",
      "--url",
      url,
      "--secret",
      SECRET,
      "--expect",
      "400",
    ]);
    expect(unknown.code).toBe(0);
  });
});

describe("listen", () => {
  it("verifies, answers like a correct handler, logs one JSON line per request, and stops on Ctrl-C with 130", async () => {
    const child = track(startCli(["listen", "--secret", SECRET, "--json"]));
    const done = collect(child);
    const [, url] = await waitForOutput(child, /listening on (\S+)/, "stderr");
    const ok = await runCli(["send", "payment", "--url", url ?? "", "--secret", SECRET]);
    // The sender believes its signature is right, so only the exact rejection counts (a bare 400 would not: see --expect).
    const bad = await runCli([
      "send",
      "payment",
      "--url",
      url ?? "",
      "--secret",
      "wrong-secret-value",
      "--expect",
      "400:INVALID_SIGNATURE",
    ]);
    const unknown = await runCli([
      "send",
      "user_validation",
      "--set",
      "user.id=test_xsolla_x",
      "--url",
      url ?? "",
      "--secret",
      SECRET,
      "--expect",
      "400",
    ]);
    const search = await runCli(["send", "user_search", "--url", url ?? "", "--secret", SECRET]);
    expect([ok.code, bad.code, unknown.code, search.code]).toEqual([0, 0, 0, 0]);
    child.kill("SIGINT");
    const result = await done;
    expect(result.code).toBe(130);
    const lines = result.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.type, l.status, l.errorCode])).toEqual([
      ["payment", 204, null],
      ["payment", 400, "INVALID_SIGNATURE"],
      ["user_validation", 400, "INVALID_USER"],
      ["user_search", 200, null],
    ]);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  it("--status-style sdk answers 401 / 422 like Xsolla's PHP SDK; --fail-first 2 answers 500 twice", async () => {
    const child = track(startCli(["listen", "--secret", SECRET, "--status-style", "sdk", "--fail-first", "2", "--max-requests", "4"]));
    const done = collect(child);
    const [, url] = await waitForOutput(child, /listening on (\S+)/);
    const send = (...extra: string[]) =>
      runCli(["send", "payment", "--url", url ?? "", "--secret", SECRET, "--keep-ids", "--json", ...extra]);
    const statuses = [];
    for (const extra of [["--bad-signature"], [], [], []])
      statuses.push(
        (JSON.parse((await send(...extra, "--expect", "2xx,4xx,5xx")).stdout) as { attempts: { status: number }[] }).attempts[0]?.status,
      );
    expect(statuses).toEqual([401, 500, 500, 204]);
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/delivery #3 of this transaction/);
  });
});

describe("demo", () => {
  it("delivers every fixture, rejects a bad signature and an unknown user, exits 0", async () => {
    const result = await runCli(["demo", "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      passed: number;
      failed: number;
      cases: { name: string; ok: boolean; receiver: { errorCode: string | null } }[];
    };
    const list = JSON.parse((await runCli(["list", "--json"])).stdout) as unknown[];
    expect(report).toMatchObject({ ok: true, failed: 0 });
    expect(report.cases).toHaveLength(list.length + 2);
    expect(report.cases.find((c) => c.name.includes("bad signature"))?.receiver.errorCode).toBe("INVALID_SIGNATURE");
    expect(report.cases.find((c) => c.name.includes("unknown user"))?.receiver.errorCode).toBe("INVALID_USER");
    expect((report as unknown as { events: { ok: boolean; rows: string[][]; unprocessed: number[] } }).events).toMatchObject({
      ok: true,
      unprocessed: [],
    });
  });

  it("prints a summary table for people", async () => {
    const result = await runCli(["demo"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/order_paid\.separate\s+valid\s+204/);
    expect(result.stdout).toMatch(/24 of 24 as expected/);
    expect(result.stdout).toMatch(/3 events printed once each, 3 marked processed, none left unprocessed/);
  });
});
