// Reading a JWT without verifying it: the Event API client only needs `exp` to explain a 401
// ("your JWT expired 3 h ago"), and masking so that no message ever holds a credential whole.
// Nothing here trusts the claims: verification is Xsolla's job, not ours.

export type JwtClaims = Record<string, unknown>;

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * The payload of a compact JWS (`header.payload.signature`), base64url-decoded and JSON-parsed.
 * No signature check. Returns null when `jwt` is not shaped like a JWT or the payload is not a JSON object.
 */
export function decodeJwtClaims(jwt: string): JwtClaims | null {
  const parts = jwt.trim().split(".");
  if (parts.length !== 3) return null;
  const [header, payload] = parts as [string, string, string];
  if (header === "" || payload === "" || !BASE64URL.test(header) || !BASE64URL.test(payload)) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    if (typeof claims !== "object" || claims === null || Array.isArray(claims)) return null;
    return claims as JwtClaims;
  } catch {
    return null;
  }
}

/** The `exp` claim (seconds since the epoch, RFC 7519 §4.1.4) as a Date; null when absent or not a number. */
export function jwtExpiry(jwt: string): Date | null {
  const exp = decodeJwtClaims(jwt)?.["exp"];
  if (typeof exp !== "number" || !Number.isFinite(exp)) return null;
  const date = new Date(exp * 1000);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Shortest token that may show 10 characters: at most half of it is ever visible. */
const MIN_PARTIAL_LENGTH = 20;

/**
 * A JWT or payment token for display, never whole: `eyJhbG…x9Qk (187 chars)`. Tokens shorter than
 * 20 characters are masked completely: `****** (12 chars)`.
 */
export function maskToken(token: string): string {
  if (token.length < MIN_PARTIAL_LENGTH) return `****** (${token.length} chars)`;
  return `${token.slice(0, 6)}…${token.slice(-4)} (${token.length} chars)`;
}

/** Replaces every occurrence of each secret in `text` by its mask (for server excerpts and library error text). */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join(maskToken(secret));
  }
  return out;
}

/** "3 h ago" / "in 5 min": a rough, human distance between two instants. */
export function describeDistance(fromMs: number, toMs: number): string {
  const delta = toMs - fromMs;
  const abs = Math.abs(delta);
  const text =
    abs < 60_000
      ? `${Math.round(abs / 1000)} s`
      : abs < 3_600_000
        ? `${Math.round(abs / 60_000)} min`
        : abs < 172_800_000
          ? `${Math.round(abs / 3_600_000)} h`
          : `${Math.round(abs / 86_400_000)} d`;
  return delta <= 0 ? `${text} ago` : `in ${text}`;
}
