// A credential read from a file the user names (`--jwt-file`): a JWT on the command line is visible to other
// users in `ps`, a file or an environment variable is not. Read with a size cap, BOM and surrounding whitespace
// removed; errors name the file and never its content.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { resolve } from "node:path";
import { ErrorCode, UsageError } from "../core/errors.js";

/** Xsolla Login JWTs are a few KiB; anything this big is the wrong file. */
export const SECRET_FILE_LIMIT = 64 * 1024;

export function readSecretFile(path: string, cwd: string, flag: string, limit = SECRET_FILE_LIMIT): string {
  const unreadable = (reason: string) => new UsageError(`cannot read ${flag} ${path}: ${reason}`, { code: ErrorCode.BadInput });
  let fd: number;
  try {
    fd = openSync(resolve(cwd, path), "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw unreadable(code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (code ?? "unreadable"));
  }
  try {
    if (fstatSync(fd).isDirectory()) throw unreadable("is a directory");
    const buffer = Buffer.alloc(limit + 1);
    let size = 0;
    // Bounded: stops at end of file or one byte past the cap (a pipe or /dev/stdin has no size to check first).
    while (size <= limit) {
      const read = readSync(fd, buffer, size, limit + 1 - size, null);
      if (read === 0) break;
      size += read;
    }
    if (size > limit) {
      throw new UsageError(`${flag} ${path} is larger than ${limit / 1024} KiB: that is not a JWT`, { code: ErrorCode.BadInput });
    }
    const text = buffer
      .subarray(0, size)
      .toString("utf8")
      .replace(/^\uFEFF/, "")
      .trim();
    if (text === "") throw new UsageError(`${flag} ${path} is empty`, { code: ErrorCode.MissingSecret });
    return text;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw unreadable((error as NodeJS.ErrnoException).code ?? "unreadable");
  } finally {
    closeSync(fd);
  }
}
