// A small client for Xsolla's Event API (docs/xsolla-contract.md §5): list unprocessed events, mark one processed.
// Pure parts (URLs, Retry-After, classifying an answer) are exported on their own; the I/O wrapper
// around undici only reads bytes (capped at 1 MiB) and turns failures into EventApiError.
import { Agent, request, type Dispatcher } from "../adapters/undici.js";
import { UsageError, ErrorCode } from "../core/errors.js";
import { classifyTransportError, describeTransportError, TRANSPORT_FAILURE_TEXT } from "../core/delivery/transport-errors.js";
import type { TransportErrorKind } from "../core/delivery/types.js";
import { EventApiError } from "./errors.js";
import { describeDistance, jwtExpiry, maskToken, redactSecrets } from "./jwt.js";
import { parseEventsPage, type RejectedEvent, type XsollaEvent } from "./schema.js";
import { flattenHeaders, readCappedBody } from "../adapters/http-read.js";

export const EVENT_API_BASE_URL = "https://getupdate.xsolla.com";
export const DEFAULT_EVENT_API_TIMEOUT_MS = 15_000;
export const EVENT_API_RESPONSE_LIMIT = 1024 * 1024;
const EXCERPT_LENGTH = 200;

export type EventApiAuth = { kind: "jwt"; jwt: string } | { kind: "token"; token: string };

export interface EventApiClientOptions {
  /** Defaults to https://getupdate.xsolla.com. May carry a path prefix (e.g. Redocly's mock). */
  baseUrl?: string | undefined;
  /** A Xsolla Login user JWT (sent as `Authorization: Bearer`), or a payment token (sent as `token=`). */
  auth: EventApiAuth;
  /** Sent as `project_id=` on both calls, as the Unity SDK does; omitted when not set. */
  projectId?: string | number | undefined;
  /** Per request, headers and body together. Default 15 s. */
  timeoutMs?: number | undefined;
  /** An undici dispatcher to use (e.g. a MockAgent); the client then does not close it. */
  dispatcher?: Dispatcher | undefined;
  /** Wall time for messages ("expired 3 h ago") and HTTP-date Retry-After. Default Date.now. */
  now?: (() => number) | undefined;
  /** Default 1 MiB. */
  maxResponseBytes?: number | undefined;
}

export interface ListEventsOptions {
  /** Only events with a higher id. Omitted from the query when undefined. */
  afterId?: number | undefined;
  /** notification_type filter, sent as repeated `types=` parameters. */
  types?: readonly string[] | undefined;
  signal?: AbortSignal | undefined;
}

/** One answer of `GET /events`, checked event by event. */
export interface EventsPage {
  /** The usable events, as the server ordered them. */
  events: XsollaEvent[];
  /** Entries that are not usable events (a bad id, `data` not an object, ...), with their problems. */
  rejected: RejectedEvent[];
}

export interface EventApiClient {
  /** The normalised base URL (no credentials), for messages. */
  readonly baseUrl: string;
  /** `GET /events`: the unprocessed events, as the server ordered them. One malformed event fails the call (bad-response). */
  listEvents(options?: ListEventsOptions): Promise<XsollaEvent[]>;
  /** `GET /events`, leniently: a malformed event is set aside in `rejected` and the others are returned. */
  listEventsPage(options?: ListEventsOptions): Promise<EventsPage>;
  /** `POST /events/{id}/processed`: any 2xx is success; 404 throws kind "not-found". */
  markProcessed(id: number, options?: { signal?: AbortSignal | undefined }): Promise<void>;
  /** Closes the client's own connection pool (not an injected dispatcher). */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Pure parts

export interface ResolvedClientConfig {
  baseUrl: string;
  auth: EventApiAuth;
  projectId: string | undefined;
  timeoutMs: number;
  maxResponseBytes: number;
}

/** Validates options; throws UsageError (exit 2) for a bad base URL, an empty credential or a bad timeout. */
export function resolveClientConfig(options: EventApiClientOptions): ResolvedClientConfig {
  const rawBase = options.baseUrl ?? EVENT_API_BASE_URL;
  let url: URL;
  try {
    url = new URL(rawBase);
  } catch {
    throw new UsageError(`the Event API base URL is not a URL: ${JSON.stringify(rawBase)}`, { code: ErrorCode.BadInput });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`the Event API base URL must be http(s), not ${url.protocol}`, { code: ErrorCode.BadInput });
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new UsageError("the Event API base URL must not carry credentials, a query or a fragment", { code: ErrorCode.BadInput });
  }
  const auth = normaliseAuth(options.auth);
  const timeoutMs = options.timeoutMs ?? DEFAULT_EVENT_API_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new UsageError(`timeout must be a positive number of ms, got ${timeoutMs}`, { code: ErrorCode.BadInput });
  const projectId = options.projectId === undefined ? undefined : String(options.projectId).trim();
  if (projectId === "") throw new UsageError("project_id is empty", { code: ErrorCode.BadInput });
  return {
    baseUrl: url.href.endsWith("/") ? url.href : `${url.href}/`,
    auth,
    projectId,
    timeoutMs,
    maxResponseBytes: options.maxResponseBytes ?? EVENT_API_RESPONSE_LIMIT,
  };
}

