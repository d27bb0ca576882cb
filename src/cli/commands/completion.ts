import type { Command } from "commander";
import { bashCompletion, fishCompletion, zshCompletion, type CompletionCommand, type CompletionOption } from "../../core/completion.js";
import { ExitCode, UsageError } from "../../core/errors.js";
import { loadBuiltinFixtures } from "../../adapters/fixtures-fs.js";
import type { Io } from "../io.js";

export interface CompletionOptions {
  args: [string];
  program: Command;
}

const TYPE_COMMANDS = new Set(["show", "sign", "send", "enqueue"]);

function optionsOf(command: Command): CompletionOption[] {
  return command.options
    .filter((o) => o.long && !o.hidden)
    .map((o) => ({ long: o.long as string, takesValue: o.required || o.optional, description: o.description, choices: o.argChoices }));
}

function describe(command: Command): CompletionCommand {
  const subcommands = command.commands.map(describe);
  return { name: command.name(), description: command.description(), options: optionsOf(command), takesType: TYPE_COMMANDS.has(command.name()), ...(subcommands.length ? { subcommands } : {}) };
}

export async function run(options: CompletionOptions, io: Io): Promise<number> {
  const shell = options.args[0];
  const model = {
    program: "xsolla-hooks",
    commands: options.program.commands.filter((c) => c.name() !== "help").map(describe),
    globalOptions: optionsOf(options.program).filter((o) => o.long !== "--version"),
    types: loadBuiltinFixtures().map((f) => f.id),
  };
  const generators = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion } as const;
  const generate = generators[shell as keyof typeof generators];
  if (!generate) throw new UsageError(`unknown shell "${shell}"`, { hint: "use bash, zsh or fish" });
  io.stdout.write(generate(model));
  return ExitCode.Ok;
}
