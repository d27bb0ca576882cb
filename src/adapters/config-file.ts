// Finding and reading xsolla-hooks.config.json: from the working directory upward, or --config.
// The schema (zod) is loaded only when there is a file to check, so commands stay fast without one.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ErrorCode, UsageError } from "../core/errors.js";
import type { ConfigFile } from "../core/config.js";
import { CONFIG_FILE_NAME, resolveTarget, type Target, type TargetFile, type TargetFlags } from "../core/settings.js";
import type { Io } from "./io.js";

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

export async function readConfigFile(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read config ${path}: ${code === "ENOENT" ? "no such file" : (code ?? String(error))}`, {
      code: ErrorCode.BadInput,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`config ${path} is not valid JSON: ${(error as Error).message}`, { code: ErrorCode.BadInput });
  }
  const { parseConfigFile } = await import("../core/config.js");
  return parseConfigFile(value, path);
}

/** Reads the config file (named, or found from the working directory upward) and resolves the target with it. */
export async function loadTarget(
  io: Pick<Io, "cwd" | "env">,
  flags: TargetFlags,
  configFlag?: string,
): Promise<{ target: Target; configPath: string | undefined }> {
  const configPath = configFlag ? resolve(io.cwd, configFlag) : findConfigFile(io.cwd);
  const file: TargetFile | undefined = configPath ? await readConfigFile(configPath) : undefined;
  return { target: resolveTarget({ flags, env: io.env, file }), configPath };
}
