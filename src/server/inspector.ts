// The inspector behind `listen --ui` and `demo --ui`: a small node:http server on its own loopback port that serves a
// static page (assets/inspector/), streams every delivery to it over server-sent events, and answers the page's
// detail, download and replay requests.
//
// Its own port, not a path on the receiver's: a tunnel that exposes the webhook port to Xsolla never exposes the
// inspector (every body, and a button that sends requests), and no webhook path is taken from the user.
//
// Requests from other sites are refused three ways: the Host header must name this server by IP literal or
// `localhost` (a DNS-rebinding page has its own name), every API call carries a per-run token that only the page
// served here knows, and actions (POST) must come with this server's Origin and a JSON body. No CORS headers are
// ever sent.
import type { ForwardOutcome } from "../core/delivery/forwarding.js";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { isIP } from "node:net";
import { captureFileName } from "../core/http-capture.js";
import { bodyAsText, deliveryIds, parseJsonBody, prettyJson, type DeliveryIds } from "../core/inspector-view.js";
import { diagnoseSignature } from "../core/signature-diagnosis.js";
import { verifySignature } from "../core/signature.js";
import { redactUrls } from "../core/settings.js";
import { curlResendCommand } from "../core/curl.js";
import { CONNECTION_HEADERS } from "../core/delivery/replay.js";
import { listenOn, readRequestBody } from "./listen.js";
import { captureBytes, type ReceivedRequest } from "./receiver.js";

export const INSPECTOR_PATH = "/_inspect";
export const DEFAULT_UI_HISTORY = 500;
export const TOKEN_HEADER = "x-inspector-token";
/** Body text sent to the page for one delivery; the download has every byte. */
const BODY_PREVIEW_BYTES = 256 * 1024;
const ACTION_BODY_LIMIT = 16 * 1024;
const HEARTBEAT_MS = 15_000;

export interface ReplayTarget {
  url: string;
  /** Sign the bytes again with the receiver's secret instead of sending the Authorization that arrived. */
  resign: boolean;
}

export interface ReplayResult {
  ok: boolean;
  /** The target, passwords masked. */
  url: string;
  status: number | null;
  durationMs: number;
  error: string | null;
  /** The start of the answer's body, as text. */
  body: string;
}

export interface InspectorOptions {
  secret: string;
  host?: string | undefined;
  port?: number | undefined;
  history?: number | undefined;
  /** Sends one received request to a URL (the CLI passes src/runners' replay, the one road out). */
  replay: (request: ReceivedRequest, target: ReplayTarget, signal: AbortSignal) => Promise<ReplayResult>;
}

export interface RunningInspector {
  /** `http://host:port/_inspect` */
  url: string;
  port: number;
  /** Adds a delivery (call it when the answer is final: with forwarding, after the handler answered). */
  record(request: ReceivedRequest): void;
  /** Page connections open right now. */
  readonly clients: number;
  /** Resolves true once a page is connected, false after `timeoutMs` or when `signal` aborts. */
  waitForClient(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  close(): Promise<void>;
}

/** What `listen --forward-to` adds to a record: the local handler's side. Absent without forwarding. */
export type ForwardSummary = ForwardOutcome;

export type SignatureState = "valid" | "invalid" | "missing" | "malformed";

/** One row of the list, as the page gets it over SSE. */
export interface DeliverySummary {
  number: number;
  receivedAt: string;
  method: string;
  path: string;
  type: string | null;
  ids: DeliveryIds;
  signature: SignatureState;
  answer: { status: number; verdict: string; errorCode: string | null; reason: string };
  forward: ForwardSummary | null;
  bytes: number;
  /** False for a body over the limit, which was not read. */
  bodyKept: boolean;
}

interface Entry {
  request: ReceivedRequest;
  summary: DeliverySummary;
}

const ASSETS = new URL("../../assets/inspector/", import.meta.url);
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";
const STATIC_FILES: Record<string, { file: string; type: string }> = {
  "app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "style.css": { file: "style.css", type: "text/css; charset=utf-8" },
};

function header(request: Pick<ReceivedRequest, "headers">, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function summarizeDelivery(request: ReceivedRequest, secret: string): DeliverySummary {
  const { answer } = request;
  const bodyKept = !(answer.status === 413 && request.body.length === 0);
  const parsed = bodyKept ? parseJsonBody(request.body) : undefined;
  const claimed = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>).notification_type : undefined;
  const check = verifySignature(request.body, secret, header(request, "authorization"));
  return {
    number: request.number,
    receivedAt: request.receivedAt.toISOString(),
    method: request.method,
    path: request.path,
    type: answer.type ?? (typeof claimed === "string" ? claimed : null),
    ids: deliveryIds(parsed),
    signature: check.ok
      ? "valid"
      : check.reason === "missing-header"
        ? "missing"
        : check.reason === "malformed-header"
          ? "malformed"
          : "invalid",
    answer: { status: answer.status, verdict: answer.verdict, errorCode: answer.errorCode ?? null, reason: answer.reason },
    forward: request.forward ?? null,
    bytes: request.body.length,
    bodyKept,
  };
}

/** Headers as they arrived, in order, as [name, value] pairs. */
function headerPairs(request: ReceivedRequest): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < request.rawHeaders.length; i += 2) pairs.push([request.rawHeaders[i] ?? "", request.rawHeaders[i + 1] ?? ""]);
  return pairs;
}

