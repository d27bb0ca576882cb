// What went wrong when no HTTP answer came: a stable kind from Node/undici error codes, and words for it.
import type { NoReply, TransportErrorKind } from "./types.js";

function errorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return "";
}

export function describeTransportError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : "";
  return cause && !message.includes(cause) ? `${message} (${cause})` : message;
}

export function classifyTransportError(error: unknown): TransportErrorKind {
  const code = errorCode(error);
  const name = error instanceof Error ? error.name : "";
  if (code === "ECONNREFUSED") return "refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME") return "dns";
  if (
    name === "TimeoutError" ||
    code === "UND_ERR_CONNECT_TIMEOUT" ||
    code === "UND_ERR_HEADERS_TIMEOUT" ||
    code === "UND_ERR_BODY_TIMEOUT" ||
    code === "ETIMEDOUT"
  )
    return "timeout";
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE" || code === "UND_ERR_CLOSED") return "reset";
  if (code.startsWith("ERR_TLS") || code.includes("CERT") || code === "EPROTO" || code === "DEPTH_ZERO_SELF_SIGNED_CERT") return "tls";
  if (code.startsWith("HPE_") || name === "HTTPParserError" || code === "UND_ERR_RESPONSE_EXCEEDED_MAX_SIZE") return "bad-response";
  return "other";
}

export const TRANSPORT_FAILURE_TEXT: Record<TransportErrorKind, string> = {
  refused: "connection refused",
  dns: "host not found",
  timeout: "timed out",
  reset: "connection closed without an answer",
  tls: "TLS handshake failed",
  "bad-response": "the answer is not valid HTTP",
  interrupted: "interrupted",
  other: "request failed",
};

/** The attempt Ctrl-C or SIGTERM cut short, said as truthfully as the transport knows it. */
export function interruptedNoReply(requestSent: boolean | "unknown", durationMs: number): NoReply {
  const message =
    requestSent === "unknown"
      ? "interrupted: no answer yet"
      : requestSent
        ? "interrupted: the request was sent, no answer yet"
        : "interrupted before the request was sent";
  return { kind: "no-reply", error: { kind: "interrupted", message }, durationMs };
}
