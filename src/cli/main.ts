// The only module that touches the process: argv in, exit code out, Ctrl-C handling.
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
let interrupts = 0;
process.on("SIGINT", () => {
  interrupts += 1;
  // First Ctrl-C: let the command finish what is in flight and report. Second: leave now.
  if (interrupts > 1) process.exit(130);
  controller.abort(new Error("interrupted"));
});
process.on("SIGTERM", () => controller.abort(new Error("terminated")));

const code = await runCli(argv, processIo(controller.signal));
// Let stdout drain before leaving (pipes are asynchronous).
process.stdout.write("", () => process.exit(code));