/** Everything the detail view shows of one delivery. The secret never leaves: only the verdict and the expected hex do. */
export function describeDelivery(entry: Entry, secret: string): Record<string, unknown> {
  const { request, summary } = entry;
  const diagnosis = diagnoseSignature({ body: request.body, secret, signature: header(request, "authorization") ?? "" });
  const answer = request.answer;
  return {
    ...summary,
    requestLine: `${request.method} ${request.path} HTTP/${request.httpVersion}`,
    headers: headerPairs(request),
    body: { ...bodyAsText(request.body, BODY_PREVIEW_BYTES), bytes: request.body.length },
    pretty: prettyJson(request.body, BODY_PREVIEW_BYTES),
    check: {
      ok: diagnosis.ok,
      diagnosis: diagnosis.diagnosis,
      message: diagnosis.message,
      hint: diagnosis.hint,
      expected: diagnosis.expected,
      received: diagnosis.received,
      details: diagnosis.details ?? {},
    },
    reply: {
      status: answer.status,
      verdict: answer.verdict,
      errorCode: answer.errorCode ?? null,
      reason: answer.reason,
      headers: "headers" in answer ? answer.headers : {},
      body: "body" in answer ? answer.body : "",
    },
  };
}

function isIpOrLocalhost(hostname: string): boolean {
  return hostname === "localhost" || isIP(hostname.replace(/^\[|\]$/g, "")) !== 0;
}

/** The Host header names this server: an IP literal or localhost with our port, or the exact --host given. */
export function hostAllowed(hostHeader: string | undefined, boundHost: string, port: number): boolean {
  if (!hostHeader) return false;
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader.toLowerCase());
  if (!match || Number(match[2] ?? 80) !== port) return false;
  const name = match[1] ?? "";
  return isIpOrLocalhost(name) || name === boundHost.toLowerCase();
}

