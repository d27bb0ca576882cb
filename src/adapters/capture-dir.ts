// The directory `listen --save` writes to: made (or found) and proved writable before the receiver
// starts, so a bad place fails at once with exit 2 instead of warning on every request; and the
// number the next capture gets, after those already there, so names keep sorting by arrival.
import { mkdirSync, openSync, closeSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { ErrorCode, UsageError } from "../core/errors.js";

const CAPTURE_NAME = /^(\d{6,})-.*\.http$/;

const REASONS: Record<string, string> = {
  EEXIST: "a file is in the way",
  ENOTDIR: "a file is in the way",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "read-only file system",
  ENOENT: "files cannot be created there",
  ENOSPC: "no space left on the device",
};

function refuse(shown: string, error: unknown): never {
  const code = (error as NodeJS.ErrnoException).code ?? "";
  const reason = Object.hasOwn(REASONS, code) ? `${REASONS[code]} (${code})` : code || String(error);
  throw new UsageError(`cannot save captures in ${shown}: ${reason}`, { code: ErrorCode.BadInput });
}

/** Creates each missing level on its own: Node 20's recursive mkdirSync spins forever under /proc. */
function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let current = dir; ; current = dirname(current)) {
    const stat = statSync(current, { throwIfNoEntry: false });
    if (stat) {
      if (!stat.isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
      break;
    }
    missing.unshift(current);
    if (dirname(current) === current) break;
  }
  for (const level of missing) mkdirSync(level);
}

/** Returns the highest capture number already in `dir` (0 for none). */
export function prepareCaptureDir(dir: string, shown: string): number {
  try {
    makeDirectory(dir);
    // Permission bits do not tell (root, read-only mounts, /proc): writing a file does.
    const probe = join(dir, `.xsolla-hooks-probe-${process.pid}`);
    closeSync(openSync(probe, "wx"));
    rmSync(probe, { force: true });
    let highest = 0;
    for (const name of readdirSync(dir)) {
      const match = CAPTURE_NAME.exec(name);
      if (match) highest = Math.max(highest, Number(match[1]));
    }
    return highest;
  } catch (error) {
    return refuse(shown, error);
  }
}
