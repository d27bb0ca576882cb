// Colour only for people: off for pipes, NO_COLOR and --no-color; FORCE_COLOR wins. chalk is loaded
// only when colour is actually on.
import type { Io } from "../adapters/io.js";

import { plainStyle, type Style } from "../core/text-style.js";

export type { Style };

export function colorLevel(io: Io, colorFlag: boolean | undefined, stream: "stdout" | "stderr" = "stdout"): 0 | 1 | 2 | 3 {
  if (colorFlag === false) return 0;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== "") {
    if (force === "0" || force === "false") return 0;
    const level = Number(force);
    return level >= 1 && level <= 3 ? (level as 1 | 2 | 3) : 1;
  }
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== "") return 0;
  if (io.env.TERM === "dumb") return 0;
  return io[stream].isTTY ? 1 : 0;
}

export async function createStyle(io: Io, colorFlag: boolean | undefined, stream: "stdout" | "stderr" = "stdout"): Promise<Style> {
  const level = colorLevel(io, colorFlag, stream);
  if (level === 0) return plainStyle;
  const { Chalk } = await import("chalk");
  const chalk = new Chalk({ level });
  return {
    ok: (t) => chalk.green(t),
    bad: (t) => chalk.red(t),
    warn: (t) => chalk.yellow(t),
    dim: (t) => chalk.dim(t),
    bold: (t) => chalk.bold(t),
  };
}

/** One line of text from response bytes: control characters escaped, cut at `max` characters. */
export function oneLine(bytes: Uint8Array, max = 300): string {
  const text = Buffer.from(bytes.subarray(0, max * 4)).toString("utf8");
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) =>
    c === "\n" || c === "\r" || c === "\t" ? " " : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** Pads plain cells to the widest of each column. */
export function table(rows: readonly (readonly string[])[], gap = "  "): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return (
    rows
      .map((row) =>
        row
          .map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - [...cell].length)))
          .join(gap)
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}
