// Flag values → checked values. Plain checks rather than zod: these run on every start-up and zod
// costs ~80 ms to import on Node 20.
import { ErrorCode, UsageError } from "../core/errors.js";
import { parseSetArgument, type SetOverride } from "../core/fixtures/overrides.js";
import type { Io } from "./io.js";

export interface OrderedSet {
  arg: string;
  forceString: boolean;
  order: number;
}

export function orderedSets(sets: readonly OrderedSet[] | undefined, setStrings: readonly OrderedSet[] | undefined): SetOverride[] {
  return [...(sets ?? []), ...(setStrings ?? [])].sort((a, b) => a.order - b.order).map((s) => parseSetArgument(s.arg, s.forceString));
}

export function resolveSecret(flag: string | undefined, io: Io): string {
  const secret = flag ?? io.env.XSOLLA_WEBHOOK_SECRET;
  if (secret === undefined || secret === "") {
    throw new UsageError("missing webhook secret", { code: ErrorCode.MissingSecret, hint: "pass --secret or set XSOLLA_WEBHOOK_SECRET" });
  }
  return secret;
}

export function resolveUrl(flag: string | undefined, io: Io): string {
  return checkUrl(flag ?? io.env.XSOLLA_WEBHOOK_URL);
}

export function checkUrl(raw: string | undefined): string {
  if (raw === undefined || raw === "") throw new UsageError("missing handler URL", { hint: "pass --url or set XSOLLA_WEBHOOK_URL" });
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`invalid URL "${raw}"`, { hint: "e.g. http://localhost:3000/webhook" });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`invalid URL "${raw}": only http:// and https:// are supported`);
  }
  return url.toString();
}

/** A listen() failure the user can fix (port taken, bad host, no permission), as a usage error; anything else is rethrown. */
export function explainBindError(error: unknown, port: number, host: string): never {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") throw new UsageError(`port ${port} is already in use on ${host}`, { code: ErrorCode.BadInput, hint: "pick another --port, or 0 for a free one" });
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN") throw new UsageError(`cannot bind to host ${host}`, { code: ErrorCode.BadInput });
  if (code === "EACCES") throw new UsageError(`no permission to listen on port ${port}`, { code: ErrorCode.BadInput });
  throw error;
}

export function parseInteger(value: string | undefined, flag: string, range: { min: number; max: number }): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < range.min || Number(value) > range.max) {
    throw new UsageError(`invalid ${flag} "${value}": expected a whole number from ${range.min} to ${range.max}`);
  }
  return Number(value);
}

/** `"Name: value"` → [name, value]. */
export function parseHeaders(values: readonly string[] | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const value of values ?? []) {
    const colon = value.indexOf(":");
    const name = colon > 0 ? value.slice(0, colon).trim() : "";
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new UsageError(`invalid --header "${value}": expected "Name: value"`);
    headers[name.toLowerCase()] = value.slice(colon + 1).trim();
  }
  return headers;
}
