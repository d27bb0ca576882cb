// The fresh values put into a body, in one line. Its own module: `show` and `sign` print it and must not load the
// delivery renderer (and the retry policies behind it) to do so.
import type { Json } from "../../core/fixtures/overrides.js";

/** `transaction.id=123 user.id=abc`: the fresh values put in for this send. */
export function formatFresh(fresh: Record<string, Json>): string {
  return Object.entries(fresh)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
}
