// Writes a file so a reader never sees half of it: a temp file in the same directory, flushed,
// then renamed over the target (rename is atomic within one file system).
import { accessSync, closeSync, constants, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { ErrorCode, UsageError } from "../core/errors.js";

export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, "wx", 0o644);
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`cannot write ${path}: ${code}`, { code: ErrorCode.BadInput });
  }
}

/** Fails early (before long work) when `path` could not be written: its directory is missing or read-only. */
export function assertWritable(path: string): void {
  const dir = dirname(path);
  const stat = statSync(dir, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) throw new UsageError(`cannot write ${path}: directory ${dir} does not exist`, { code: ErrorCode.BadInput });
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`cannot write ${path}: directory ${dir} is not writable`, { code: ErrorCode.BadInput });
  }
}
