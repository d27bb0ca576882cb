// runCli(argv, io) → exit code. Parses, dispatches, and turns every error into one line on stderr:
// the only place errors are rendered.
import { CommanderError } from "./commander.js";
import { ExitCode, XsollaHooksError } from "../core/errors.js";
import { errorLine } from "./render/error.js";
import { redactUrls } from "../core/settings.js";
import type { RawInput } from "./command.js";
import type { Io } from "../adapters/io.js";
import { createProgram, helpAsFlag, type AnyCommand, type Dispatch } from "./program.js";

export interface RenderContext {
  /** --json was given and the command's stdout takes the error document too (not a stream of events). */
  json: boolean;
  /** --debug or XSOLLA_HOOKS_DEBUG=1: stack traces too. */
  debug: boolean;
}

export function renderError(error: unknown, io: Io, context: RenderContext): number {
  if (io.signal.aborted && !(error instanceof XsollaHooksError)) {
    io.stderr.write("interrupted\n");
    return ExitCode.Interrupted;
  }
  if (error instanceof XsollaHooksError) {
    io.stderr.write(`${errorLine(error)}\n`);
    if (context.json && !error.reported) {
      const document = error.jsonReport ?? {
        ok: false,
        error: { code: error.code, message: redactUrls(error.message), hint: error.hint === undefined ? null : redactUrls(error.hint) },
      };
      io.stdout.write(`${JSON.stringify(document)}\n`);
    }
    if (context.debug && error.stack) io.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(
    `internal error: ${message} (this is a bug in xsolla-hooks; ${context.debug ? "stack below" : "run with --debug for the stack trace"})\n`,
  );
  if (context.debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return ExitCode.Internal;
}

export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  let result: number = ExitCode.Ok;
  let raw: RawInput | undefined;
  let running: AnyCommand | undefined;
  const dispatch: Dispatch = async (module, input) => {
    raw = input;
    running = module;
    result = await module.run(module.parse(input), io);
  };
  try {
    const program = await createProgram({ stdout: (text) => io.stdout.write(text), stderr: (text) => io.stderr.write(text) }, dispatch, {
      argv,
    });
    if (argv.length === 0) {
      // A person at a terminal gets the wizard; CI and pipes get help and are never prompted.
      if (io.stdin.isTTY && io.stdout.isTTY) return await (await import("./commands/interactive.js")).command.run({ forget: false }, io);
      io.stdout.write(program.helpInformation());
      return ExitCode.Ok;
    }
    await program.parseAsync(helpAsFlag(argv), { from: "user" });
    return result;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end in a CommanderError, exit code 0; a group named without its command printed its help (2).
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    const opts = raw?.opts ?? {};
    return renderError(error, io, {
      json: opts.json === true && running?.jsonErrorDocument !== false,
      debug: opts.debug === true || io.env.XSOLLA_HOOKS_DEBUG === "1",
    });
  }
}
