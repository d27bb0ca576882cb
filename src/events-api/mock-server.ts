// A local stand-in for Xsolla's Event API (docs/xsolla-contract.md §5) on node:http, for tests, demos and
// `xsolla-hooks events serve`. Same routes and shapes as getupdate.xsolla.com, plus seeded faults
// (500s, dropped sockets, 429s, refused credentials) so clients can be soaked repeatably, and an
// admin API to enqueue events over HTTP.
//
// API routes (auth and faults apply):
//   GET  /events?after_id=N&types=a&types=b[&project_id=P][&token=T]
//        → 200 {"events":[{id,status,created_at,data}]}: unprocessed only, id > after_id, id order,
//          at most `pageSize`. `types` may also come as `types[]=` or comma-separated.
//   POST /events/{id}/processed → 204 (again 204 when already processed); 404 for an unknown id.
// Admin routes (no auth, never faulted; not part of Xsolla's API):
//   POST /_admin/events  body: a webhook body (JSON object) → 201 {id,status,created_at,data}
//   GET  /_admin/events  → 200 {"events":[{id,status,created_at,data,processed,processed_at}]}
//
// What Xsolla leaves undocumented is modelled as in UNDOCUMENTED: `status` is 0 for every event
// (our guess at "new"), `created_at` is ISO 8601 UTC, error bodies use the webhook error shape
// {"error":{"code","message"}}, and the page size is 50 unless set.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listenOn, readRequestBody } from "../server/listen.js";
import { decodeJwtClaims, maskToken } from "./jwt.js";
import type { XsollaEvent } from "./schema.js";

export const MOCK_DEFAULT_PAGE_SIZE = 50;
const ADMIN_BODY_LIMIT = 1024 * 1024;

export interface MockFaults {
  /** Fraction of API requests answered 500 (and not acted on). */
  failRate?: number | undefined;
  /** Extra fraction of `POST /events/{id}/processed` answered 500 without marking the event. */
  ackFailRate?: number | undefined;
  /** Max API requests per second (per `now()` second); more get 429 with Retry-After in seconds. */
  rateLimit?: number | undefined;
  /** Every API request gets 401. */
  unauthorized?: boolean | undefined;
  /** Fraction of API requests whose socket is destroyed before any answer (and not acted on). */
  dropRate?: number | undefined;
  /**
   * Fraction of `GET /events` answers that ignore `after_id` (as a lagging cursor or overlapping
   * pages would), so events a client already has come again until they are processed.
   */
  overlapRate?: number | undefined;
  /** Seed of the fault PRNG (mulberry32). Default 1. */
  seed?: number | undefined;
}

export interface MockEventApiOptions {
  host?: string | undefined;
  port?: number | undefined;
  /** Pin one JWT: only `Authorization: Bearer <jwt>` with exactly this value is accepted. */
  jwt?: string | undefined;
  /** Pin one payment token for `token=`. With either pin set, only pinned credentials pass. */
  token?: string | undefined;
  faults?: MockFaults | undefined;
  pageSize?: number | undefined;
  /** Time for created_at, JWT `exp` checks and rate-limit windows. Pass a virtual clock's `now` in tests. */
  now?: (() => number) | undefined;
  /** The first event id. Default 1. */
  firstId?: number | undefined;
  /** Called once per request, after it is answered (or dropped). Credentials are masked. */
  onRequest?: ((entry: MockRequestLogEntry) => void) | undefined;
}

export interface MockRequestLogEntry {
  method: string;
  path: string;
  /** Query parameters; `token` masked. */
  query: Record<string, string[]>;
  /** Which credential came: a Bearer header, a `token=` parameter, both, or none. */
  auth: "bearer" | "token" | "both" | "none";
  /** The status sent, or "dropped". */
  outcome: number | "dropped";
  /** Which fault decided the outcome, if any. */
  fault?: "drop" | "rate-limit" | "unauthorized" | "fail" | "ack-fail" | undefined;
}

