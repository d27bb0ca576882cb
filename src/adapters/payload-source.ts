// Where a body comes from (a fixture, a file, stdin, --data) and the edits on it, shared by show,
// sign and send. Raw bodies are kept byte for byte unless the user asks for an edit.
import { randomInt } from "node:crypto";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { ErrorCode, UsageError } from "../core/errors.js";
import { defaultFixtureOf, findFixture } from "../core/fixtures/catalog.js";
import { isPlainObject, parseJsonDocument, type Json, type JsonObject } from "../core/fixtures/overrides.js";
import { applyEdits, buildPayload, serializeBody, type BodyFormat } from "../core/fixtures/payload.js";
import type { Fixture } from "../core/fixtures/types.js";
import { loadFixtures } from "./fixtures-fs.js";
import type { Io } from "./io.js";
import type { SetOverride } from "../core/fixtures/overrides.js";
import { DEFAULT_MAX_INPUT_BYTES, readCappedFile, readCappedStream } from "./read-input.js";

/** The body options of show, sign, send and events enqueue, parsed. */
export interface PayloadFlags {
  variant?: string | undefined;
  /** --set and --set-string in command-line order (the last one wins). */
  sets: SetOverride[];
  data?: string | undefined;
  merges: string[];
  keepIds?: boolean | undefined;
  bodyFormat: BodyFormat;
  fixturesDir?: string | undefined;
  /** --max-body: the cap on every body, --merge and --request file and on stdin. */
  maxBody: number;
}

export interface ResolvedPayload {
  /** notification_type of the body, when it has one. */
  type: string | undefined;
  /** The catalog entry for that type (metadata: success, retry policy). */
  fixture: Fixture | undefined;
  bytes: Buffer;
  /** Fresh values put in for this send, by path. */
  fresh: Record<string, Json>;
  origin: "fixture" | "file" | "stdin";
}

export async function readStdin(io: Io, maxBytes = DEFAULT_MAX_INPUT_BYTES): Promise<Buffer> {
  if (io.stdin.isTTY) throw new UsageError("stdin is a terminal: pipe a JSON body into it, or name a file", { code: ErrorCode.BadInput });
  return readCappedStream(io.stdin, "stdin", { limit: maxBytes, flag: "--max-body", signal: io.signal });
}

/** A file the user named, read whole up to the cap; a missing, unreadable or too large file is a usage error naming it. */
export function readFileArgument(path: string, io: Io, what: string, maxBytes = DEFAULT_MAX_INPUT_BYTES): Promise<Buffer> {
  return readCappedFile(resolve(io.cwd, path), path, what, { limit: maxBytes, flag: "--max-body", signal: io.signal });
}

/** A positional that is `-`, names an existing file, or looks like a path is a body, not a type. */
function isBodySource(source: string, io: Io): boolean {
  return source === "-" || source.endsWith(".json") || source.includes("/") || source.includes("\\") || existsSync(resolve(io.cwd, source));
}

function describeJson(value: Json): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return typeof value === "string" ? "a string" : `a ${typeof value}`;
}

function typeOf(body: Json): string | undefined {
  return typeof body === "object" && body !== null && !Array.isArray(body) && typeof body.notification_type === "string"
    ? body.notification_type
    : undefined;
}

/** The notification_type of raw bytes and its catalog entry, for the default expectation of a replay. */
export async function identifyBody(
  bytes: Buffer,
  flags: Pick<PayloadFlags, "fixturesDir">,
  io: Io,
): Promise<Pick<ResolvedPayload, "type" | "fixture">> {
  let type: string | undefined;
  try {
    type = typeOf(parseJsonDocument(bytes.toString("utf8"), "the captured body"));
  } catch {
    type = undefined; // a replay goes out byte for byte whatever it holds; only the default expectation needs the type
  }
  const fixturesDir = flags.fixturesDir ?? io.env.XSOLLA_HOOKS_FIXTURES_DIR;
  const catalog = await loadFixtures(fixturesDir ? resolve(io.cwd, fixturesDir) : undefined);
  return { type, fixture: type ? defaultFixtureOf(catalog, type) : undefined };
}

export async function resolvePayload(
  source: string,
  flags: PayloadFlags,
  io: Io,
  options: { keepIdsByDefault?: boolean; now?: number } = {},
): Promise<ResolvedPayload> {
  const format: BodyFormat = flags.bodyFormat;
  const sets = flags.sets;
  const merges: JsonObject[] = [];
  for (const file of flags.merges) {
    const merge = parseJsonDocument(
      (await readFileArgument(file, io, "--merge file", flags.maxBody)).toString("utf8"),
      `--merge file ${file}`,
    );
    // Merging is key by key; anything else would silently replace the whole body.
    if (!isPlainObject(merge))
      throw new UsageError(`--merge file ${file} holds ${describeJson(merge)}, not a JSON object`, {
        code: ErrorCode.BadInput,
        hint: 'a merge document is an object such as {"user":{"id":"42"}}; use --data to replace the body',
      });
    merges.push(merge);
  }
  const edited = sets.length > 0 || merges.length > 0;
  const fixturesDir = flags.fixturesDir ?? io.env.XSOLLA_HOOKS_FIXTURES_DIR;
  const catalog = await loadFixtures(fixturesDir ? resolve(io.cwd, fixturesDir) : undefined);

  const fromRaw = (raw: Buffer, what: string, origin: ResolvedPayload["origin"], fixture?: Fixture): ResolvedPayload => {
    if (raw.length === 0) throw new UsageError(`${what} is empty`, { code: ErrorCode.BadInput });
    const body = parseJsonDocument(raw.toString("utf8"), what);
    const final = edited ? applyEdits(body, { merges, sets }) : body;
    const type = typeOf(final) ?? fixture?.meta.type;
    const known = fixture ?? (type ? defaultFixtureOf(catalog, type) : undefined);
    // Unedited bodies go out exactly as given: their bytes may be what a real handler choked on.
    return { type, fixture: known, bytes: edited ? serializeBody(final, format) : raw, fresh: {}, origin };
  };

  if (isBodySource(source, io)) {
    if (flags.data) throw new UsageError("give the body either as the argument or with --data, not both");
    return source === "-"
      ? fromRaw(await readStdin(io, flags.maxBody), "stdin", "stdin")
      : fromRaw(await readFileArgument(source, io, "body file", flags.maxBody), `body file ${source}`, "file");
  }

  const fixture = findFixture(catalog, source, flags.variant);
  if (flags.data) {
    const raw =
      flags.data === "-" ? await readStdin(io, flags.maxBody) : await readFileArgument(flags.data, io, "--data file", flags.maxBody);
    return fromRaw(raw, flags.data === "-" ? "stdin" : `--data file ${flags.data}`, flags.data === "-" ? "stdin" : "file", fixture);
  }
  const built = buildPayload(fixture, {
    keepIds: flags.keepIds ?? options.keepIdsByDefault ?? false,
    format,
    merges,
    sets,
    context: { now: options.now ?? Date.now(), rand: () => randomInt(0, 1_000_000) / 1_000_000 },
  });
  return { type: fixture.meta.type, fixture, bytes: built.bytes, fresh: built.fresh, origin: "fixture" };
}
