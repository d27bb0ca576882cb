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
