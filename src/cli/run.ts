// runCli(argv, io) → exit code. Parses, dispatches, and turns every error into one line on stderr.
import { CommanderError } from "commander";
import { ExitCode, XsollaHooksError } from "../core/errors.js";
import type { Io } from "./io.js";
import { createProgram } from "./program.js";

function isDebug(argv: readonly string[], io: Io): boolean {
  return argv.includes("--debug") || io.env.XSOLLA_HOOKS_DEBUG === "1";
}

export function renderError(error: unknown, io: Io, argv: readonly string[]): number {
  const debug = isDebug(argv, io);
  if (io.signal.aborted && !(error instanceof XsollaHooksError)) {
    io.stderr.write("interrupted\n");
    return ExitCode.Interrupted;
  }
  if (error instanceof XsollaHooksError) {
    const hint = error.hint ? ` (${error.hint})` : "";
    io.stderr.write(`error: ${error.message}${hint}\n`);
    if (argv.includes("--json")) io.stdout.write(`${JSON.stringify({ ok: false, error: { code: error.code, message: error.message, hint: error.hint ?? null } })}\n`);
    if (debug && error.stack) io.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`internal error: ${message} (this is a bug in xsolla-hooks; ${debug ? "stack below" : "run with --debug for the stack trace"})\n`);
  if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return ExitCode.Internal;
}

export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  let result: number = ExitCode.Ok;
  const program = createProgram(io, (code) => {
    result = code;
  });
  try {
    if (argv.length === 0) {
      // A person at a terminal gets the wizard; CI and pipes get help and are never prompted.
      if (io.stdin.isTTY && io.stdout.isTTY) return await (await import("./commands/interactive.js")).run({}, io);
      io.stdout.write(program.helpInformation());
      return ExitCode.Ok;
    }
    await program.parseAsync([...argv], { from: "user" });
    return result;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end in a CommanderError too, with exit code 0.
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    return renderError(error, io, argv);
  }
}