export interface MockEventRecord {
  event: XsollaEvent;
  processed: boolean;
  processedAt: string | null;
  /** How many successful `processed` calls it got (more than 1 = a client retried an ack that had worked). */
  acks: number;
}

export interface MockStats {
  requests: number;
  list: number;
  processed: number;
  admin: number;
  faults: { dropped: number; failed: number; ackFailed: number; rateLimited: number; unauthorized: number; overlapped: number };
}

export interface MockEventApi {
  /** The base URL for clients: `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  enqueue(data: object): XsollaEvent;
  /** Every event, processed or not, in id order (copies). */
  events(): XsollaEvent[];
  /** Events with their processed flags (copies). */
  records(): MockEventRecord[];
  unprocessed(): XsollaEvent[];
  isProcessed(id: number): boolean;
  /** Replaces the fault settings (the PRNG keeps its state unless a new seed is given). */
  setFaults(faults: MockFaults): void;
  stats(): MockStats;
  /** Every request so far, in arrival order. */
  requests(): MockRequestLogEntry[];
  close(): Promise<void>;
}

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). Same seed, same faults. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Credentials = { bearer: string | null; token: string | null };

function checkRate(value: number | undefined, name: string): void {
  if (value !== undefined && (!Number.isFinite(value) || value < 0 || value > 1))
    throw new RangeError(`faults.${name} must be between 0 and 1, got ${value}`);
}

function validateFaults(faults: MockFaults): void {
  checkRate(faults.failRate, "failRate");
  checkRate(faults.ackFailRate, "ackFailRate");
  checkRate(faults.dropRate, "dropRate");
  checkRate(faults.overlapRate, "overlapRate");
  if (faults.rateLimit !== undefined && (!Number.isInteger(faults.rateLimit) || faults.rateLimit < 1)) {
    throw new RangeError(`faults.rateLimit must be an integer ≥ 1 (requests per second), got ${faults.rateLimit}`);
  }
}

/** The same error shape as webhook handlers use; Xsolla does not document the Event API's. */
function sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): number {
  return sendJson(res, status, { error: { code, message } }, headers);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number {
  const bytes = Buffer.from(JSON.stringify(body), "utf8");
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": String(bytes.length), ...headers });
  res.end(bytes);
  return status;
}

function parseTypes(query: URLSearchParams): string[] {
  return [...query.getAll("types"), ...query.getAll("types[]")]
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter((value) => value !== "");
}

function logQuery(query: URLSearchParams): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, value] of query) (out[key] ??= []).push(key === "token" ? maskToken(value) : value);
  return out;
}

