// Registers the commands. Each command module declares its own options and help; only the module of
// the command being run is loaded (the others appear in the command list by their summary), and it
// imports runners, undici, zod, chalk or @inquirer inside `run`, so `--version` and `sign` stay fast.
import { Command, CommanderError, type Option } from "./commander.js";
import { UsageError } from "../core/errors.js";
import type { RawInput } from "./command.js";
import { examples } from "./command.js";
import { packageVersion } from "./version.js";
import { declareEventsGroup } from "./commands/events/group.js";
import { GROUPS, REGISTRY, type AnyCommand } from "./commands/index.js";

export type { AnyCommand };

export type Dispatch = (module: AnyCommand, raw: RawInput) => Promise<void>;

const GLOBAL_FLAGS = new Set(["--debug", "--no-color", "--color"]);

/** The command path argv names ("send", "events poll", or after "help"), to load just that module. */
export function invokedPath(argv: readonly string[]): string[] {
  const words: string[] = [];
  for (const token of argv) {
    if (token === "--") break;
    if (token.startsWith("-")) {
      if (words.length === 0 && !GLOBAL_FLAGS.has(token)) break;
      continue;
    }
    words.push(token);
    if (words.length >= 3) break;
  }
  if (words[0] === "help") words.shift();
  return words[0] !== undefined && Object.hasOwn(GROUPS, words[0]) ? words.slice(0, 2) : words.slice(0, 1);
}

/**
 * `help events list` → `events list --help`: commander's help command takes one word, so a
 * subcommand's help would show its group's instead.
 */
export function helpAsFlag(argv: readonly string[]): string[] {
  const at = argv.findIndex((token) => !GLOBAL_FLAGS.has(token));
  if (argv[at] !== "help") return [...argv];
  const words: string[] = [];
  for (const token of argv.slice(at + 1)) {
    if (token.startsWith("-") || words.length === (words[0] !== undefined && Object.hasOwn(GROUPS, words[0]) ? 2 : 1)) break;
    words.push(token);
  }
  if (words.length === 0) return [...argv];
  // An unknown name is left for commander to refuse (with a suggestion), not turned into the top-level help.
  const known =
    REGISTRY.some((entry) => entry.path.join(" ") === words.join(" ")) || (words.length === 1 && Object.hasOwn(GROUPS, words[0] ?? ""));
  return [...argv.slice(0, at), ...words, ...(known ? ["--help"] : [])];
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current?.parent; current = current.parent) names.unshift(current.name());
  return names.join(" ");
}

const longFlag = (flags: string) => /--[\w-]+/.exec(flags)?.[0] ?? flags;

/**
 * Commander's usage errors in our words, on one line, with its suggestion in the hint: run.ts renders
 * them like every other usage error. Help and --version pass through.
 */
export function usageErrorFrom(error: CommanderError, command: Command): CommanderError | UsageError {
  if (error.exitCode === 0 || error.code === "commander.help" || error.code === "commander.executeSubCommandAsync") return error;
  const path = commandPath(command);
  const help = `see: xsolla-hooks ${path ? `${path} ` : ""}--help`;
  const [first = "", ...rest] = error.message.replace(/^error: /, "").split("\n");
  const suggestion = /^\(Did you mean (.+)\?\)$/.exec(rest.join(" ").trim())?.[1];
  const hint = suggestion ? `did you mean ${suggestion}? ${help}` : help;
  const forCommand = path ? ` for ${path}` : "";
  const quoted = [...first.matchAll(/'([^']*)'/g)].map((m) => m[1] ?? "");
  switch (error.code) {
    case "commander.unknownOption":
      return new UsageError(`unknown option ${quoted[0]}${forCommand}`, { hint });
    case "commander.unknownCommand":
      return new UsageError(`unknown command "${quoted[0]}"${path ? ` in ${path}` : ""}`, { hint });
    case "commander.missingArgument":
      return new UsageError(`missing argument <${quoted[0]}>${forCommand}`, { hint });
    case "commander.optionMissingArgument":
      return new UsageError(`${longFlag(quoted[0] ?? "")} needs a value: ${quoted[0]}`, { hint });
    case "commander.invalidArgument": {
      const choices = /Allowed choices are (.+)\.$/.exec(first)?.[1];
      const what = quoted[0]?.startsWith("-") ? longFlag(quoted[0]) : `argument ${quoted[1] ?? ""}`;
      const value = quoted[0]?.startsWith("-") ? quoted[1] : quoted[0];
      return new UsageError(`invalid ${what} "${value}"`, { hint: choices ? `use ${choices.replace(/, ([^,]+)$/, " or $1")}` : help });
    }
    case "commander.excessArguments": {
      const counts = /Expected (\d+) arguments? but got (\d+)/.exec(first);
      return new UsageError(`too many arguments${forCommand}: expected ${counts?.[1] ?? "fewer"}, got ${counts?.[2] ?? "more"}`, { hint });
    }
    default:
      return new UsageError(first, { hint });
  }
}

