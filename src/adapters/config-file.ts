// Finding and reading xsolla-hooks.config.json: from the working directory upward, or --config.
// The schema (zod) is loaded only when there is a file to check, so commands stay fast without one.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { ConfigFile } from "../core/config.js";
import { parseJsonDocument } from "../core/fixtures/overrides.js";
import { CONFIG_FILE_NAME, resolveTarget, type Target, type TargetFile, type TargetFlags } from "../core/settings.js";
import type { Io } from "./io.js";
import { DEFAULT_MAX_INPUT_BYTES, readCappedFile } from "./read-input.js";

export function findConfigFile(cwd: string): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export async function readConfigFile(path: string, signal?: AbortSignal): Promise<ConfigFile> {
  const bytes = await readCappedFile(path, path, "config", { limit: DEFAULT_MAX_INPUT_BYTES, signal });
  const value = parseJsonDocument(bytes.toString("utf8"), `config ${path}`);
  const { parseConfigFile } = await import("../core/config.js");
  return parseConfigFile(value, path);
}

/** Reads the config file (named, or found from the working directory upward) and resolves the target with it. */
export async function loadTarget(
  io: Pick<Io, "cwd" | "env"> & Partial<Pick<Io, "signal">>,
  flags: TargetFlags,
  configFlag?: string,
): Promise<{ target: Target; configPath: string | undefined }> {
  const configPath = configFlag ? resolve(io.cwd, configFlag) : findConfigFile(io.cwd);
  const file: TargetFile | undefined = configPath ? await readConfigFile(configPath, io.signal) : undefined;
  return { target: resolveTarget({ flags, env: io.env, file }), configPath };
}
