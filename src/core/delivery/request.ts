// The request Xsolla would send: the exact bytes, their signature, JSON content headers.
import { formatSignatureHeader, parseSignatureHeader, signBody } from "../signature.js";
import type { OutgoingRequest } from "./types.js";

export type SignatureMode = "valid" | "wrong-secret" | "none";

export interface SignedRequest {
  request: OutgoingRequest;
  /** The signature in the Authorization header as sent (an override included), or null when there is none. */
  signature: string | null;
  /** The signature is right for these bytes and the project's secret (unknown for a replayed capture). */
  signedCorrectly?: boolean | undefined;
}

/** A different secret that is derived, not random, so a bad-signature send is repeatable. */
export function wrongSecretFor(secret: string): string {
  return `${secret}-not-the-project-secret`;
}

export function buildWebhookRequest(
  url: string,
  bytes: Uint8Array,
  secret: string,
  mode: SignatureMode = "valid",
  extraHeaders: Record<string, string> = {},
): SignedRequest {
  const signature = mode === "none" ? null : signBody(bytes, mode === "valid" ? secret : wrongSecretFor(secret));
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json", "user-agent": "xsolla-hooks" };
  if (signature) headers.authorization = formatSignatureHeader(signature);
  // Header names are case-insensitive: "Authorization" replaces ours rather than going out twice.
  for (const name in extraHeaders) headers[name.toLowerCase()] = extraHeaders[name] as string;
  // An Authorization override is what goes out, so it is what is reported.
  const sent = headers.authorization === undefined ? null : parseSignatureHeader(headers.authorization);
  return {
    request: { url, method: "POST", headers, body: bytes },
    signature: sent,
    signedCorrectly: mode === "valid" && sent === signature,
  };
}
