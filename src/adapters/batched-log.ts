// A request log that does not cost a write per request: lines gather in memory and go out together
// at most 25 ms after the first of them (or as soon as 64 KiB have gathered), to stdout or to a file.
// Under load that is a few dozen writes a second instead of one per turn of the event loop.
import { createWriteStream, type WriteStream } from "node:fs";

const FLUSH_AT_BYTES = 64 * 1024;
const FLUSH_AFTER_MS = 25;

export interface BatchedLog {
  line(text: string): void;
  /** Writes what is pending and, for a file, closes it. */
  close(): Promise<void>;
}

export function createBatchedLog(write: (text: string) => void): BatchedLog {
  let pending: string[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const text = pending.join("");
    pending = [];
    size = 0;
    write(text);
  };
  return {
    line(text) {
      pending.push(text);
      size += text.length;
      if (size >= FLUSH_AT_BYTES) flush();
      else timer ??= setTimeout(flush, FLUSH_AFTER_MS);
    },
    close: () => {
      flush();
      return Promise.resolve();
    },
  };
}

/** The same, appending to a file; `onError` hears about a write that failed (disk full, say). */
export function createFileLog(path: string, onError: (error: Error) => void): { log: BatchedLog; ready: Promise<void> } {
  const stream: WriteStream = createWriteStream(path, { flags: "a" });
  const ready = new Promise<void>((resolve, reject) => {
    stream.once("open", () => resolve());
    stream.once("error", reject);
  });
  ready.then(() => stream.on("error", onError)).catch(() => {});
  const batched = createBatchedLog((text) => stream.write(text));
  return {
    ready,
    log: {
      line: batched.line,
      close: async () => {
        await batched.close();
        await new Promise<void>((resolve) => stream.end(() => resolve()));
      },
    },
  };
}
