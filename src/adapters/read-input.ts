// Reading what a user points us at (a body file, stdin, a --merge, --request, config or fixture file),
// never more than a cap: a huge or endless input (/dev/zero, a 5 GiB log) is refused with one line
// instead of exhausting memory, and Ctrl-C or SIGTERM ends a wait on a pipe or a FIFO.
import { open } from "node:fs/promises";
import type { Readable } from "node:stream";
import { ErrorCode, InterruptedError, UsageError } from "../core/errors.js";
import { formatBytes, MAX_INPUT_LIMIT_BYTES } from "../core/limits.js";

export { DEFAULT_MAX_INPUT_BYTES } from "../core/limits.js";

export interface ReadLimit {
  /** At most this many bytes. */
  limit: number;
  /** The flag that raises the limit, named in the refusal. */
  flag?: string | undefined;
  /** Ctrl-C or SIGTERM: stop waiting. */
  signal?: AbortSignal | undefined;
}

function tooLarge(what: string, { limit, flag }: ReadLimit): UsageError {
  return new UsageError(`${what} is larger than ${formatBytes(limit)}`, {
    code: ErrorCode.BadInput,
    hint: flag ? `raise the limit with ${flag}, up to ${formatBytes(MAX_INPUT_LIMIT_BYTES)}` : undefined,
  });
}

const REASONS: Record<string, string> = {
  ENOENT: "no such file",
  EISDIR: "is a directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENOTDIR: "a parent is not a directory",
};

function unreadable(path: string, what: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException).code ?? "";
  const reason = Object.hasOwn(REASONS, code) ? REASONS[code] : code || String(error);
  return new UsageError(`cannot read ${what} ${path}: ${reason}`, { code: ErrorCode.BadInput });
}

/** Resolves as `work` does, or rejects with InterruptedError as soon as `signal` aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(new InterruptedError(`interrupted while reading ${what}`));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new InterruptedError(`interrupted while reading ${what}`));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * A file read whole, up to `limit` bytes. Asynchronous on purpose: a FIFO or a device waits in the
 * thread pool, so the process still hears Ctrl-C. `what` names it in messages ("body file").
 */
export async function readCappedFile(path: string, shown: string, what: string, options: ReadLimit): Promise<Buffer> {
  const read = async (): Promise<Buffer> => {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, "r");
    } catch (error) {
      throw unreadable(shown, what, error);
    }
    try {
      const stat = await handle.stat();
      // A regular file says its size: refuse before reading a byte of it.
      if (stat.isFile() && stat.size > options.limit) throw tooLarge(`${what} ${shown}`, options);
      const chunks: Buffer[] = [];
      let size = 0;
      for (;;) {
        const chunk = Buffer.allocUnsafe(64 * 1024);
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
        if (bytesRead === 0) return Buffer.concat(chunks, size);
        size += bytesRead;
        if (size > options.limit) throw tooLarge(`${what} ${shown}`, options);
        chunks.push(chunk.subarray(0, bytesRead));
      }
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw unreadable(shown, what, error);
    } finally {
      void handle.close().catch(() => {});
    }
  };
  return untilAborted(read(), options.signal, `${what} ${shown}`);
}

/** A stream (stdin) read to its end, up to `limit` bytes; the rest is never buffered. */
export function readCappedStream(stream: Readable, what: string, options: ReadLimit): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error: Error | undefined, value?: Buffer) => {
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("error", onError);
      options.signal?.removeEventListener("abort", onAbort);
      if (error) {
        stream.pause();
        reject(error);
      } else resolve(value ?? Buffer.alloc(0));
    };
    const onData = (chunk: Buffer | string) => {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      size += buffer.length;
      if (size > options.limit) finish(tooLarge(what, options));
      else chunks.push(buffer);
    };
    const onEnd = () => finish(undefined, Buffer.concat(chunks, size));
    const onError = (error: Error) => finish(new UsageError(`cannot read ${what}: ${error.message}`, { code: ErrorCode.BadInput }));
    const onAbort = () => finish(new InterruptedError(`interrupted while waiting for ${what}`));
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    stream.on("data", onData);
    stream.on("end", onEnd);
    stream.on("error", onError);
  });
}
