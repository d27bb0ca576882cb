// Everything a command touches of the outside world, passed in so tests can run the CLI in-process.
import type { Readable } from "node:stream";

export interface Out {
  write(text: string | Uint8Array): void;
  isTTY: boolean;
  columns?: number | undefined;
  /** True once the reader has gone away (`| head -1` closed the pipe): writes are dropped from then on. */
  readonly closed?: boolean | undefined;
  /** Registers a listener for every write that could not be delivered because the reader had gone. */
  onUnwritten?: ((listener: (text: string | Uint8Array) => void) => void) | undefined;
}

export interface Io {
  stdout: Out;
  stderr: Out;
  stdin: Readable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Aborted on Ctrl-C: long-running commands stop, report and return 130. */
  signal: AbortSignal;
}

/**
 * A process stream that survives its reader going away. A closed pipe (EPIPE) is not an error for a
 * CLI: like git or rg, we stop writing and finish quietly. Without an 'error' listener Node would
 * crash with a stack trace on the first write after `head` exits.
 */
export function processOut(stream: NodeJS.WriteStream, onFailure?: (error: NodeJS.ErrnoException) => void): Out {
  let closed = false;
  const listeners: ((text: string | Uint8Array) => void)[] = [];
  const lost = (text: string | Uint8Array) => {
    for (const listener of listeners) listener(text);
  };
  const close = (error: NodeJS.ErrnoException) => {
    if (closed) return;
    closed = true;
    // EPIPE is the reader leaving; anything else (a full disk) is worth one line.
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") onFailure?.(error);
  };
  stream.on("error", close);
  return {
    write(text) {
      if (closed) return lost(text);
      stream.write(text, (error) => {
        if (!error) return;
        close(error);
        lost(text);
      });
    },
    isTTY: stream.isTTY === true,
    get columns() {
      return stream.columns;
    },
    get closed() {
      return closed;
    },
    onUnwritten(listener) {
      listeners.push(listener);
    },
  };
}

/** Writes to `primary` while its reader is there, then to `fallback`, including what the closing cost. */
export function withFallback(primary: Out, fallback: Out): Out {
  primary.onUnwritten?.((text) => fallback.write(text));
  return {
    write: (text) => (primary.closed ? fallback.write(text) : primary.write(text)),
    get isTTY() {
      return primary.closed ? fallback.isTTY : primary.isTTY;
    },
    get columns() {
      return primary.closed ? fallback.columns : primary.columns;
    },
  };
}

export function processIo(signal: AbortSignal): Io {
  const stderr = processOut(process.stderr);
  const stdout = processOut(process.stdout, (error) => stderr.write(`error: cannot write to stdout: ${error.code ?? error.message}\n`));
  return { stdout, stderr, stdin: process.stdin, env: process.env, cwd: process.cwd(), signal };
}
