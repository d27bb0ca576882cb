// --unique-ids: one body per request, each with its own transaction/order/invoice ids, made fast enough
// to sign per request at full speed. The body is serialized once with a marker where each id goes; a
// request's bytes are the pieces joined with that request's ids. Ids count up from the fresh values
// the first body got (within the same number of digits), so no two requests of a burst share one
// until the digits run out (90 million for an 8-digit id).
import { getAtPath, setAtPath, type Json } from "../fixtures/overrides.js";
import { serializeBody, type BodyFormat } from "../fixtures/payload.js";
import type { FreshGenerator } from "../fixtures/types.js";

const ID_GENERATORS: ReadonlySet<FreshGenerator> = new Set(["transactionId", "orderId", "invoiceId", "subscriptionId", "operationId"]);

export interface BodyTemplate {
  /** The serialized body cut where ids go: an id goes between pieces[i] and pieces[i + 1]. */
  pieces: string[];
  /** Which slot's id goes after pieces[i]. */
  order: number[];
  /** Each varying id: its path, its first value (number ids go in bare, string ids quoted). */
  slots: { path: string; generator: FreshGenerator; original: string | number }[];
}

export interface UniqueBodies {
  /** The id paths that change per request. */
  paths: string[];
  template: BodyTemplate;
  /** Request `index` (0-based): its bytes and its transaction id (or order id), for evidence. */
  bodyFor(index: number): { bytes: Buffer; id: string };
}

/** A function giving `value` advanced by `step`, keeping its prefix and digit count (wrapping within them). */
export function idAdvancer(value: string | number): (step: number) => string | number {
  const text = String(value);
  const match = /^(.*?)(\d+)$/.exec(text);
  if (!match) return (step) => (typeof value === "number" ? value + step : `${text}${step}`);
  const [, prefix = "", digits = ""] = match;
  const width = digits.length;
  const asNumber = typeof value === "number" && prefix === "" && width <= 15;
  // "0042" stays zero-padded within 0000-9999; "4242" stays within 1000-9999 (no leading zero appears).
  const padded = digits.startsWith("0") && width > 1;
  const pad = (n: bigint | number) => (padded ? String(n).padStart(width, "0") : String(n));
  if (width <= 15) {
    const low = padded || width === 1 ? 0 : 10 ** (width - 1);
    const span = 10 ** width - low;
    const offset = Number(digits) - low;
    return (step) => {
      const next = low + ((offset + step) % span);
      return asNumber ? next : `${prefix}${pad(next)}`;
    };
  }
  const low = padded ? 0n : 10n ** BigInt(width - 1);
  const span = 10n ** BigInt(width) - low;
  const offset = BigInt(digits) - low;
  return (step) => `${prefix}${pad(low + ((offset + BigInt(step)) % span))}`;
}

export function advanceId(value: string | number, step: number): string | number {
  return idAdvancer(value)(step);
}

/**
 * `body` is the first request's body (fresh values in place), `bytes` its exact serialization, `fresh` the fixture's
 * fresh paths. Returns undefined when no id path is left in the body to vary (a type without ids, or all set by hand).
 */
export function createUniqueBodies(
  body: Json,
  bytes: Uint8Array,
  fresh: Record<string, FreshGenerator>,
  format: BodyFormat,
  keptByEdit: ReadonlySet<string> = new Set(),
): UniqueBodies | undefined {
  const slots: { path: string; generator: FreshGenerator; original: string | number; marker: string }[] = [];
  let templated = body;
  for (const [path, generator] of Object.entries(fresh)) {
    if (!ID_GENERATORS.has(generator) || keptByEdit.has(path)) continue;
    const original = getAtPath(body, path);
    if (typeof original !== "string" && typeof original !== "number") continue;
    const marker = `@@xsolla-hooks-id-${slots.length}@@`;
    slots.push({ path, generator, original, marker });
    templated = setAtPath(templated, path, marker);
  }
  if (slots.length === 0) return undefined;

  // Split the serialized template at the quoted markers; a number id goes in bare, a string id quoted.
  const text = serializeBody(templated, format).toString("utf8");
  const pieces: string[] = [];
  const order: number[] = [];
  let rest = text;
  for (;;) {
    let first = -1;
    let at = rest.length;
    slots.forEach((slot, i) => {
      const found = rest.indexOf(`"${slot.marker}"`);
      if (found !== -1 && found < at) [first, at] = [i, found];
    });
    if (first === -1) break;
    pieces.push(rest.slice(0, at));
    order.push(first);
    rest = rest.slice(at + (slots[first] as (typeof slots)[number]).marker.length + 2);
  }
  pieces.push(rest);
  // A number id goes in bare, a string id as a JSON string.
  const advancers = slots.map((slot) => {
    const advance = idAdvancer(slot.original);
    return typeof slot.original === "number" ? (i: number) => String(advance(i)) : (i: number) => JSON.stringify(String(advance(i)));
  });
  const idSlot = slots.findIndex((s) => s.generator === "transactionId");
  const shownSlot =
    idSlot !== -1
      ? idSlot
      : Math.max(
          0,
          slots.findIndex((s) => s.generator === "orderId"),
        );
  const shown = idAdvancer((slots[shownSlot] as (typeof slots)[number]).original);

  const bodyFor = (index: number) => {
    const values = advancers.map((advance) => advance(index));
    let out = pieces[0] as string;
    for (let i = 0; i < order.length; i++) out += (values[order[i] as number] as string) + (pieces[i + 1] as string);
    return { bytes: Buffer.from(out, "utf8"), id: String(shown(index)) };
  };
  // The first body must be the very bytes the caller built: anything else is a bug here, not a different request.
  if (!bodyFor(0).bytes.equals(Buffer.from(bytes))) throw new Error("unique-id template does not reproduce the first body");
  return {
    paths: slots.map((s) => s.path),
    template: { pieces, order, slots: slots.map(({ path, generator, original }) => ({ path, generator, original })) },
    bodyFor,
  };
}