function normaliseAuth(auth: EventApiAuth): EventApiAuth {
  if (auth.kind === "jwt") {
    // People paste the whole header value; accept it.
    const jwt = auth.jwt.trim().replace(/^Bearer\s+/i, "");
    if (jwt === "")
      throw new UsageError("the Xsolla Login JWT is empty", {
        code: ErrorCode.MissingSecret,
        hint: "pass a user JWT, or a payment token instead",
      });
    if (/\s/.test(jwt)) throw new UsageError(`the JWT ${maskToken(jwt)} contains whitespace`, { code: ErrorCode.BadInput });
    return { kind: "jwt", jwt };
  }
  const token = auth.token.trim();
  if (token === "")
    throw new UsageError("the payment token is empty", {
      code: ErrorCode.MissingSecret,
      hint: "pass a payment token, or a user JWT instead",
    });
  return { kind: "token", token };
}

function checkEventId(id: number, what: string): void {
  if (!Number.isSafeInteger(id) || id < 0)
    throw new UsageError(`${what} must be a non-negative integer, got ${String(id)}`, { code: ErrorCode.BadInput });
}

/**
 * `GET {base}events?after_id=N&types=a&types=b&project_id=P[&token=T]`. `types` is repeated: Xsolla
 * documents an array but not its encoding (see UNDOCUMENTED).
 */
export function buildListUrl(
  config: Pick<ResolvedClientConfig, "baseUrl" | "auth" | "projectId">,
  options: Pick<ListEventsOptions, "afterId" | "types"> = {},
): URL {
  const url = new URL("events", config.baseUrl);
  if (options.afterId !== undefined) {
    checkEventId(options.afterId, "after_id");
    url.searchParams.append("after_id", String(options.afterId));
  }
  for (const type of options.types ?? []) {
    if (type.trim() !== "") url.searchParams.append("types", type.trim());
  }
  appendCommon(url, config);
  return url;
}

/** `POST {base}events/{id}/processed[?project_id=P][&token=T]`. */
export function buildProcessedUrl(config: Pick<ResolvedClientConfig, "baseUrl" | "auth" | "projectId">, id: number): URL {
  checkEventId(id, "event id");
  const url = new URL(`events/${id}/processed`, config.baseUrl);
  appendCommon(url, config);
  return url;
}

function appendCommon(url: URL, config: Pick<ResolvedClientConfig, "auth" | "projectId">): void {
  if (config.projectId !== undefined) url.searchParams.append("project_id", config.projectId);
  if (config.auth.kind === "token") url.searchParams.append("token", config.auth.token);
}

export function buildHeaders(auth: EventApiAuth): Record<string, string> {
  const headers: Record<string, string> = { accept: "application/json", "user-agent": "xsolla-hooks" };
  // With a payment token there is no Authorization header at all (docs/xsolla-contract.md §5).
  if (auth.kind === "jwt") headers["authorization"] = `Bearer ${auth.jwt}`;
  return headers;
}

/** Retry-After as ms from `nowMs`: delta-seconds ("120") or an HTTP date. Null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined | null, nowMs: number): number | null {
  if (value === undefined || value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[A-Za-z]/.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

export interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
  truncated: boolean;
}

export interface AnswerContext {
  /** `GET /events` or `POST /events/42/processed`: never the query (it may hold the token). */
  what: string;
  operation: "list" | "processed";
  auth: EventApiAuth;
  nowMs: number;
  maxResponseBytes: number;
  baseUrl: string;
}

function secretsOf(auth: EventApiAuth): string[] {
  return [auth.kind === "jwt" ? auth.jwt : auth.token];
}

/** At most 200 characters of a body, one line, credentials masked; undefined when empty. */
export function bodyExcerpt(body: Uint8Array, secrets: readonly string[]): string | undefined {
  const text = Buffer.from(body.subarray(0, EXCERPT_LENGTH * 4))
    .toString("utf8")
    .replace(/\s+/g, " ")
    .trim();
  if (text === "") return undefined;
  const clipped = text.length > EXCERPT_LENGTH ? `${text.slice(0, EXCERPT_LENGTH)}…` : text;
  return redactSecrets(clipped, secrets);
}

