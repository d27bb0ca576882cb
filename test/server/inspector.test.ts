// The inspector's HTTP side with real sockets: a real receiver feeds a real inspector, as `listen --ui` wires them.
import { request as httpRequest } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { startReceiver, type RunningReceiver } from "../../src/server/receiver.js";
import { startInspector, type RunningInspector } from "../../src/server/inspector.js";
import { replayReceived } from "../../src/runners/replay-received.js";
import { parseCapturedRequest } from "../../src/core/http-capture.js";
import { signBody } from "../../src/core/signature.js";
import { startLoopback, type LoopbackServer } from "../helpers/loopback.js";

const SECRET = "inspector-test-secret-key";
let receiver: RunningReceiver | undefined;
let inspector: RunningInspector | undefined;
let peer: LoopbackServer | undefined;

afterEach(async () => {
  await receiver?.close();
  await inspector?.close();
  await peer?.close();
  receiver = inspector = peer = undefined;
});

async function start(history = 500): Promise<{ receiver: RunningReceiver; inspector: RunningInspector; token: string }> {
  inspector = await startInspector({ secret: SECRET, history, replay: (r, target, signal) => replayReceived(r, target, SECRET, signal) });
  receiver = await startReceiver({ secret: SECRET, onRequest: inspector.record });
  const page = await (await fetch(inspector.url)).text();
  const token = /name="inspector-token" content="([^"]+)"/.exec(page)?.[1] ?? "";
  return { receiver, inspector, token };
}

