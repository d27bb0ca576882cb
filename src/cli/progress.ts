// One updating status line on stderr, for people at a terminal only: pipes and CI never see it, so
// nothing a script reads carries control sequences.
import type { Io } from "../adapters/io.js";

export interface ProgressLine {
  /** Redraws the line (no-op off a terminal). */
  show(text: string): void;
  /** Redraws every second with fresh text, e.g. a countdown. */
  tick(render: () => string): void;
  clear(): void;
}

export function createProgressLine(io: Io, enabled = true): ProgressLine {
  const active = enabled && io.stderr.isTTY;
  let timer: NodeJS.Timeout | undefined;
  let drawn = false;
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  const show = (text: string) => {
    if (!active) return;
    const width = Math.max(20, (io.stderr.columns || 80) - 1);
    io.stderr.write(`\r\x1b[K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
    drawn = true;
  };
  return {
    show(text) {
      stop();
      show(text);
    },
    tick(render) {
      stop();
      show(render());
      if (active) timer = setInterval(() => show(render()), 1000);
    },
    clear() {
      stop();
      if (drawn) io.stderr.write("\r\x1b[K");
      drawn = false;
    },
  };
}
