// Remembers the last URL and webhook type between interactive runs, in the user's config directory
// (XDG on Linux). Secrets are never written here. A remembered value is only ever a default, below
// flags, the environment and the config file; `interactive --forget` deletes the file.
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { ErrorCode, UsageError } from "../core/errors.js";
import { writeFileAtomic } from "./atomic-write.js";

export interface InteractiveState {
  lastUrl?: string;
  lastType?: string;
}

export function stateFilePath(env: Record<string, string | undefined>): string {
  const base =
    env.XDG_CONFIG_HOME ||
    (process.platform === "win32" ? env.APPDATA || join(homedir(), "AppData", "Roaming") : join(env.HOME || homedir(), ".config"));
  return join(base, "xsolla-hooks", "state.json");
}

export function loadState(env: Record<string, string | undefined>): InteractiveState {
  try {
    const value = JSON.parse(readFileSync(stateFilePath(env), "utf8")) as unknown;
    if (typeof value !== "object" || value === null) return {};
    const { lastUrl, lastType } = value as Record<string, unknown>;
    return { ...(typeof lastUrl === "string" ? { lastUrl } : {}), ...(typeof lastType === "string" ? { lastType } : {}) };
  } catch {
    return {};
  }
}

/** Best effort: a read-only home directory must not break a send. */
export function saveState(env: Record<string, string | undefined>, state: InteractiveState): void {
  const path = stateFilePath(env);
  try {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileAtomic(path, `${JSON.stringify({ lastUrl: state.lastUrl, lastType: state.lastType }, null, 2)}\n`);
  } catch {
    // Remembering is a convenience; ignore failures.
  }
}

/** Deletes the state file; `existed` says whether there was anything to forget. */
export function forgetState(env: Record<string, string | undefined>): { path: string; existed: boolean } {
  const path = stateFilePath(env);
  const existed = existsSync(path);
  try {
    rmSync(path, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`cannot delete ${path}: ${code}`, { code: ErrorCode.BadInput, hint: "delete the file by hand" });
  }
  return { path, existed };
}
