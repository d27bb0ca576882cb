// Registers the commands. Each command module declares its own options and help; only the module of
// the command being run is loaded (the others appear in the command list by their summary), and it
// imports runners, undici, zod, chalk or @inquirer inside `run`, so `--version` and `sign` stay fast.
import { Command } from "commander";
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

/** Builds the program; `load` says which command modules to declare in full ("all" for completion and tests). */
export async function createProgram(
  output: { stdout: (text: string) => void; stderr: (text: string) => void },
  dispatch: Dispatch,
  load: { argv: readonly string[] } | "all",
): Promise<Command> {
  const program = new Command("xsolla-hooks");
  program
    .exitOverride()
    .configureOutput({ writeOut: output.stdout, writeErr: output.stderr })
    .showHelpAfterError("(run with --help for usage)")
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
    const group = declareEventsGroup(program.command(name).description(GROUPS[name] ?? ""));
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
  await program.parseAsync([...argv], { from: "user" });
  if (!parsed) throw new Error(`no command matched: ${argv.join(" ")}`);
  return parsed;
}