export async function startMockEventApi(options: MockEventApiOptions = {}): Promise<MockEventApi> {
  const host = options.host ?? "127.0.0.1";
  const pageSize = options.pageSize ?? MOCK_DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be an integer ≥ 1, got ${pageSize}`);
  const now = options.now ?? Date.now;
  let faults: MockFaults = { ...options.faults };
  validateFaults(faults);
  let rand = mulberry32(faults.seed ?? 1);
  const pinned = options.jwt !== undefined || options.token !== undefined;

  const store = new Map<number, MockEventRecord>();
  let nextId = options.firstId ?? 1;
  const log: MockRequestLogEntry[] = [];
  const stats: MockStats = {
    requests: 0,
    list: 0,
    processed: 0,
    admin: 0,
    faults: { dropped: 0, failed: 0, ackFailed: 0, rateLimited: 0, unauthorized: 0, overlapped: 0 },
  };
  let windowSecond = -1;
  let windowCount = 0;

  function enqueue(data: object): XsollaEvent {
    if (typeof data !== "object" || data === null || Array.isArray(data))
      throw new TypeError("an event's data must be a JSON object (a webhook body)");
    const event: XsollaEvent = {
      id: nextId++,
      status: 0,
      created_at: new Date(now()).toISOString(),
      data: structuredClone(data) as XsollaEvent["data"],
    };
    store.set(event.id, { event, processed: false, processedAt: null, acks: 0 });
    return structuredClone(event);
  }

  const sorted = () => [...store.values()].sort((a, b) => a.event.id - b.event.id);

  function authorised(credentials: Credentials): { ok: true } | { ok: false; code: string; message: string } {
    const { bearer, token } = credentials;
    if (bearer === null && token === null)
      return { ok: false, code: "UNAUTHORIZED", message: "missing credentials: send Authorization: Bearer <JWT> or token=<payment token>" };
    if (bearer !== null) {
      const claims = decodeJwtClaims(bearer);
      const exp = claims?.["exp"];
      if (typeof exp === "number" && exp * 1000 <= now()) return { ok: false, code: "TOKEN_EXPIRED", message: "the JWT has expired" };
    }
    if (!pinned) return { ok: true };
    if (bearer !== null && bearer === options.jwt) return { ok: true };
    if (token !== null && token === options.token) return { ok: true };
    return { ok: false, code: "UNAUTHORIZED", message: "invalid credentials" };
  }

  function credentialsOf(req: IncomingMessage, query: URLSearchParams): Credentials {
    const header = req.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    const token = query.get("token");
    return { bearer: match?.[1] ?? null, token: token === null || token === "" ? null : token };
  }

  function handleList(res: ServerResponse, query: URLSearchParams): number {
    const rawAfter = query.get("after_id");
    if (rawAfter !== null && !/^\d+$/.test(rawAfter))
      return sendError(res, 400, "INVALID_PARAMETER", "after_id must be a non-negative integer");
    const overlap = faults.overlapRate ? rand() < faults.overlapRate : false;
    if (overlap) stats.faults.overlapped++;
    const afterId = rawAfter === null || overlap ? -1 : Number(rawAfter);
    const types = parseTypes(query);
    const events = sorted()
      .filter((record) => !record.processed && record.event.id > afterId)
      .filter((record) => types.length === 0 || types.includes(String(record.event.data.notification_type)))
      .slice(0, pageSize)
      .map((record) => record.event);
    return sendJson(res, 200, { events });
  }

  function handleProcessed(res: ServerResponse, rawId: string): number {
    const record = /^\d+$/.test(rawId) ? store.get(Number(rawId)) : undefined;
    if (!record) return sendError(res, 404, "NOT_FOUND", `no event ${rawId}`);
    if (!record.processed) {
      record.processed = true;
      record.processedAt = new Date(now()).toISOString();
    }
    record.acks++;
    res.writeHead(204).end();
    return 204;
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse): Promise<number> {
    stats.admin++;
    if (req.method === "GET") {
      return sendJson(res, 200, { events: sorted().map((r) => ({ ...r.event, processed: r.processed, processed_at: r.processedAt })) });
    }
    if (req.method !== "POST") return sendError(res, 405, "METHOD_NOT_ALLOWED", "use GET or POST", { allow: "GET, POST" });
    const body = await readRequestBody(req, ADMIN_BODY_LIMIT);
    if (body === null) return sendError(res, 413, "TOO_LARGE", "the body is over 1 MiB");
    let data: unknown;
    try {
      data = JSON.parse(body.toString("utf8"));
    } catch {
      return sendError(res, 400, "INVALID_JSON", "the body must be a webhook body as JSON");
    }
    if (typeof data !== "object" || data === null || Array.isArray(data))
      return sendError(res, 400, "INVALID_BODY", "the body must be a JSON object (a webhook body)");
    return sendJson(res, 201, enqueue(data));
  }

  /** Runs the fault pipeline; returns the fault that answered (or dropped) the request, if any. */
  function injectFault(
    req: IncomingMessage,
    res: ServerResponse,
    credentials: Credentials,
    isAck: boolean,
  ): MockRequestLogEntry["fault"] | null {
    // One draw per configured rate per request, in a fixed order, so a seed replays exactly.
    const drop = faults.dropRate ? rand() < faults.dropRate : false;
    const fail = faults.failRate ? rand() < faults.failRate : false;
    const ackFail = isAck && faults.ackFailRate ? rand() < faults.ackFailRate : false;
    if (drop) {
      stats.faults.dropped++;
      req.socket.destroy();
      return "drop";
    }
    if (faults.rateLimit !== undefined) {
      const at = now();
      const second = Math.floor(at / 1000);
      if (second !== windowSecond) {
        windowSecond = second;
        windowCount = 0;
      }
      windowCount++;
      if (windowCount > faults.rateLimit) {
        stats.faults.rateLimited++;
        const retryAfter = Math.max(1, Math.ceil(((second + 1) * 1000 - at) / 1000));
        sendError(res, 429, "TOO_MANY_REQUESTS", `more than ${faults.rateLimit} requests per second`, {
          "retry-after": String(retryAfter),
        });
        return "rate-limit";
      }
    }
    if (faults.unauthorized) {
      stats.faults.unauthorized++;
      sendError(res, 401, "UNAUTHORIZED", "invalid credentials (injected)", { "www-authenticate": "Bearer" });
      return "unauthorized";
    }
    const auth = authorised(credentials);
    if (!auth.ok) {
      sendError(res, 401, auth.code, auth.message, { "www-authenticate": "Bearer" });
      return null;
    }
    if (fail) {
      stats.faults.failed++;
      sendError(res, 500, "INTERNAL_ERROR", "injected failure");
      return "fail";
    }
    if (ackFail) {
      stats.faults.ackFailed++;
      sendError(res, 500, "INTERNAL_ERROR", "injected ack failure");
      return "ack-fail";
    }
    return null;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests++;
    const url = new URL(req.url ?? "/", "http://mock.invalid");
    const method = req.method ?? "GET";
    const credentials = credentialsOf(req, url.searchParams);
    const entry: MockRequestLogEntry = {
      method,
      path: url.pathname,
      query: logQuery(url.searchParams),
      auth: credentials.bearer !== null ? (credentials.token !== null ? "both" : "bearer") : credentials.token !== null ? "token" : "none",
      outcome: 0,
    };
    const finish = (outcome: number | "dropped", fault?: MockRequestLogEntry["fault"]) => {
      entry.outcome = outcome;
      if (fault) entry.fault = fault;
      log.push(entry);
      options.onRequest?.({ ...entry });
    };

    if (url.pathname === "/_admin/events") {
      finish(await handleAdmin(req, res));
      return;
    }
    const processed = /^\/events\/([^/]+)\/processed$/.exec(url.pathname);
    const isList = url.pathname === "/events";
    if (!isList && !processed) {
      finish(sendError(res, 404, "NOT_FOUND", `no route ${url.pathname}`));
      return;
    }
    const wanted = isList ? "GET" : "POST";
    // Drain any body (none is expected) before answering.
    await readRequestBody(req, ADMIN_BODY_LIMIT);
    if (method !== wanted) {
      finish(sendError(res, 405, "METHOD_NOT_ALLOWED", `use ${wanted}`, { allow: wanted }));
      return;
    }
    if (isList) stats.list++;
    else stats.processed++;
    const fault = injectFault(req, res, credentials, !isList);
    if (fault === "drop") {
      finish("dropped", fault);
      return;
    }
    if (res.headersSent) {
      finish(res.statusCode, fault ?? undefined);
      return;
    }
    finish(isList ? handleList(res, url.searchParams) : handleProcessed(res, processed?.[1] ?? ""));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendError(res, 500, "MOCK_BUG", "the mock failed");
      else res.destroy();
    });
  });
  const listening = await listenOn(server, host, options.port ?? 0);
  return {
    url: listening.origin,
    port: listening.port,
    enqueue,
    events: () => sorted().map((r) => structuredClone(r.event)),
    records: () => sorted().map((r) => structuredClone(r)),
    unprocessed: () =>
      sorted()
        .filter((r) => !r.processed)
        .map((r) => structuredClone(r.event)),
    isProcessed: (id) => store.get(id)?.processed ?? false,
    setFaults(next) {
      validateFaults(next);
      faults = { ...next };
      if (next.seed !== undefined) rand = mulberry32(next.seed);
    },
    stats: () => structuredClone(stats),
    requests: () => log.map((entry) => ({ ...entry })),
    close: listening.close,
  };
}
