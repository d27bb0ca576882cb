// commander is CommonJS. Imported from an ES module, Node first scans its source for named exports and builds a
// wrapper module around it; required, it simply loads. Every command parses through commander, so this is paid on
// every start: `sign` 87 → 80 ms after Node's own start-up, `show` 86 → 82 (medians of 31 runs, interleaved).
import { createRequire } from "node:module";
import type * as Commander from "commander";

const commander = createRequire(import.meta.url)("commander") as typeof Commander;

export const { Command, CommanderError, Option } = commander;
export type Command = Commander.Command;
export type CommanderError = Commander.CommanderError;
export type Option = Commander.Option;