export async function startInspector(options: InspectorOptions): Promise<RunningInspector> {
  const capacity = options.history ?? DEFAULT_UI_HISTORY;
  const token = randomBytes(24).toString("base64url");
  const entries = new Map<number, Entry>();
  const order: number[] = [];
  let total = 0;
  const clients = new Set<ServerResponse>();
  const clientWaiters = new Set<() => void>();
  const inflight = new AbortController();
  const page = readFileSync(new URL("index.html", ASSETS), "utf8").replace("__INSPECTOR_TOKEN__", token);
  const assets = Object.fromEntries(Object.entries(STATIC_FILES).map(([name, { file }]) => [name, readFileSync(new URL(file, ASSETS))]));
  const host = options.host ?? "127.0.0.1";
  let port = 0;

  const stats = () => ({ total, kept: order.length, dropped: total - order.length, capacity });
  const broadcast = (event: string, data: unknown) => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const client of clients) client.write(frame);
  };

  const record = (request: ReceivedRequest) => {
    total++;
    if (capacity <= 0) return broadcast("stats", stats());
    const entry: Entry = { request, summary: summarizeDelivery(request, options.secret) };
    entries.set(request.number, entry);
    order.push(request.number);
    while (order.length > capacity) entries.delete(order.shift() as number);
    broadcast("delivery", { delivery: entry.summary, stats: stats() });
  };

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
    res.writeHead(status, {
      "content-type": type,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "cross-origin-resource-policy": "same-origin",
      ...extra,
    });
    res.end(body);
  };
  const json = (res: ServerResponse, status: number, body: unknown) => send(res, status, "application/json", JSON.stringify(body));
  const refuse = (res: ServerResponse, status: number, message: string) => json(res, status, { error: message });

  const tokenOf = (req: IncomingMessage, url: URL) => header(req, TOKEN_HEADER) ?? url.searchParams.get("token") ?? "";

  const openEvents = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", "x-content-type-options": "nosniff" });
    res.write(`event: hello\ndata: ${JSON.stringify({ stats: stats(), deliveries: order.map((n) => entries.get(n)?.summary) })}\n\n`);
    clients.add(res);
    for (const wake of clientWaiters) wake();
    req.on("close", () => clients.delete(res));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hostAllowed(req.headers.host, host, port)) return refuse(res, 421, "this inspector answers only to its own address");
    const url = new URL(req.url ?? "/", "http://inspector.invalid");
    const path = url.pathname;
    if (req.method === "GET" && path === "/") return send(res, 302, "text/plain", "", { location: INSPECTOR_PATH });
    if (req.method === "GET" && (path === INSPECTOR_PATH || path === `${INSPECTOR_PATH}/`)) {
      return send(res, 200, "text/html; charset=utf-8", page, {
        "content-security-policy": CONTENT_SECURITY_POLICY,
        "x-frame-options": "DENY",
      });
    }
    const asset = path.startsWith(`${INSPECTOR_PATH}/`) ? path.slice(INSPECTOR_PATH.length + 1) : "";
    const file = Object.hasOwn(STATIC_FILES, asset) ? STATIC_FILES[asset] : undefined;
    if (req.method === "GET" && file) return send(res, 200, file.type, assets[asset] as Buffer);
    if (!path.startsWith(`${INSPECTOR_PATH}/api/`) && path !== `${INSPECTOR_PATH}/events`) return refuse(res, 404, "not found");

    if (tokenOf(req, url) !== token) return refuse(res, 403, "missing or wrong inspector token: reload the page");
    if (req.method === "GET" && path === `${INSPECTOR_PATH}/events`) return openEvents(req, res);

    const route = /^\/_inspect\/api\/deliveries\/(\d+)(\/raw|\/curl|\/replay)?$/.exec(path);
    const entry = route ? entries.get(Number(route[1])) : undefined;
    if (!route) return refuse(res, 404, "not found");
    if (!entry) return refuse(res, 404, `delivery #${route[1]} is no longer kept (see --ui-history)`);
    const action = route[2] ?? "";
    const { request } = entry;

    if (req.method === "GET" && action === "") return json(res, 200, describeDelivery(entry, options.secret));
    if (req.method === "GET" && action === "/raw") {
      const name = captureFileName(request.number, request.receivedAt, entry.summary.type ?? undefined);
      const raw = captureBytes(request);
      return send(res, 200, "application/octet-stream", raw, { "content-disposition": `attachment; filename="${name}"` });
    }
    if (req.method === "GET" && action === "/curl") {
      const target = checkTarget(url.searchParams.get("url") ?? "");
      if (typeof target !== "string") return refuse(res, 400, target.error);
      return send(res, 200, "text/plain; charset=utf-8", curlResendCommand(target, headerPairs(request), request.body, CONNECTION_HEADERS));
    }
    if (req.method === "POST" && action === "/replay") {
      if (req.headers.origin !== `http://${req.headers.host}`) return refuse(res, 403, "actions are accepted only from the inspector page");
      if (!/^application\/json\b/i.test(header(req, "content-type") ?? "")) return refuse(res, 415, "send JSON");
      const raw = await readRequestBody(req, ACTION_BODY_LIMIT);
      let input: unknown;
      try {
        input = JSON.parse(raw?.toString("utf8") ?? "");
      } catch {
        return refuse(res, 400, "send {url, resign} as JSON");
      }
      const body = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
      const target = checkTarget(typeof body.url === "string" ? body.url : "");
      if (typeof target !== "string") return refuse(res, 400, target.error);
      if (!entry.summary.bodyKept) return refuse(res, 409, "this body was over the limit and was not kept: nothing to replay");
      const result = await options.replay(request, { url: target, resign: body.resign === true }, inflight.signal);
      return json(res, 200, result);
    }
    return refuse(res, 405, "method not allowed");
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) refuse(res, 500, `inspector error: ${(error as Error).message}`);
      else res.end();
    });
  });
  const heartbeat = setInterval(() => {
    for (const client of clients) client.write(": keep-alive\n\n");
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let listening;
  try {
    listening = await listenOn(server, host, options.port ?? 0, () => {
      clearInterval(heartbeat);
      inflight.abort();
      for (const client of clients) client.end();
    });
  } catch (error) {
    clearInterval(heartbeat);
    throw error;
  }
  port = listening.port;
  return {
    url: `${listening.origin}${INSPECTOR_PATH}`,
    port,
    record,
    get clients() {
      return clients.size;
    },
    waitForClient(timeoutMs, signal) {
      if (clients.size > 0) return Promise.resolve(true);
      if (signal?.aborted) return Promise.resolve(false);
      return new Promise((resolve) => {
        const done = (connected: boolean) => {
          clearTimeout(timer);
          clientWaiters.delete(wake);
          signal?.removeEventListener("abort", giveUp);
          resolve(connected);
        };
        const wake = () => done(true);
        const giveUp = () => done(false);
        const timer = setTimeout(giveUp, timeoutMs);
        clientWaiters.add(wake);
        signal?.addEventListener("abort", giveUp, { once: true });
      });
    },
    close: listening.close,
  };
}

/** Replay and curl go only where the user pointed them: an http(s) URL typed into the page. */
function checkTarget(raw: string): string | { error: string } {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { error: `not a URL: ${JSON.stringify(redactUrls(raw.slice(0, 200)))}` };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { error: "only http:// and https:// URLs" };
  return url.toString();
}