const withExcerpt = (message: string, excerpt: string | undefined) => (excerpt ? `${message}: ${excerpt}` : message);

/** Any non-2xx answer, as the error it means. */
export function errorForStatus(answer: RawReply, context: AnswerContext): EventApiError {
  const { status } = answer;
  const excerpt = bodyExcerpt(answer.body, secretsOf(context.auth));
  const retryAfterMs = parseRetryAfter(answer.headers["retry-after"], context.nowMs);
  const common = { status, bodyExcerpt: excerpt, retryAfterMs };
  if (status === 401 || status === 403) return authError(answer, context, excerpt);
  if (status === 429) {
    const wait = retryAfterMs === null ? "no Retry-After" : `Retry-After ${Math.ceil(retryAfterMs / 1000)} s`;
    return new EventApiError("rate-limited", `${context.what}: rate limited (HTTP 429, ${wait})`, common);
  }
  if (status >= 500) return new EventApiError("server", withExcerpt(`${context.what}: server error (HTTP ${status})`, excerpt), common);
  if (status === 404) {
    if (context.operation === "processed") {
      return new EventApiError("not-found", withExcerpt(`${context.what}: no such event (HTTP 404)`, excerpt), {
        ...common,
        hint: "the id is unknown to the Event API for these credentials; list events to see the ids",
      });
    }
    return new EventApiError("not-found", `${context.what}: HTTP 404 from ${context.baseUrl}`, {
      ...common,
      hint: `is the base URL right? Xsolla's is ${EVENT_API_BASE_URL}`,
    });
  }
  if (status >= 300 && status < 400) {
    const location = answer.headers["location"];
    const to = location ? ` to ${redactSecrets(location.slice(0, EXCERPT_LENGTH), secretsOf(context.auth))}` : "";
    return new EventApiError("bad-response", `${context.what}: unexpected redirect (HTTP ${status})${to}`, common);
  }
  return new EventApiError("rejected", withExcerpt(`${context.what}: the request was refused (HTTP ${status})`, excerpt), common);
}

function authError(answer: RawReply, context: AnswerContext, excerpt: string | undefined): EventApiError {
  const refused = answer.status === 401 ? "unauthorized" : "forbidden";
  if (context.auth.kind === "token") {
    return new EventApiError(
      "auth",
      `${context.what}: the Event API refused the payment token ${maskToken(context.auth.token)} (HTTP ${answer.status} ${refused})`,
      {
        status: answer.status,
        bodyExcerpt: excerpt,
        hint: "payment tokens are short-lived: create a new one, or use a Xsolla Login user JWT",
      },
    );
  }
  const expiry = jwtExpiry(context.auth.jwt);
  const expired = expiry !== null && expiry.getTime() <= context.nowMs;
  let detail = "";
  if (expiry !== null) {
    const when = `${expiry.toISOString()} (${describeDistance(context.nowMs, expiry.getTime())})`;
    detail = expired ? `: it expired at ${when}` : `; it expires at ${when}`;
  }
  const hint = expired
    ? "get a fresh Xsolla Login user JWT and run again"
    : answer.status === 403
      ? "the JWT is valid but not allowed here: check project_id and that the Event API is enabled for the project (Xsolla's CSM turns it on)"
      : "check that this is a Xsolla Login user JWT for the project, not a server API key";
  return new EventApiError(
    "auth",
    `${context.what}: the Event API refused the JWT ${maskToken(context.auth.jwt)} (HTTP ${answer.status} ${refused})${detail}`,
    {
      status: answer.status,
      bodyExcerpt: excerpt,
      expiredAt: expiry,
      hint,
    },
  );
}

/** The answer to `GET /events`, checked event by event: the page, or the error it means. */
export function interpretListPage(answer: RawReply, context: AnswerContext): EventsPage | EventApiError {
  if (answer.status < 200 || answer.status >= 300) return errorForStatus(answer, context);
  const status = answer.status;
  if (answer.truncated) {
    return new EventApiError("bad-response", `${context.what}: the answer is larger than ${formatBytes(context.maxResponseBytes)}`, {
      status,
    });
  }
  const text = Buffer.from(answer.body)
    .toString("utf8")
    .replace(/^\uFEFF/, "");
  if (text.trim() === "")
    return new EventApiError("bad-response", `${context.what}: empty answer (HTTP ${status}), expected JSON`, { status });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : "invalid JSON";
    return new EventApiError(
      "bad-response",
      `${context.what}: the answer is not JSON (${redactSecrets(reason ?? "", secretsOf(context.auth))})`,
      {
        status,
        bodyExcerpt: bodyExcerpt(answer.body, secretsOf(context.auth)),
      },
    );
  }
  const parsed = parseEventsPage(json);
  if (parsed.ok) return { events: parsed.events, rejected: parsed.rejected };
  return wrongShape(context, status, parsed.problems);
}

