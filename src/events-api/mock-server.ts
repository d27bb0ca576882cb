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
//   GET  /_admin/events  → 200 {"events":[{id,status,created_at,data,processed,processed_at}]} (never faulted)
//
// What Xsolla leaves undocumented is modelled as in UNDOCUMENTED: `status` is 0 for every event
// (our guess at "new"), `created_at` is ISO 8601 UTC, error bodies use the webhook error shape
// {"error":{"code","message"}} (or, with `errorBody: "login"`, the Xsolla Login shape
// {"error":{"code","description"}} that Xsolla's Unity SDK parses), and the page size is 50 unless set.
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
  /** Fraction of `GET /events` answers that list every event of the page twice. */
  duplicateRate?: number | undefined;
  /** Fraction of API requests answered only after `slowMs` of real time (an ack is applied first). */
  slowRate?: number | undefined;
  /** How long a slow answer takes, in real ms. Default 2000. */
  slowMs?: number | undefined;
  /**
   * Fraction of `POST /events/{id}/processed` that are applied, then answered by closing the connection:
   * the client never learns that its ack worked.
   */
  ackLostRate?: number | undefined;
  /** Each credential (JWT or token) works for this many API requests; after that it gets 401 "expired". */
  jwtExpireAfter?: number | undefined;
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
  /** Called when an event is marked processed, before the answer is sent (for tests that check ordering). */
  onProcessed?: ((id: number) => void) | undefined;
  /**
   * The shape of error bodies. "webhook" (default): `{"error":{"code","message"}}`. "login": `{"error":{"code",
   * "description"}}` with the HTTP status as the code, the Xsolla Login shape that Xsolla's Unity SDK parses, so a
   * real client's error path (and its token refresh on 401) can be exercised.
   */
  errorBody?: MockErrorBody | undefined;
}

export type MockErrorBody = "webhook" | "login";

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
  fault?: "drop" | "rate-limit" | "unauthorized" | "jwt-expired" | "fail" | "ack-fail" | "ack-lost" | "slow" | undefined;
}

export interface MockEventRecord {
  /** The event (for an entry added with enqueueRaw: a stand-in with its stored id and empty data). */
  event: XsollaEvent;
  /** For an entry added with enqueueRaw: what is served instead of `event`. */
  raw?: unknown;
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
  faults: {
    dropped: number;
    failed: number;
    ackFailed: number;
    rateLimited: number;
    unauthorized: number;
    overlapped: number;
    duplicated: number;
    slow: number;
    ackLost: number;
    jwtExpired: number;
  };
}

export interface MockEventApi {
  /** The base URL for clients: `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** Adds an event with `data` as its webhook body; `id` picks its id (lower than existing ones: an event that shows up late). */
  enqueue(data: object, options?: { id?: number | undefined }): XsollaEvent;
  /**
   * Adds an entry served exactly as given (a malformed event, or one without `status`/`created_at`). It is stored
   * under the returned id for paging and acks, whatever its own `id` field says.
   */
  enqueueRaw(raw: unknown): number;
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
  checkRate(faults.duplicateRate, "duplicateRate");
  checkRate(faults.slowRate, "slowRate");
  checkRate(faults.ackLostRate, "ackLostRate");
  if (faults.slowMs !== undefined && (!Number.isFinite(faults.slowMs) || faults.slowMs < 0 || faults.slowMs > 600_000))
    throw new RangeError(`faults.slowMs must be between 0 and 600000, got ${faults.slowMs}`);
  if (faults.jwtExpireAfter !== undefined && (!Number.isInteger(faults.jwtExpireAfter) || faults.jwtExpireAfter < 0))
    throw new RangeError(`faults.jwtExpireAfter must be an integer ≥ 0, got ${faults.jwtExpireAfter}`);
  if (faults.rateLimit !== undefined && (!Number.isInteger(faults.rateLimit) || faults.rateLimit < 1)) {
    throw new RangeError(`faults.rateLimit must be an integer ≥ 1 (requests per second), got ${faults.rateLimit}`);
  }
}

