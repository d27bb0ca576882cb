// What the inspector page shows of one received request: the ids a developer searches for, the body as
// readable text with every byte accounted for, and a pretty JSON view. Pure: the server in
// src/server/inspector.ts does the HTTP; the page only puts these strings into the DOM as text.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" || typeof v === "number" ? String(v) : undefined);
const at = (root: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((node, key) => (isObj(node) ? node[key] : undefined), root);

export interface DeliveryIds {
  user: string | null;
  transaction: string | null;
  order: string | null;
}

/** user, transaction and order ids where Xsolla's notification types put them. */
export function deliveryIds(body: unknown): DeliveryIds {
  const user =
    str(at(body, "user", "id")) ?? str(at(body, "user", "external_id")) ?? str(at(body, "user", "user_id")) ?? str(at(body, "user_id"));
  const transaction = str(at(body, "transaction", "id")) ?? str(at(body, "billing", "transaction", "id"));
  const order = str(at(body, "order", "id"));
  return { user: user ?? null, transaction: transaction ?? null, order: order ?? null };
}

/** The parsed JSON body, or undefined when the bytes are not JSON. */
export function parseJsonBody(body: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

export interface BodyText {
  /** The body as UTF-8 text; bytes that are not valid UTF-8 and control characters other than \n and \t as \xNN. */
  text: string;
  /** True when only the first `limit` bytes are in `text`. */
  truncated: boolean;
  /** True when some byte had to be written as \xNN (the raw download has the exact bytes). */
  escaped: boolean;
}

/**
 * Readable text that still shows every byte: a CR, a BOM or a stray latin1 byte is exactly what breaks a
 * signature, so it must be visible rather than silently decoded away.
 */
export function bodyAsText(body: Uint8Array, limit: number): BodyText {
  const bytes = Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, limit));
  let text = "";
  let escaped = false;
  const hex = (byte: number) => `\\x${byte.toString(16).padStart(2, "0")}`;
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i] as number;
    if (byte < 0x80) {
      if ((byte < 0x20 && byte !== 0x0a && byte !== 0x09) || byte === 0x7f) {
        text += hex(byte);
        escaped = true;
      } else text += String.fromCharCode(byte);
      i++;
      continue;
    }
    const length = utf8SequenceLength(bytes, i);
    if (length === 0) {
      text += hex(byte);
      escaped = true;
      i++;
      continue;
    }
    const char = bytes.toString("utf8", i, i + length);
    // The BOM is invisible when rendered: show it.
    if (char === "\ufeff") {
      text += "\\xef\\xbb\\xbf";
      escaped = true;
    } else text += char;
    i += length;
  }
  return { text, truncated: body.byteLength > limit, escaped };
}

/** Length of the well-formed UTF-8 sequence starting at `i`, or 0 (RFC 3629: no overlongs, no surrogates). */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i] as number;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const b = bytes[i + k];
    return b !== undefined && b >= lo && b <= hi;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b0 >= 0xe1 && b0 <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

export interface PrettyBody {
  /** Indented JSON (at most `limit` characters), or null when the body is not JSON. */
  text: string | null;
  truncated: boolean;
  error: string | null;
}

export function prettyJson(body: Uint8Array, limit: number): PrettyBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8"));
  } catch (error) {
    return { text: null, truncated: false, error: `not JSON: ${(error as Error).message}` };
  }
  const text = JSON.stringify(parsed, null, 2);
  return { text: text.slice(0, limit), truncated: text.length > limit, error: null };
}
