// The one place that speaks HTTP as a client. undici gives precise error codes (refused, DNS,
// timeouts, parser errors) that we turn into the exit codes users see.
import { Agent, request } from "undici";
import { flattenHeaders, readCappedBody } from "./http-read.js";
import type { HttpFailure, HttpResult, OutgoingRequest, Transport, TransportErrorKind } from "../core/delivery/types.js";

export const DEFAULT_RESPONSE_LIMIT = 1024 * 1024;

export interface HttpTransport extends Transport {
  close(): Promise<void>;
}

function errorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return "";
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : "";
  return cause && !message.includes(cause) ? `${message} (${cause})` : message;
}

export function classifyTransportError(error: unknown): TransportErrorKind {
  const code = errorCode(error);
  const name = error instanceof Error ? error.name : "";
  if (code === "ECONNREFUSED") return "refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME") return "dns";
  if (name === "TimeoutError" || code === "UND_ERR_CONNECT_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "ETIMEDOUT") return "timeout";
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE" || code === "UND_ERR_CLOSED") return "reset";
  if (code.startsWith("ERR_TLS") || code.includes("CERT") || code === "EPROTO" || code === "DEPTH_ZERO_SELF_SIGNED_CERT") return "tls";
  if (code.startsWith("HPE_") || name === "HTTPParserError" || code === "UND_ERR_RESPONSE_EXCEEDED_MAX_SIZE") return "bad-response";
  return "other";
}

const FAILURE_TEXT: Record<TransportErrorKind, string> = {
  refused: "connection refused",
  dns: "host not found",
  timeout: "timed out",
  reset: "connection closed without an answer",
  tls: "TLS handshake failed",
  "bad-response": "the answer is not valid HTTP",
  other: "request failed",
};

export function createHttpTransport(options: { responseLimit?: number } = {}): HttpTransport {
  const limit = options.responseLimit ?? DEFAULT_RESPONSE_LIMIT;
  // One agent per transport, closed by the command, so no socket outlives the run.
  const agent = new Agent({ connect: { rejectUnauthorized: true }, keepAliveTimeout: 4_000 });
  return {
    async send(req: OutgoingRequest, { timeoutMs, signal }): Promise<HttpResult> {
      const started = performance.now();
      const timeout = AbortSignal.timeout(timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      try {
        const response = await request(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body,
          signal: combined,
          dispatcher: agent,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        const { body, truncated } = await readCappedBody(response.body, limit);
        const headers = flattenHeaders(response.headers);
        return { kind: "response", status: response.statusCode, headers, body, truncated, durationMs: performance.now() - started };
      } catch (error) {
        const durationMs = performance.now() - started;
        if (signal?.aborted) throw signal.reason;
        const kind = timeout.aborted ? "timeout" : classifyTransportError(error);
        const detail = kind === "timeout" ? `no answer within ${timeoutMs} ms` : describe(error);
        const failure: HttpFailure = { kind: "failure", error: { kind, message: `${FAILURE_TEXT[kind]}: ${detail}` }, durationMs };
        return failure;
      }
    },
    close: () => agent.close(),
  };
}
