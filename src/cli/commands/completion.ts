// `completion <shell>`: a completion script for commands, webhook types and flags, made from the program itself.
import type { Command } from "commander";
import { bashCompletion, fishCompletion, zshCompletion, type CompletionCommand, type CompletionOption } from "../../core/completion.js";
import { ExitCode, UsageError } from "../../core/errors.js";
import { defineCommand, examples, str } from "../command.js";
import type { Io } from "../../adapters/io.js";

export interface CompletionOptions {
  shell: "bash" | "zsh" | "fish";
}

const TYPE_COMMANDS = new Set(["show", "sign", "send", "schema", "enqueue"]);
const SHELLS = new Map([
  ["bash", bashCompletion],
  ["zsh", zshCompletion],
  ["fish", fishCompletion],
] as const);

function optionsOf(command: Command): CompletionOption[] {
  return command.options
    .filter((o) => o.long && !o.hidden)
    .map((o) => ({ long: o.long as string, takesValue: o.required || o.optional, description: o.description, choices: o.argChoices }));
}

function describe(command: Command): CompletionCommand {
  const subcommands = command.commands.map(describe);
  return {
    name: command.name(),
    description: command.description(),
    options: optionsOf(command),
    takesType: TYPE_COMMANDS.has(command.name()),
    ...(subcommands.length ? { subcommands } : {}),
  };
}

export const command = defineCommand<CompletionOptions>({
  path: ["completion"],
  declare: (command) =>
    command
      .argument("<shell>", "bash, zsh or fish")
      .addHelpText(
        "after",
        examples(
          "xsolla-hooks completion bash > ~/.local/share/bash-completion/completions/xsolla-hooks",
          "source <(xsolla-hooks completion bash)",
          'xsolla-hooks completion zsh > "${fpath[1]}/_xsolla-hooks"',
          "xsolla-hooks completion fish | source",
        ),
      ),
  parse: ({ args }) => {
    const shell = str(args[0]) ?? "";
    // Own keys only: "constructor" or "toString" are not shells.
    if (!SHELLS.has(shell as CompletionOptions["shell"]))
      throw new UsageError(`unknown shell "${shell}"`, { hint: "use bash, zsh or fish" });
    return { shell: shell as CompletionOptions["shell"] };
  },
  run,
});

async function run(options: CompletionOptions, io: Io): Promise<number> {
  const { loadBuiltinFixtures } = await import("../../adapters/fixtures-fs.js");
  // Every command declared in full, so every flag is completed.
  const { createProgram } = await import("../program.js");
  const silent = () => {};
  const program = await createProgram({ stdout: silent, stderr: silent }, async () => {}, "all");
  const model = {
    program: "xsolla-hooks",
    commands: program.commands.filter((c) => c.name() !== "help").map(describe),
    globalOptions: optionsOf(program).filter((o) => o.long !== "--version"),
    types: loadBuiltinFixtures().map((f) => f.id),
  };
  const generate = SHELLS.get(options.shell) as typeof bashCompletion;
  io.stdout.write(generate(model));
  return ExitCode.Ok;
}
