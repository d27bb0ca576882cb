// --ui, --ui-port, --ui-history and --open, shared by `listen` and `demo`: options, and starting the inspector
// (src/server/inspector.ts) next to the receiver.
import type { Command } from "commander";
import type { Io, Out } from "../adapters/io.js";
import { str, bool, type RawInput } from "./command.js";
import { explainBindError, parseInteger } from "./options.js";
import { UsageError } from "../core/errors.js";
import type { RunningInspector } from "../server/inspector.js";

export interface UiOptions {
  ui: boolean;
  uiPort: number;
  uiHistory: number;
  open: boolean;
}

export function declareUiOptions(command: Command): Command {
  return command
    .option("--ui", "serve the web inspector (live list, details, replay) on its own loopback port")
    .option("--ui-port <port>", "port for --ui (0 picks a free one) (default: 0)")
    .option("--ui-history <n>", "deliveries the inspector keeps, newest first (default: 500)")
    .option("--open", "open the inspector in the browser (implies --ui)");
}

/** `history`: listen's --history, another name for --ui-history (the one number of deliveries kept in memory). */
export function parseUiOptions(opts: RawInput["opts"], history?: string): UiOptions {
  const open = bool(opts.open);
  const uiHistory = parseInteger(str(opts.uiHistory), "--ui-history", { min: 1, max: 100_000 });
  const asHistory = parseInteger(history, "--history", { min: 1, max: 100_000 });
  if (uiHistory !== undefined && asHistory !== undefined && uiHistory !== asHistory)
    throw new UsageError(`--history ${asHistory} and --ui-history ${uiHistory} disagree: they are the same setting`);
  return {
    ui: bool(opts.ui) || open,
    uiPort: parseInteger(str(opts.uiPort), "--ui-port", { min: 0, max: 65_535 }) ?? 0,
    uiHistory: uiHistory ?? asHistory ?? 500,
    open,
  };
}

/** 127.0.0.0/8, ::1 (also as an IPv4-mapped address) and localhost: nothing outside this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, "");
  return name === "localhost" || name === "::1" || /^(?:::ffff:)?127(?:\.\d{1,3}){3}$/.test(name);
}

/** Starts the inspector and prints `Inspector: URL` on `banner` (stderr when stdout carries --json lines). */
export async function startUi(io: Io, banner: Out, options: UiOptions, host: string, secret: string): Promise<RunningInspector> {
  const { startInspector } = await import("../server/inspector.js");
  const { replayReceived } = await import("../runners/replay-received.js");
  let inspector: RunningInspector;
  try {
    inspector = await startInspector({
      secret,
      host,
      port: options.uiPort,
      history: options.uiHistory,
      replay: (request, target, signal) => replayReceived(request, target, secret, signal),
    });
  } catch (error) {
    explainBindError(error, options.uiPort, host);
  }
  if (!isLoopbackHost(host)) {
    io.stderr.write(
      `warning: --host ${host}: the inspector is reachable from other machines too; it shows every request body and can send requests\n`,
    );
  }
  banner.write(`Inspector: ${inspector.url}\n`);
  if (options.open) {
    const { openInBrowser } = await import("../adapters/open-browser.js");
    openInBrowser(inspector.url, (problem) => io.stderr.write(`warning: --open: ${problem}; open ${inspector.url} yourself\n`));
  }
  return inspector;
}
