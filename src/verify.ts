// `xsolla-hooks/verify`: the part of this package a production handler may import. No dependencies but
// node:crypto, nothing loaded besides: check an Xsolla webhook's Authorization header against the raw
// body bytes, in constant time, reading the header as strictly as Xsolla's own PHP SDK does.
import { createHash, timingSafeEqual } from "node:crypto";

/** `Signature <40 lowercase hex>`, nothing before or after (Xsolla's PHP SDK: `~^Signature ([0-9a-f]{40})$~`). */
const HEADER = /^Signature ([0-9a-f]{40})$/;

export type XsollaSignatureCheck = { ok: true } | { ok: false; reason: "missing-header" | "malformed-header" | "mismatch" };

/**
 * Checks `Authorization: Signature sha1(rawBody + secret)`. `rawBody` must be the bytes as received (a Buffer or
 * Uint8Array; a string is taken as UTF-8), never a re-serialised JSON object: that is where real handlers break.
 */
export function verifyXsollaSignature(
  rawBody: Uint8Array | string,
  authorization: string | null | undefined,
  secret: string,
): XsollaSignatureCheck {
  if (typeof secret !== "string" || secret.length === 0) throw new TypeError("secret must be a non-empty string");
  if (typeof rawBody !== "string" && !(rawBody instanceof Uint8Array))
    throw new TypeError("rawBody must be the raw bytes (Buffer) or a string");
  if (authorization === undefined || authorization === null || authorization === "") return { ok: false, reason: "missing-header" };
  const match = HEADER.exec(authorization);
  if (!match) return { ok: false, reason: "malformed-header" };
  const expected = createHash("sha1").update(rawBody).update(secret, "utf8").digest();
  const received = Buffer.from(match[1] as string, "hex");
  return timingSafeEqual(expected, received) ? { ok: true } : { ok: false, reason: "mismatch" };
}

/** The error body Xsolla expects with a rejection, for a 400 answer. */
export function xsollaErrorBody(code: "INVALID_SIGNATURE" | "INVALID_USER" | "INVALID_PARAMETER" | (string & {}), message: string): string {
  return JSON.stringify({ error: { code, message } });
}
