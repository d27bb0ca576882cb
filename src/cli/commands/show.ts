import { ExitCode } from "../../core/errors.js";
import type { Io } from "../io.js";
import { resolvePayload, type PayloadFlags } from "../payload-input.js";

export interface ShowOptions extends PayloadFlags {
  args: [string];
}

export async function run(options: ShowOptions, io: Io): Promise<number> {
  const payload = await resolvePayload(options.args[0], options, io);
  io.stdout.write(payload.bytes);
  // The body has no trailing newline; add one for a terminal only, never for a pipe.
  if (io.stdout.isTTY) io.stdout.write("\n");
  const fresh = Object.entries(payload.fresh);
  if (fresh.length > 0 && io.stderr.isTTY) io.stderr.write(`fresh values (--keep-ids keeps the fixture's): ${fresh.map(([k, v]) => `${k}=${String(v)}`).join(" ")}\n`);
  return ExitCode.Ok;
}
