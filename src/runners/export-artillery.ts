// `export artillery`: the body as `send` would build it (fixture, edits, fresh ids), turned into an
// Artillery scenario and its signing processor, written next to each other. Existing files are never
// replaced without --force, and nothing is written unless both files can be.
import { existsSync } from "node:fs";
import { resolve, basename, dirname } from "node:path";
import { artilleryProcessor, artilleryScenario, type ArtilleryExport } from "../core/artillery.js";
import { createUniqueBodies } from "../core/burst/unique-bodies.js";
import { ErrorCode, UsageError } from "../core/errors.js";
import type { Json } from "../core/fixtures/overrides.js";
import type { FreshGenerator } from "../core/fixtures/types.js";
import { redactUrls, requireUrl } from "../core/settings.js";
import { assertWritable, writeFileAtomic } from "../adapters/atomic-write.js";
import { loadTarget } from "../adapters/config-file.js";
import type { Io } from "../adapters/io.js";
import { resolvePayload, type PayloadFlags } from "../adapters/payload-source.js";

export interface ExportArtilleryCommand {
  source: string;
  payload: PayloadFlags;
  url: string | undefined;
  headers: Record<string, string>;
  uniqueIds: boolean;
  arrivalRate: number;
  durationSeconds: number;
  /** The scenario file; the processor goes next to it. */
  out: string | undefined;
  force: boolean;
}

export interface ExportedFiles {
  scenario: string;
  processor: string;
  type: string;
  ids: "same" | "unique";
  url: string;
}

export async function exportArtillery(command: ExportArtilleryCommand, io: Io): Promise<ExportedFiles> {
  const { target } = await loadTarget(io, { url: command.url, headers: command.headers });
  const url = requireUrl(target);
  const payload = await resolvePayload(command.source, command.payload, io);
  const type = payload.type ?? "webhook";
  const scenario = resolve(io.cwd, command.out ?? `xsolla-hooks-${type}.artillery.yml`);
  const processorName = `${basename(scenario).replace(/(\.artillery)?\.ya?ml$/i, "")}.processor.cjs`;
  const processor = resolve(dirname(scenario), processorName);

  let body: ArtilleryExport["body"] = { kind: "same", text: payload.bytes.toString("utf8") };
  if (command.uniqueIds) {
    const fresh: Record<string, FreshGenerator> = {};
    for (const path of Object.keys(payload.fresh)) {
      const generator = payload.fixture?.meta.fresh[path];
      if (generator) fresh[path] = generator;
    }
    const unique =
      payload.origin === "fixture" && Object.keys(fresh).length > 0
        ? createUniqueBodies(JSON.parse(payload.bytes.toString("utf8")) as Json, payload.bytes, fresh, command.payload.bodyFormat)
        : undefined;
    if (!unique)
      throw new UsageError(
        `--unique-ids needs a webhook type whose ids can be made fresh${payload.origin === "fixture" ? `: ${type} has none left to vary` : " (not a file, stdin, --data or --keep-ids)"}`,
      );
    body = { kind: "unique", template: unique.template };
  }
  const spec: ArtilleryExport = {
    type,
    url,
    headers: { "content-type": "application/json", accept: "application/json", "user-agent": "xsolla-hooks", ...target.headers },
    body,
    arrivalRate: command.arrivalRate,
    durationSeconds: command.durationSeconds,
    processorFile: processorName,
  };

  // Both checked before either is written: a refusal leaves everything as it was.
  const existing = [scenario, processor].filter((path) => existsSync(path));
  if (existing.length && !command.force)
    throw new UsageError(`${existing.join(" and ")} already exist${existing.length === 1 ? "s" : ""}: not overwritten`, {
      code: ErrorCode.BadInput,
      hint: "pass --force to replace, or --out another.yml",
    });
  assertWritable(scenario);
  writeFileAtomic(processor, artilleryProcessor(spec));
  writeFileAtomic(scenario, artilleryScenario(spec));
  return { scenario, processor, type, ids: body.kind, url: redactUrls(url) };
}
