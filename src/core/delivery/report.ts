// The --json shape of a delivery, and short human descriptions of one attempt.
import { formatDuration } from "../duration.js";
import type { AttemptRecord, DeliveryReport } from "./types.js";

export interface AttemptJson {
  attempt: number;
  /** When the attempt was (or, on the virtual clock, would have been) made. */
  at: string;
  status: number | null;
  durationMs: number;
  offsetSeconds: number;
  error: string | null;
  errorKind: string | null;
  body: string | null;
  bodyTruncated: boolean;
  verdict: string;
}

const BODY_JSON_LIMIT = 64 * 1024;

export function attemptToJson(record: AttemptRecord): AttemptJson {
  const { result } = record;
  const body = result.kind === "reply" ? Buffer.from(result.body).toString("utf8") : null;
  return {
    attempt: record.attempt,
    at: new Date(record.at).toISOString(),
    status: result.kind === "reply" ? result.status : null,
    durationMs: Math.round(result.durationMs * 10) / 10,
    offsetSeconds: Math.round(record.offsetMs / 1000),
    error: result.kind === "no-reply" ? result.error.message : null,
    errorKind: result.kind === "no-reply" ? result.error.kind : null,
    body: body === null ? null : body.slice(0, BODY_JSON_LIMIT),
    bodyTruncated: result.kind === "reply" ? result.truncated || (body?.length ?? 0) > BODY_JSON_LIMIT : false,
    verdict: record.decision,
  };
}

export function deliveryToJson(report: DeliveryReport): AttemptJson[] {
  return report.attempts.map(attemptToJson);
}

/** `+1h55m`, `+5m`, `+0s`: offsets on a retry timeline. */
export function formatOffset(ms: number): string {
  return `+${formatDuration(ms)}`;
}

const REASONS: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export function statusText(status: number): string {
  const reason = REASONS[status];
  return reason ? `${status} ${reason}` : String(status);
}
