// Xsolla's webhook signature: lowercase hex SHA-1 of <raw body bytes><secret>, sent as
// `Authorization: Signature <hex>`. No HMAC, no timestamp. We hash bytes, never objects, so the
// bytes that are signed are the bytes that are sent.
import { createHash, timingSafeEqual } from "node:crypto";

export type RawBody = Uint8Array | string;

const SIGNATURE_VALUE = /^Signature ([0-9a-f]{40})$/;

function toBytes(body: RawBody): Uint8Array {
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (body instanceof Uint8Array) return body;
  throw new TypeError("body must be the raw bytes (Uint8Array) or a string, not a parsed object");
}

/** Lowercase hex SHA-1 of the body bytes followed by the secret's UTF-8 bytes. */
export function signBody(body: RawBody, secret: string): string {
  if (typeof secret !== "string" || secret.length === 0) throw new TypeError("secret must be a non-empty string");
  return createHash("sha1").update(toBytes(body)).update(secret, "utf8").digest("hex");
}

export function formatSignatureHeader(signature: string): string {
  return `Signature ${signature}`;
}

/** The 40-hex signature of a strict `Signature <hex>` value (as Xsolla's PHP SDK parses it), or null. */
export function parseSignatureHeader(value: string | undefined | null): string | null {
  if (typeof value !== "string") return null;
  const match = SIGNATURE_VALUE.exec(value);
  return match ? (match[1] ?? null) : null;
}

export type VerifyResult =
  | { ok: true; expected: string }
  | { ok: false; reason: "missing-header" | "malformed-header" | "mismatch"; expected: string; received: string | null };

/** Constant-time check of an Authorization header value against the exact body bytes. */
export function verifySignature(body: RawBody, secret: string, authorization: string | undefined | null): VerifyResult {
  const expected = signBody(body, secret);
  if (authorization === undefined || authorization === null || authorization === "") {
    return { ok: false, reason: "missing-header", expected, received: null };
  }
  const received = parseSignatureHeader(authorization);
  if (received === null) return { ok: false, reason: "malformed-header", expected, received: authorization };
  const same = timingSafeEqual(Buffer.from(expected, "latin1"), Buffer.from(received, "latin1"));
  return same ? { ok: true, expected } : { ok: false, reason: "mismatch", expected, received };
}

/** A secret for display: never whole. `abcd…wxyz (32 chars)`; short secrets show nothing. */
export function maskSecret(secret: string): string {
  if (secret.length <= 8) return `${"*".repeat(Math.min(secret.length, 4))} (${secret.length} chars)`;
  return `${secret.slice(0, 2)}…${secret.slice(-2)} (${secret.length} chars)`;
}
