// Everything a command touches of the outside world, passed in so tests can run the CLI in-process.
import type { Readable } from "node:stream";

export interface Out {
  write(text: string | Uint8Array): void;
  isTTY: boolean;
  columns?: number | undefined;
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

export function processIo(signal: AbortSignal): Io {
  const wrap = (stream: NodeJS.WriteStream): Out => ({
    write: (text) => {
      stream.write(text);
    },
    isTTY: stream.isTTY === true,
    get columns() {
      return stream.columns;
    },
  });
  return { stdout: wrap(process.stdout), stderr: wrap(process.stderr), stdin: process.stdin, env: process.env, cwd: process.cwd(), signal };
}
