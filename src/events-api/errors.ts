// One error class for everything the Event API can do wrong, with a `kind` the poller and the CLI
// switch on. It extends the tool's XsollaHooksError, so `cli/main.ts` renders it and picks the
// exit code like any other. Messages are one line and never hold the JWT or payment token whole.
import { ErrorCode, ExitCode, XsollaHooksError, type ErrorOptions } from "../core/errors.js";
import type { TransportErrorKind } from "../core/delivery/types.js";

export type EventApiErrorKind =
  /** 401/403: the JWT or payment token was refused (expired, wrong project, revoked). Not retried. */
  | "auth"
  /** 429: retried after Retry-After, else with backoff. */
  | "rate-limited"
  /** 5xx: retried with backoff (or after Retry-After when the server sent one). */
  | "server"
  /** No HTTP answer: refused, DNS, reset, timeout, TLS. Retried with backoff. */
  | "network"
  /** A 2xx that is not JSON, has the wrong shape, is over the size cap, or a redirect. Not retried. */
  | "bad-response"
  /** 404: no such event (on /processed), or a wrong base URL (on /events). Not retried. */
  | "not-found"
  /** Any other 4xx (400, 405, 422, ...): the request itself was refused. Not retried. */
  | "rejected";

export const RETRYABLE_KINDS: ReadonlySet<EventApiErrorKind> = new Set(["rate-limited", "server", "network"]);

export interface EventApiErrorDetails extends ErrorOptions {
  /** HTTP status, or null when no answer arrived. */
  status?: number | null | undefined;
  /** From Retry-After (429, or a 5xx that sent one), in ms; null when absent or unparseable. */
  retryAfterMs?: number | null | undefined;
  /** For `network`: how the connection failed (from classifyTransportError). */
  transportKind?: TransportErrorKind | undefined;
  /** For `bad-response`: every schema problem, one per entry, each naming its path. */
  problems?: readonly string[] | undefined;
  /** For `auth`: the JWT's `exp`, when it had one. */
  expiredAt?: Date | null | undefined;
  /** At most 200 characters of the response body, one line, credentials masked. */
  bodyExcerpt?: string | undefined;
}

function codeFor(kind: EventApiErrorKind, transportKind: TransportErrorKind | undefined): { code: ErrorCode; exitCode: ExitCode } {
  switch (kind) {
    // The user fixes these by changing the call: a fresh JWT, another event id, other flags (exit 2).
    case "auth":
    case "not-found":
    case "rejected":
      return { code: ErrorCode.BadInput, exitCode: ExitCode.Usage };
    case "bad-response":
      return { code: ErrorCode.BadResponse, exitCode: ExitCode.Unreachable };
    case "network":
      return { code: transportKind === "timeout" ? ErrorCode.Timeout : ErrorCode.Unreachable, exitCode: ExitCode.Unreachable };
    case "rate-limited":
    case "server":
      return { code: ErrorCode.Unreachable, exitCode: ExitCode.Unreachable };
  }
}

export class EventApiError extends XsollaHooksError {
  readonly kind: EventApiErrorKind;
  readonly status: number | null;
  readonly retryAfterMs: number | null;
  readonly transportKind: TransportErrorKind | undefined;
  readonly problems: readonly string[];
  readonly expiredAt: Date | null;
  readonly bodyExcerpt: string | undefined;

  constructor(kind: EventApiErrorKind, message: string, details: EventApiErrorDetails = {}) {
    const { code, exitCode } = codeFor(kind, details.transportKind);
    super(code, exitCode, message, { hint: details.hint, cause: details.cause });
    this.name = "EventApiError";
    this.kind = kind;
    this.status = details.status ?? null;
    this.retryAfterMs = details.retryAfterMs ?? null;
    this.transportKind = details.transportKind;
    this.problems = details.problems ?? [];
    this.expiredAt = details.expiredAt ?? null;
    this.bodyExcerpt = details.bodyExcerpt;
  }

  get retryable(): boolean {
    return RETRYABLE_KINDS.has(this.kind);
  }
}

export function isEventApiError(error: unknown): error is EventApiError {
  return error instanceof EventApiError;
}