/** Xsolla does not document the Event API's error body: the webhook shape by default, or the Xsolla Login one. */
function errorDocument(shape: MockErrorBody, status: number, code: string, message: string): unknown {
  return shape === "login" ? { error: { code: String(status), description: message } } : { error: { code, message } };
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
  const errorShape = options.errorBody ?? "webhook";
  if (errorShape !== "webhook" && errorShape !== "login")
    throw new RangeError(`errorBody must be "webhook" or "login", got ${String(errorShape)}`);
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
    faults: {
      dropped: 0,
      failed: 0,
      ackFailed: 0,
      rateLimited: 0,
      unauthorized: 0,
      overlapped: 0,
      duplicated: 0,
      slow: 0,
      ackLost: 0,
      jwtExpired: 0,
    },
  };
  let windowSecond = -1;
  let windowCount = 0;
  /** API requests accepted per credential, for `jwtExpireAfter`. */
  const uses = new Map<string, number>();

  const sendError = (res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): number =>
    sendJson(res, status, errorDocument(errorShape, status, code, message), headers);

  function takeId(wanted: number | undefined): number {
    if (wanted === undefined) return nextId++;
    if (!Number.isSafeInteger(wanted) || wanted < 0) throw new RangeError(`an event id must be a non-negative integer, got ${wanted}`);
    if (store.has(wanted)) throw new RangeError(`event ${wanted} already exists`);
    nextId = Math.max(nextId, wanted + 1);
    return wanted;
  }

  function enqueue(data: object, enqueueOptions: { id?: number | undefined } = {}): XsollaEvent {
    if (typeof data !== "object" || data === null || Array.isArray(data))
      throw new TypeError("an event's data must be a JSON object (a webhook body)");
    const event: XsollaEvent = {
      id: takeId(enqueueOptions.id),
      status: 0,
      created_at: new Date(now()).toISOString(),
      data: structuredClone(data) as XsollaEvent["data"],
    };
    store.set(event.id, { event, processed: false, processedAt: null, acks: 0 });
    return structuredClone(event);
  }

  function enqueueRaw(raw: unknown): number {
    const id = takeId(undefined);
    store.set(id, {
      event: { id, status: 0, created_at: null, data: {} },
      raw: structuredClone(raw),
      processed: false,
      processedAt: null,
      acks: 0,
    });
    return id;
  }

  const sorted = () => [...store.values()].sort((a, b) => a.event.id - b.event.id);
  const served = (record: MockEventRecord): unknown => ("raw" in record ? record.raw : record.event);

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
    const duplicate = faults.duplicateRate ? rand() < faults.duplicateRate : false;
    if (overlap) stats.faults.overlapped++;
    if (duplicate) stats.faults.duplicated++;
    const afterId = rawAfter === null || overlap ? -1 : Number(rawAfter);
    const types = parseTypes(query);
    const page = sorted()
      .filter((record) => !record.processed && record.event.id > afterId)
      .filter((record) => types.length === 0 || "raw" in record || types.includes(String(record.event.data.notification_type)))
      .slice(0, pageSize)
      .map(served);
    return sendJson(res, 200, { events: duplicate ? [...page, ...page] : page });
  }

  /** Marks an event processed; null when there is no such event. */
  function markProcessed(rawId: string): MockEventRecord | null {
    const record = /^\d+$/.test(rawId) ? store.get(Number(rawId)) : undefined;
    if (!record) return null;
    if (!record.processed) {
      record.processed = true;
      record.processedAt = new Date(now()).toISOString();
      options.onProcessed?.(record.event.id);
    }
    record.acks++;
    return record;
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse): Promise<number> {
    stats.admin++;
    if (req.method === "GET") {
      return sendJson(res, 200, {
        // An entry added with enqueueRaw is listed by its stand-in, with what it serves under `raw`.
        events: sorted().map((r) => ({
          ...r.event,
          ...("raw" in r ? { raw: r.raw } : {}),
          processed: r.processed,
          processed_at: r.processedAt,
        })),
      });
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

  type Injected = { fault: MockRequestLogEntry["fault"]; answered: boolean } | { fault: null; slow: boolean; ackLost: boolean };

  /** Runs the fault pipeline: either a fault answered (or dropped) the request, or it goes on, perhaps slowly. */
  function injectFault(req: IncomingMessage, res: ServerResponse, credentials: Credentials, isAck: boolean): Injected {
    // One draw per configured rate per request, in a fixed order, so a seed replays exactly. Rates added later
    // draw after the older ones, so older seeds keep their faults.
    const drop = faults.dropRate ? rand() < faults.dropRate : false;
    const fail = faults.failRate ? rand() < faults.failRate : false;
    const ackFail = isAck && faults.ackFailRate ? rand() < faults.ackFailRate : false;
    const slow = faults.slowRate ? rand() < faults.slowRate : false;
    const ackLost = isAck && faults.ackLostRate ? rand() < faults.ackLostRate : false;
    if (drop) {
      stats.faults.dropped++;
      req.socket.destroy();
      return { fault: "drop", answered: false };
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
        return { fault: "rate-limit", answered: true };
      }
    }
    if (faults.unauthorized) {
      stats.faults.unauthorized++;
      sendError(res, 401, "UNAUTHORIZED", "invalid credentials (injected)", { "www-authenticate": "Bearer" });
      return { fault: "unauthorized", answered: true };
    }
    const auth = authorised(credentials);
    if (!auth.ok) {
      sendError(res, 401, auth.code, auth.message, { "www-authenticate": "Bearer" });
      return { fault: undefined, answered: true };
    }
    if (faults.jwtExpireAfter !== undefined) {
      const key = credentials.bearer !== null ? `bearer:${credentials.bearer}` : `token:${credentials.token ?? ""}`;
      const used = uses.get(key) ?? 0;
      if (used >= faults.jwtExpireAfter) {
        stats.faults.jwtExpired++;
        sendError(res, 401, "TOKEN_EXPIRED", `the JWT has expired (injected, after ${faults.jwtExpireAfter} requests)`, {
          "www-authenticate": "Bearer",
        });
        return { fault: "jwt-expired", answered: true };
      }
      uses.set(key, used + 1);
    }
    if (fail) {
      stats.faults.failed++;
      sendError(res, 500, "INTERNAL_ERROR", "injected failure");
      return { fault: "fail", answered: true };
    }
    if (ackFail) {
      stats.faults.ackFailed++;
      sendError(res, 500, "INTERNAL_ERROR", "injected ack failure");
      return { fault: "ack-fail", answered: true };
    }
    return { fault: null, slow, ackLost };
  }

  /** Waits `ms` of real time (a slow network, whatever clock the mock's `now` follows); false if the client left. */
  function delay(res: ServerResponse, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(!res.destroyed), ms);
      res.once("close", () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
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
    const injected = injectFault(req, res, credentials, !isList);
    if (injected.fault !== null) {
      finish(injected.answered ? res.statusCode : "dropped", injected.fault);
      return;
    }
    if (injected.slow) stats.faults.slow++;
    const slowFault = injected.slow ? ("slow" as const) : undefined;
    if (isList) {
      if (injected.slow && !(await delay(res, faults.slowMs ?? 2_000))) {
        finish("dropped", slowFault);
        return;
      }
      finish(handleList(res, url.searchParams), slowFault);
      return;
    }
    // An ack is applied first; only then can its answer be slow or lost.
    const record = markProcessed(processed?.[1] ?? "");
    if (record && injected.ackLost) {
      stats.faults.ackLost++;
      req.socket.destroy();
      finish("dropped", "ack-lost");
      return;
    }
    if (injected.slow && !(await delay(res, faults.slowMs ?? 2_000))) {
      finish("dropped", slowFault);
      return;
    }
    if (!record) {
      finish(sendError(res, 404, "NOT_FOUND", `no event ${processed?.[1] ?? ""}`), slowFault);
      return;
    }
    res.writeHead(204).end();
    finish(204, slowFault);
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
    enqueueRaw,
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
    // closeAllConnections (in listenOn) also ends answers still waiting out a slow delay.
    close: listening.close,
  };
}
