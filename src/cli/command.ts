// The shape of a command module: it declares its own arguments, options and help, parses what
// commander collected into a typed options object (numbers, durations and URLs checked there, once),
// and runs. `program.ts` only registers modules; `argv.test.ts` checks every parse without running.
import type { Command } from "commander";
import type { Io } from "../adapters/io.js";

/** What commander collected for one invocation. */
export interface RawInput {
  /** Option values by camelCase name, global options included. */
  opts: Record<string, unknown>;
  /** Positional arguments in declaration order (variadic ones as arrays). */
  args: unknown[];
}

export interface CommandModule<Options> {
  /** Where it sits: ["send"], or ["events", "poll"]. */
  path: readonly string[];
  declare(command: Command): Command;
  parse(input: RawInput): Options;
  run(options: Options, io: Io): Promise<number>;
  /**
   * With --json, does stdout also get the error document? Default yes. No for commands whose --json stdout is a
   * stream of data lines (events): a reader parsing it must never meet anything else, so errors stay on stderr.
   */
  jsonErrorDocument?: boolean;
}

export function defineCommand<Options>(module: CommandModule<Options>): CommandModule<Options> {
  return module;
}

/** Help text for "after": examples, then optional notes. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

/** A repeatable option's collector: each use appends. */
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

// Readers for commander's untyped values.
export const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
export const bool = (value: unknown): boolean => value === true;
export const strings = (value: unknown): string[] | undefined => (Array.isArray(value) ? value.map(String) : undefined);
