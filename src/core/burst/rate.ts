// --rate as people write it: 500, 500/s, 3000/m.
import { UsageError } from "../errors.js";

const MAX_RATE_PER_SECOND = 1_000_000;

/** Requests per second. */
export function parseRate(text: string, flag = "--rate"): number {
  const match = /^(\d+(?:\.\d+)?)(?:\/(s|m))?$/.exec(text.trim());
  const value = match ? Number(match[1]) * (match[2] === "m" ? 1 / 60 : 1) : NaN;
  if (!(value > 0 && value <= MAX_RATE_PER_SECOND))
    throw new UsageError(`invalid ${flag} "${text}": give requests per second or minute, e.g. 200, 200/s or 600/m`);
  return value;
}
