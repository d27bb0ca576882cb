// `xsolla-hooks/verify`: the part of this package a production handler may import. It loads only
// core/signature.ts (node:crypto, nothing else): check an Xsolla webhook's Authorization header against
// the raw body bytes, in constant time, reading the header as strictly as Xsolla's own PHP SDK does.
import { verifySignature } from "./core/signature.js";

export type XsollaSignatureCheck = { ok: true } | { ok: false; reason: "missing-header" | "malformed-header" | "mismatch" };

/**
 * Checks `Authorization: Signature sha1(rawBody + secret)`. `rawBody` must be the bytes as received (a Buffer or
 * Uint8Array; a string is taken as UTF-8), never a re-serialised JSON object: that is where real handlers break.
 * The expected digest is not returned, so nothing derived from the secret can leak into a response or a log.
 */
export function verifyXsollaSignature(
  rawBody: Uint8Array | string,
  authorization: string | null | undefined,
  secret: string,
): XsollaSignatureCheck {
  const result = verifySignature(rawBody, secret, authorization);
  return result.ok ? { ok: true } : { ok: false, reason: result.reason };
}

/** The error body Xsolla expects with a rejection, for a 400 answer. */
export function xsollaErrorBody(code: "INVALID_SIGNATURE" | "INVALID_USER" | "INVALID_PARAMETER" | (string & {}), message: string): string {
  return JSON.stringify({ error: { code, message } });
}
