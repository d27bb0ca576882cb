// Reading fixture files. Built-in fixtures are trusted (tests validate every one); a user's
// --fixtures-dir is validated with zod, loaded only then, so start-up stays fast.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ErrorCode, UsageError } from "../core/errors.js";
import type { Fixture, FixtureMeta } from "../core/fixtures/types.js";
import { parseJsonDocument, type JsonObject } from "../core/fixtures/overrides.js";
import { DEFAULT_MAX_INPUT_BYTES, readCappedFile } from "./read-input.js";

export const BUILTIN_FIXTURES_DIR = fileURLToPath(new URL("../../fixtures/", import.meta.url));

function jsonFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new UsageError(`cannot read fixtures directory ${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      code: ErrorCode.BadInput,
    });
  }
  return names
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => join(dir, name));
}

/** A user's fixture file: capped like every input, and parsed with the same rules (BOM, depth). */
async function readUserJson(file: string): Promise<unknown> {
  const bytes = await readCappedFile(file, file, "fixture", { limit: DEFAULT_MAX_INPUT_BYTES });
  return parseJsonDocument(bytes.toString("utf8"), `fixture ${file}`, ErrorCode.InvalidFixture);
}

function toFixture(file: string, raw: { _meta: FixtureMeta; body: JsonObject }): Fixture {
  return { id: basename(file, ".json"), meta: raw._meta, body: raw.body, file };
}

export function loadBuiltinFixtures(): Fixture[] {
  // Shipped with the package and validated by the tests: read as they are.
  return jsonFiles(BUILTIN_FIXTURES_DIR).map((file) =>
    toFixture(file, JSON.parse(readFileSync(file, "utf8")) as { _meta: FixtureMeta; body: JsonObject }),
  );
}

/** A plain webhook body borrows the built-in metadata of its type (no fresh paths: sent as written). */
function asFixtureFile(value: unknown, file: string, builtin: readonly Fixture[]): unknown {
  if (typeof value !== "object" || value === null || "_meta" in value || !("notification_type" in value)) return value;
  const type = String(value.notification_type);
  const template = builtin.find((f) => f.id === type)?.meta;
  const { variant: _variant, ...meta }: FixtureMeta = template ?? {
    version: 1,
    type,
    description: "custom webhook",
    success: { statuses: [200, 201, 204], documented: 204, responseBody: null },
    retryPolicy: "generic",
    fresh: {},
    source: file,
  };
  return { _meta: { ...meta, description: `${meta.description} (${basename(file)})`, fresh: {} }, body: value };
}

/**
 * A user's fixtures: full fixture files ({_meta, body}) or plain webhook bodies, which borrow the
 * built-in metadata of their notification_type. Every file is validated; the first bad one stops.
 */
export async function loadUserFixtures(dir: string, builtin: readonly Fixture[]): Promise<Fixture[]> {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`fixtures directory ${dir} does not exist`, { code: ErrorCode.BadInput });
  }
  const { validateFixtureFile } = await import("../core/fixtures/schemas.js");
  const fixtures: Fixture[] = [];
  for (const file of jsonFiles(dir)) {
    const value = asFixtureFile(await readUserJson(file), file, builtin);
    // A user's file may have any name; the schema's name rule is for the shipped catalog.
    const meta = (value as { _meta?: { type?: unknown; variant?: unknown } } | null)?._meta;
    const canonical =
      typeof meta?.type === "string" ? `${meta.type}${typeof meta.variant === "string" ? `.${meta.variant}` : ""}.json` : basename(file);
    const result = validateFixtureFile(value, canonical);
    if (!result.ok) {
      const shown = result.errors.slice(0, 3).join("; ");
      const more = result.errors.length > 3 ? ` (and ${result.errors.length - 3} more)` : "";
      throw new UsageError(`invalid fixture ${file}: ${shown}${more}`, { code: ErrorCode.InvalidFixture });
    }
    fixtures.push(toFixture(file, value as { _meta: FixtureMeta; body: JsonObject }));
  }
  return fixtures;
}

/** Built-in fixtures plus a user's directory; a user fixture with the same id replaces the built-in one. */
export async function loadFixtures(fixturesDir?: string): Promise<Fixture[]> {
  const builtin = loadBuiltinFixtures();
  if (!fixturesDir) return builtin;
  const own = await loadUserFixtures(fixturesDir, builtin);
  const ids = new Set(own.map((f) => f.id));
  return [...builtin.filter((f) => !ids.has(f.id)), ...own];
}
