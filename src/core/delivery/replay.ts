// Re-sending a captured request as it was: same body bytes, same headers (signature included),
// except the ones that belong to the old connection. `resignWith` signs the bytes with another secret.
import type { CapturedRequest } from "../http-capture.js";
import { formatSignatureHeader, parseSignatureHeader, signBody } from "../signature.js";
import type { SignedRequest } from "./request.js";

// Connection-level headers: the new request gets its own from the HTTP client.
export const CONNECTION_HEADERS: ReadonlySet<string> = new Set([
  "host",
  "content-length",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "expect",
  "proxy-connection",
  "proxy-authorization",
]);

export function replayCapturedRequest(
  captured: CapturedRequest,
  url: string,
  resignWith?: string,
  extraHeaders: Record<string, string> = {},
): SignedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of captured.headers) {
    const key = name.toLowerCase();
    if (CONNECTION_HEADERS.has(key)) continue;
    // Repeated headers join as HTTP allows; Authorization appears once in a real delivery.
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
  }
  if (resignWith !== undefined) headers.authorization = formatSignatureHeader(signBody(captured.body, resignWith));
  Object.assign(headers, extraHeaders);
  const signature = parseSignatureHeader(headers.authorization);
  return {
    request: { url, method: "POST", headers, body: captured.body },
    signature,
    signedCorrectly: resignWith !== undefined ? true : undefined,
  };
}
