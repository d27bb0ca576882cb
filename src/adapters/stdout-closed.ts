// Noticing that the reader of stdout has gone (`xsolla-hooks events poll --json | head -1`). Writing to a closed
// pipe fails with EPIPE, which Node reports as an 'error' event on process.stdout; with no listener that is a
// crash with a stack trace. `events poll` watches for it, stops, and ends quietly with its usual exit code (as
// git and rg do). A general mechanism for every command belongs in adapters/io.ts; this is the poller's own.
import { setImmediate as tick } from "node:timers/promises";

export interface OutputWatch {
  /** The reader is gone: nothing written from now on reaches anyone. */
  readonly closed: boolean;
  /**
   * Resolves after the failure of a write just made would have been reported (it comes a tick later), with
   * whether the output is still open. Best effort: a write the kernel took may still be lost if the reader
   * leaves before reading it.
   */
  settled(): Promise<boolean>;
  /** Stops watching (kept once the output closed, so a late write cannot crash the process). */
  dispose(): void;
}

export function watchOutput(stream: NodeJS.WritableStream = process.stdout): OutputWatch {
  let closed = false;
  // EPIPE is the reader leaving; any other error on stdout means nothing more can be written either.
  const onError = () => {
    closed = true;
  };
  stream.on("error", onError);
  return {
    get closed() {
      return closed;
    },
    async settled() {
      if (!closed) await tick();
      return !closed;
    },
    dispose() {
      if (!closed) stream.off("error", onError);
    },
  };
}