function deliver(url: string, body: string, secret = SECRET): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Signature ${signBody(body, secret)}` },
    body,
  });
}

/** A raw request, so Host and Origin can be anything a hostile page could send. */
function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? "GET", headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

const PAYMENT = JSON.stringify({ notification_type: "payment", user: { id: "u-42" }, transaction: { id: 777 }, order: { id: 9 } });

describe("inspector server", () => {
  it("serves the page under a strict CSP with a per-run token, and the static assets", async () => {
    const { inspector, token } = await start();
    const page = await fetch(inspector.url);
    expect(page.headers.get("content-security-policy")).toMatch(/default-src 'self'; script-src 'self'/);
    expect(token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect((await fetch(`${inspector.url}/app.js`)).headers.get("content-type")).toMatch(/javascript/);
    expect((await fetch(`${inspector.url}/style.css`)).status).toBe(200);
    expect((await fetch(`${inspector.url}/../../package.json`)).status).toBe(404);
    const other = await startInspector({ secret: SECRET, replay: () => Promise.reject(new Error("unused")) });
    const otherToken = /content="([^"]+)"/.exec(await (await fetch(other.url)).text())?.[1];
    await other.close();
    expect(otherToken).not.toBe(token);
  });

  it("streams the history, then every new delivery, over server-sent events", async () => {
    const { receiver, inspector, token } = await start();
    await deliver(receiver.url, PAYMENT);
    const response = await fetch(`${inspector.url}/events?token=${token}`);
    const reader = response.body!.getReader();
    let text = "";
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) text += new TextDecoder().decode((await reader.read()).value as Uint8Array);
    };
    await readUntil(/event: hello\ndata: .*\n\n/);
    const hello = JSON.parse(/event: hello\ndata: (.*)\n/.exec(text)![1]!);
    expect(hello.stats).toEqual({ total: 1, kept: 1, dropped: 0, capacity: 500 });
    expect(hello.deliveries[0]).toMatchObject({
      number: 1,
      type: "payment",
      ids: { user: "u-42", transaction: "777", order: "9" },
      signature: "valid",
      answer: { status: 204, verdict: "accepted" },
      forward: null,
    });
    await deliver(receiver.url, PAYMENT, "not-the-secret");
    await readUntil(/event: delivery\ndata: .*\n\n/);
    const next = JSON.parse(/event: delivery\ndata: (.*)\n/.exec(text)![1]!);
    expect(next.delivery).toMatchObject({ number: 2, signature: "invalid", answer: { status: 400, errorCode: "INVALID_SIGNATURE" } });
    await reader.cancel();
  });

  it("shows the handler's side of a forwarded delivery", async () => {
    peer = await startLoopback((_request, res) => void res.writeHead(202).end());
    inspector = await startInspector({ secret: SECRET, replay: () => Promise.reject(new Error("unused")) });
    const { createForwarder } = await import("../../src/runners/forward.js");
    const { createHttpTransport } = await import("../../src/adapters/http-transport.js");
    const transport = createHttpTransport();
    receiver = await startReceiver({
      secret: SECRET,
      onRequest: inspector.record,
      forward: createForwarder({ url: peer.url, timeoutMs: 5_000, transport }),
    });
    const token = /name="inspector-token" content="([^"]+)"/.exec(await (await fetch(inspector.url)).text())?.[1] ?? "";
    expect((await deliver(receiver.url, PAYMENT)).status).toBe(202);
    const detail = await (await fetch(`${inspector.url}/api/deliveries/1`, { headers: { "x-inspector-token": token } })).json();
    await transport.close();
    expect(JSON.stringify(detail)).toMatch(
      /"forward":\{"url":"http:\/\/127\.0\.0\.1:\d+\/webhook","status":202,"latencyMs":\d+,"outcome":"answered","answeredWith":202\}/,
    );
  });

  it("refuses API calls without the token, and pages from other sites", async () => {
    const { receiver, inspector, token } = await start();
    await deliver(receiver.url, PAYMENT);
    const api = `${inspector.url}/api/deliveries/1`;
    expect((await fetch(api)).status).toBe(403);
    expect((await fetch(api, { headers: { "x-inspector-token": "guess" } })).status).toBe(403);
    expect((await fetch(`${inspector.url}/events`)).status).toBe(403);
    expect((await fetch(api, { headers: { "x-inspector-token": token } })).status).toBe(200);
    // DNS rebinding: a hostile name resolving to 127.0.0.1 reaches the port but not the inspector.
    const rebound = await raw(inspector.url, { headers: { host: `evil.example:${inspector.port}` } });
    expect(rebound.status).toBe(421);
    expect(rebound.body.toString()).not.toContain(token);
    // A cross-site POST: right token (say, leaked), wrong Origin.
    const replay = `${api}/replay`;
    const json = { "content-type": "application/json", "x-inspector-token": token };
    const body = JSON.stringify({ url: receiver.url });
    const crossSite = await raw(replay, { method: "POST", headers: { ...json, origin: "http://evil.example" }, body });
    expect(crossSite.status).toBe(403);
    const noOrigin = await raw(replay, { method: "POST", headers: json, body });
    expect(noOrigin.status).toBe(403);
    const form = await raw(replay, {
      method: "POST",
      headers: { "content-type": "text/plain", "x-inspector-token": token, origin: new URL(inspector.url).origin },
      body,
    });
    expect(form.status).toBe(415);
    expect(rebound.headers["access-control-allow-origin"]).toBeUndefined();
    expect(receiver.total).toBe(1);
  });

  it("replays the same bytes and signature to the URL given, or re-signed", async () => {
    const { receiver, inspector, token } = await start();
    peer = await startLoopback();
    const sent = '{"notification_type":"payment","user":{"id":"u-1"}, "spacing":"kept as sent"}';
    await deliver(receiver.url, sent, "a-different-secret");
    const replay = (resign: boolean) =>
      fetch(`${inspector.url}/api/deliveries/1/replay`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-inspector-token": token, origin: new URL(inspector.url).origin },
        body: JSON.stringify({ url: peer!.url, resign }),
      });
    const first = await (await replay(false)).json();
    expect(first).toMatchObject({ ok: true, status: 204, url: peer.url });
    const asIs = await peer.nextRequest();
    expect(asIs.body.toString()).toBe(sent);
    expect(asIs.headers.authorization).toBe(`Signature ${signBody(sent, "a-different-secret")}`);
    await replay(true);
    const resigned = await peer.nextRequest();
    expect(resigned.body.toString()).toBe(sent);
    expect(resigned.headers.authorization).toBe(`Signature ${signBody(sent, SECRET)}`);
    const refused = await fetch(`${inspector.url}/api/deliveries/1/replay`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-inspector-token": token, origin: new URL(inspector.url).origin },
      body: JSON.stringify({ url: "file:///etc/passwd" }),
    });
    expect(refused.status).toBe(400);
  });

  it("gives the detail with the doctor's diagnosis and never the secret; the download reads back as a capture", async () => {
    const { receiver, inspector, token } = await start();
    const pretty = JSON.stringify(JSON.parse(PAYMENT), null, 2);
    // Signed as pretty JSON, sent compact: a handler that re-serialised before hashing.
    await fetch(receiver.url, { method: "POST", headers: { authorization: `Signature ${signBody(pretty, SECRET)}` }, body: PAYMENT });
    const response = await fetch(`${inspector.url}/api/deliveries/1`, { headers: { "x-inspector-token": token } });
    const detail = (await response.json()) as Record<string, { text?: string }>;
    expect(detail.check).toMatchObject({ ok: false, diagnosis: "body-reserialized-pretty" });
    expect(detail.body).toMatchObject({ text: PAYMENT, truncated: false, bytes: PAYMENT.length });
    expect(detail.pretty?.text).toBe(pretty);
    expect(detail.reply).toMatchObject({ status: 400, errorCode: "INVALID_SIGNATURE" });
    expect(JSON.stringify(detail)).not.toContain(SECRET);
    const download = await fetch(`${inspector.url}/api/deliveries/1/raw?token=${token}`);
    expect(download.headers.get("content-disposition")).toMatch(/attachment; filename="000001-.*-payment\.http"/);
    const captured = parseCapturedRequest(Buffer.from(await download.arrayBuffer()));
    expect(captured.body.toString()).toBe(PAYMENT);
    expect(captured.header("authorization")).toBe(`Signature ${signBody(pretty, SECRET)}`);
  });

  it("keeps the last N and says how many older ones were dropped", async () => {
    const { receiver, inspector, token } = await start(2);
    for (let i = 0; i < 3; i++) await deliver(receiver.url, PAYMENT);
    const events = await fetch(`${inspector.url}/events?token=${token}`);
    const reader = events.body!.getReader();
    const hello = new TextDecoder().decode((await reader.read()).value as Uint8Array);
    await reader.cancel();
    const data = JSON.parse(/data: (.*)\n/.exec(hello)![1]!) as { stats: unknown; deliveries: { number: number }[] };
    expect(data.stats).toEqual({ total: 3, kept: 2, dropped: 1, capacity: 2 });
    expect(data.deliveries.map((d) => d.number)).toEqual([2, 3]);
    const gone = await fetch(`${inspector.url}/api/deliveries/1`, { headers: { "x-inspector-token": token } });
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: string }).error).toMatch(/no longer kept/);
  });
});