// Defaults shown one way in every --help: `(default: X)`, never `(default X)` or a quoted `"X"`.
// Descriptions state their own defaults (most flags have none in commander, so that flags, the
// environment and the config file can take precedence); this keeps them and commander's in one form.
export function normalizeDefaults(description: string): string {
  return description.replace(/([(;,]\s*)default:?\s+"([^"]*)"/g, "$1default: $2").replace(/([(;,]\s*)default(?!:)\s+/g, "$1default: ");
}

function optionDescription(option: Option): string {
  const extra: string[] = [];
  if (option.argChoices) extra.push(`one of ${option.argChoices.join(", ")}`);
  if (option.defaultValue !== undefined && (option.required || option.optional))
    extra.push(`default: ${option.defaultValueDescription ?? String(option.defaultValue)}`);
  const text = normalizeDefaults(option.description);
  return extra.length ? `${text} (${extra.join("; ")})` : text;
}

/** Builds the program; `load` says which command modules to declare in full ("all" for completion and tests). */
export async function createProgram(
  output: { stdout: (text: string) => void; stderr: (text: string) => void },
  dispatch: Dispatch,
  load: { argv: readonly string[] } | "all",
): Promise<Command> {
  const program = new Command("xsolla-hooks");
  program
    // Every command inherits these: `this` is the command the error is about.
    .exitOverride(function (this: Command, error: CommanderError) {
      throw usageErrorFrom(error, this);
    })
    // Commander prints nothing of its own errors; run.ts renders the UsageError above as one line.
    .configureOutput({ writeOut: output.stdout, writeErr: output.stderr, outputError: () => {} })
    .configureHelp({ optionDescription })
    .showSuggestionAfterError(true)
    .description("Sign, send, receive and debug Xsolla webhooks.")
    .version(packageVersion(), "-V, --version", "print the version")
    .option("--debug", "print stack traces for errors")
    .option("--no-color", "never colour the output (also NO_COLOR=1)")
    .addHelpText(
      "after",
      examples(
        "xsolla-hooks demo",
        "xsolla-hooks send payment --url http://localhost:3000/webhook --secret $XSOLLA_WEBHOOK_SECRET",
        "xsolla-hooks listen --port 3000 --secret s3cr3t",
      ) + "\nExit codes: 0 ok, 1 check failed, 2 usage or bad input, 3 target unreachable, 70 bug, 130 interrupted.\n",
    );

  const parents = new Map<string, Command>();
  // A group appears in the list where its first command would.
  const parentOf = (name: string): Command => {
    const known = parents.get(name);
    if (known) return known;
    const bare = program.command(name).description(GROUPS[name] ?? "");
    const group = name === "events" ? declareEventsGroup(bare) : bare;
    parents.set(name, group);
    return group;
  };
  const wanted = load === "all" ? undefined : invokedPath(load.argv).join(" ");
  const modules = await Promise.all(
    REGISTRY.map((entry) => (wanted === undefined || entry.path.join(" ") === wanted ? entry.load() : Promise.resolve(undefined))),
  );
  REGISTRY.forEach((entry, index) => {
    const [first, second] = entry.path;
    const parent = second === undefined ? program : parentOf(first as string);
    const command = parent.command(second ?? (first as string)).description(entry.summary);
    const module = modules[index];
    if (!module) return; // listed by its summary; declared in full only when run
    module.declare(command).action(async (...args: unknown[]) => {
      const self = args[args.length - 1] as Command;
      const raw: RawInput = { opts: self.optsWithGlobals(), args: args.slice(0, -2) };
      await dispatch(module, raw);
    });
  });
  return program;
}

/** argv → the command it names and its parsed options, without running anything (for the table test and tooling). */
export async function parseCommandLine(argv: readonly string[]): Promise<{ command: string; options: unknown }> {
  let parsed: { command: string; options: unknown } | undefined;
  const silent = () => {};
  const program = await createProgram(
    { stdout: silent, stderr: silent },
    (module, raw) => {
      parsed = { command: module.path.join(" "), options: module.parse(raw) };
      return Promise.resolve();
    },
    { argv },
  );
  await program.parseAsync(helpAsFlag(argv), { from: "user" });
  if (!parsed) throw new Error(`no command matched: ${argv.join(" ")}`);
  return parsed;
}
