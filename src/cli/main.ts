// The only module that touches the process: argv in, exit code out, Ctrl-C and SIGTERM handling.
import { processIo } from "../adapters/io.js";
import { packageVersion } from "./version.js";

const argv = process.argv.slice(2);
// `--version` alone is answered before commander and the command registry load: scripts call it often.
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  process.stdout.write(`${packageVersion()}\n`);
  process.exit(0);
}
const { runCli } = await import("./run.js");

const flags = v8FlagsFor(argv);
if (flags.length > 0) {
  const v8 = await import("node:v8");
  for (const flag of flags) v8.setFlagsFromString(flag);
}

/** V8 tuning by command. Process-wide, so set here in the CLI and never inside a library user's process. */
function v8FlagsFor(args: readonly string[]): string[] {
  const [command, sub] = args.filter((arg) => !arg.startsWith("-"));
  // undici parses HTTP with a WebAssembly build of llhttp, which V8 compiles twice: at once (Liftoff), then optimised
  // in the background (TurboFan). Leaving the process waits for that second compile: ~160 ms here, longer than a
  // one-shot command's whole exchange. Commands that send a handful of requests skip it; servers, pollers and bursts
  // keep the optimised parser. Measured by bench/startup.mjs ("send").
  const sendsAFewRequests =
    command === "send"
      ? !args.some((arg) => /^--(?:repeat|duration)(?:=|$)/.test(arg))
      : command === "events"
        ? sub === "list" || sub === "ack" || sub === "enqueue"
        : command === "test" || command === "flow" || command === "demo" || command === "interactive" || args.length === 0;
  if (sendsAFewRequests) return ["--liftoff-only"];
  // A server left running keeps a small live set (a bounded history, a bounded id tracker) but allocates fast. By
  // default V8 lets the old generation grow to several times what survived its last full collection before collecting
  // again, so a receiver under sustained load sat at ~160 MB with ~20 MB live. Growing by at most 20% keeps it near
  // 100 MB, flat; the extra full collections are cheap because so little survives. Measured by bench/receiver-load.mjs.
  const staysUp = command === "listen" || (command === "events" && (sub === "serve" || sub === "poll"));
  if (staysUp) return ["--heap-growing-percent=20"];
  return [];
}

const controller = new AbortController();
let signals = 0;
const stop = (reason: string) => {
  signals += 1;
  // First Ctrl-C or SIGTERM: let the command finish what is in flight and report. Second: leave now.
  if (signals > 1) process.exit(130);
  controller.abort(new Error(reason));
};
process.on("SIGINT", () => stop("interrupted"));
process.on("SIGTERM", () => stop("terminated"));

const io = processIo(controller.signal);
const code = await runCli(argv, io);
// Let stdout drain before leaving (pipes are asynchronous); a reader that has gone needs no draining.
if (io.stdout.closed) process.exit(code);
process.stdout.write("", () => process.exit(code));
