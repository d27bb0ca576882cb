// Flag values → checked values, and the option groups several commands share. Plain checks rather
// than zod: these run on every start-up and zod costs ~80 ms to import on Node 20.
import { Option, type Command } from "./commander.js";
import { ErrorCode, UsageError } from "../core/errors.js";
import { parseSetArgument } from "../core/fixtures/overrides.js";
import { collect, str, strings, type RawInput } from "./command.js";
import type { PayloadFlags } from "../adapters/payload-source.js";
import { checkHeaderName } from "../core/settings.js";
import { DEFAULT_MAX_INPUT_BYTES, formatBytes, MAX_INPUT_LIMIT_BYTES } from "../core/limits.js";

export type { PayloadFlags };

export function parseInteger(value: string | undefined, flag: string, range: { min: number; max: number }): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < range.min || Number(value) > range.max) {
    throw new UsageError(`invalid ${flag} "${value}": expected a whole number from ${range.min} to ${range.max}`);
  }
  return Number(value);
}

/** A flag given as an empty string (an unset variable in a script) is a usage error, not "not given". */
export function nonEmptyOption(value: string | undefined, flag: string): string | undefined {
  if (value !== undefined && value.trim() === "") throw new UsageError(`${flag} is empty`);
  return value;
}

/** --json is --reporter json (test, flow); both at once must agree. */
export function reporterOption(opts: RawInput["opts"]): string | undefined {
  const reporter = str(opts.reporter);
  if (opts.json === true && reporter !== undefined && reporter !== "json")
    throw new UsageError(`--json and --reporter ${reporter} disagree`);
  return opts.json === true ? "json" : reporter;
}

/** `"Name: value"` → [name, value]. */
export function parseHeaders(values: readonly string[] | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const value of values ?? []) {
    const colon = value.indexOf(":");
    const name = colon > 0 ? value.slice(0, colon).trim() : "";
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new UsageError(`invalid --header "${value}": expected "Name: value"`);
    checkHeaderName(name, "--header");
    headers[name.toLowerCase()] = value.slice(colon + 1).trim();
  }
  return headers;
}

const SIZE_UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2 };

/** `1048576`, `512KiB`, `16MiB`, `16m` → bytes (binary units). */
export function parseByteSize(value: string | undefined, flag: string, range: { min: number; max: number }): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)\s*([a-z]*)$/i.exec(value.trim());
  const unit = match?.[2]?.toLowerCase() ?? "";
  const bytes = match && Object.hasOwn(SIZE_UNITS, unit) ? Number(match[1]) * (SIZE_UNITS[unit] as number) : NaN;
  if (!(bytes >= range.min && bytes <= range.max))
    throw new UsageError(
      `invalid ${flag} "${value}": expected a size from ${formatBytes(range.min)} to ${formatBytes(range.max)}, e.g. 16MiB`,
    );
  return bytes;
}

/** A comma-separated list flag; undefined when not given. Given but empty (an unset variable in CI) is a usage error. */
export function parseList(value: string | undefined, flag = "--types"): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`${flag} is empty ("${value}")`, { hint: "name at least one value, or leave the flag out" });
  return items;
}

/** --port and --host, for the commands that run a server on this machine (listen, events serve). */
export function declareBindOptions(command: Command): Command {
  return command
    .option("--port <port>", "port (0 picks a free one) (default: 0)")
    .option("--host <host>", "address to bind (default: 127.0.0.1)");
}

export function parseBindOptions(opts: RawInput["opts"]): { port: number; host: string } {
  return { port: parseInteger(str(opts.port), "--port", { min: 0, max: 65_535 }) ?? 0, host: str(opts.host) ?? "127.0.0.1" };
}

/** A listen() failure the user can fix (port taken, bad host, no permission), as a usage error; anything else is rethrown. */
export function explainBindError(error: unknown, port: number, host: string): never {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE")
    throw new UsageError(`port ${port} is already in use on ${host}`, {
      code: ErrorCode.BadInput,
      hint: "pick another --port, or 0 for a free one",
    });
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN")
    throw new UsageError(`cannot bind to host ${host}`, { code: ErrorCode.BadInput });
  if (code === "EACCES") throw new UsageError(`no permission to listen on port ${port}`, { code: ErrorCode.BadInput });
  throw error;
}

// ---------------------------------------------------------------------------------------------
// The body options of show, sign, send and events enqueue.

interface OrderedSet {
  arg: string;
  forceString: boolean;
  order: number;
}

// One counter for both flags, so --set and --set-string keep their relative order.
let setSequence = 0;
const collectSet = (forceString: boolean) => (value: string, previous: OrderedSet[] | undefined) => [
  ...(previous ?? []),
  { arg: value, forceString, order: setSequence++ },
];

export function declarePayloadOptions(command: Command): Command {
  return command
    .option("--variant <name>", "fixture variant, e.g. separate for order_paid / order_canceled")
    .option(
      "--set <path=value>",
      "set a field (dot path, array indexes: items.0.sku); value parsed as JSON if it parses (repeatable)",
      collectSet(false),
    )
    .option("--set-string <path=value>", "set a field to a string, never parsed as JSON (repeatable)", collectSet(true))
    .option("--data <file|->", "use this JSON body instead of the fixture's (sent byte for byte unless edited)")
    .option("--merge <file>", "deep-merge a JSON document into the body (repeatable)", collect)
    .option("--keep-ids", "keep the fixture's ids and dates instead of fresh ones")
    .addOption(new Option("--body-format <style>", "whitespace of a fixture body").choices(["pretty", "compact"]).default("pretty"))
    .option("--fixtures-dir <dir>", "also load fixtures from this directory (env XSOLLA_HOOKS_FIXTURES_DIR)")
    .option("--max-body <size>", "refuse a body (file, stdin, --data, --merge, --request) larger than this (default: 16MiB)");
}

/** --max-body: the cap on what a command reads (up to 256 MiB). */
export function parseMaxBody(opts: RawInput["opts"]): number {
  return parseByteSize(str(opts.maxBody), "--max-body", { min: 1, max: MAX_INPUT_LIMIT_BYTES }) ?? DEFAULT_MAX_INPUT_BYTES;
}

export function parsePayloadFlags(opts: RawInput["opts"]): PayloadFlags {
  const ordered = [...((opts.set as OrderedSet[] | undefined) ?? []), ...((opts.setString as OrderedSet[] | undefined) ?? [])].sort(
    (a, b) => a.order - b.order,
  );
  return {
    variant: str(opts.variant),
    sets: ordered.map((s) => parseSetArgument(s.arg, s.forceString)),
    data: str(opts.data),
    merges: strings(opts.merge) ?? [],
    keepIds: opts.keepIds === true ? true : undefined,
    bodyFormat: opts.bodyFormat === "compact" ? "compact" : "pretty",
    fixturesDir: str(opts.fixturesDir),
    maxBody: parseMaxBody(opts),
  };
}