function wrongShape(context: AnswerContext, status: number, problems: readonly string[]): EventApiError {
  const shown = problems.slice(0, 5).join("; ");
  const more = problems.length > 5 ? ` (+${problems.length - 5} more)` : "";
  return new EventApiError("bad-response", `${context.what}: the answer has the wrong shape: ${shown}${more}`, {
    status,
    problems,
  });
}

/** The answer to `GET /events`, strictly: the events, or the error it means (one malformed event is enough). */
export function interpretListAnswer(answer: RawReply, context: AnswerContext): XsollaEvent[] | EventApiError {
  const page = interpretListPage(answer, context);
  if (page instanceof EventApiError) return page;
  if (page.rejected.length > 0) return wrongShape(context, answer.status, [...new Set(page.rejected.flatMap((r) => r.problems))]);
  return page.events;
}

/** The answer to `POST /events/{id}/processed`: null when it succeeded (any 2xx; the body is ignored). */
export function interpretProcessedAnswer(answer: RawReply, context: AnswerContext): EventApiError | null {
  return answer.status >= 200 && answer.status < 300 ? null : errorForStatus(answer, context);
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

/** A failure without an HTTP answer, as a `network` error. */
export function networkError(error: unknown, context: Pick<AnswerContext, "what" | "auth">, timedOutAfterMs: number | null): EventApiError {
  const transportKind: TransportErrorKind = timedOutAfterMs !== null ? "timeout" : classifyTransportError(error);
  const detail =
    timedOutAfterMs !== null
      ? `no answer within ${timedOutAfterMs} ms`
      : redactSecrets(describeTransportError(error), secretsOf(context.auth));
  return new EventApiError("network", `${context.what}: ${TRANSPORT_FAILURE_TEXT[transportKind]}: ${detail}`, {
    transportKind,
    cause: error,
  });
}

// ---------------------------------------------------------------------------------------------
// I/O

export function createEventApiClient(options: EventApiClientOptions): EventApiClient {
  const config = resolveClientConfig(options);
  const now = options.now ?? Date.now;
  const ownAgent = options.dispatcher ? null : new Agent({ keepAliveTimeout: 4_000, connections: 16 });
  const dispatcher: Dispatcher = options.dispatcher ?? (ownAgent as Agent);
  const shownBase = config.baseUrl;

  async function send(method: "GET" | "POST", url: URL, context: AnswerContext, signal: AbortSignal | undefined): Promise<RawReply> {
    const timeout = AbortSignal.timeout(config.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const response = await request(url, {
        method,
        headers: buildHeaders(config.auth),
        signal: combined,
        dispatcher,
        headersTimeout: config.timeoutMs,
        bodyTimeout: config.timeoutMs,
      });
      const { body, truncated } = await readCappedBody(response.body, config.maxResponseBytes);
      const headers = flattenHeaders(response.headers);
      return { status: response.statusCode, headers, body, truncated };
    } catch (error) {
      // The caller's abort is not a failure of the API: rethrow its reason untouched.
      if (signal?.aborted) throw signal.reason;
      throw networkError(error, context, timeout.aborted ? config.timeoutMs : null);
    }
  }

  const contextFor = (what: string, operation: AnswerContext["operation"]): AnswerContext => ({
    what,
    operation,
    auth: config.auth,
    nowMs: now(),
    maxResponseBytes: config.maxResponseBytes,
    baseUrl: shownBase,
  });

  return {
    baseUrl: shownBase,
    async listEvents(listOptions = {}) {
      const url = buildListUrl(config, listOptions);
      const context = contextFor("GET /events", "list");
      const answer = await send("GET", url, context, listOptions.signal);
      const result = interpretListAnswer(answer, { ...context, nowMs: now() });
      if (result instanceof EventApiError) throw result;
      return result;
    },
    async listEventsPage(listOptions = {}) {
      const url = buildListUrl(config, listOptions);
      const context = contextFor("GET /events", "list");
      const answer = await send("GET", url, context, listOptions.signal);
      const result = interpretListPage(answer, { ...context, nowMs: now() });
      if (result instanceof EventApiError) throw result;
      return result;
    },
    async markProcessed(id, markOptions = {}) {
      const url = buildProcessedUrl(config, id);
      const context = contextFor(`POST /events/${id}/processed`, "processed");
      const answer = await send("POST", url, context, markOptions.signal);
      const error = interpretProcessedAnswer(answer, { ...context, nowMs: now() });
      if (error) throw error;
    },
    async close() {
      if (ownAgent) await ownAgent.close();
    },
  };
}
