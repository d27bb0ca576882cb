// `show`: the exact body bytes that would be sent.
import { ExitCode } from "../../core/errors.js";
import { defineCommand, examples, str } from "../command.js";
import type { Io } from "../../adapters/io.js";
import { formatFresh } from "../render/fresh.js";
import { declarePayloadOptions, parsePayloadFlags, type PayloadFlags } from "../options.js";

export interface ShowOptions {
  source: string;
  payload: PayloadFlags;
}

export const command = defineCommand<ShowOptions>({
  path: ["show"],
  declare: (command) =>
    declarePayloadOptions(command.argument("<type|file|->", "webhook type (see list), a JSON file, or - for stdin")).addHelpText(
      "after",
      examples(
        "xsolla-hooks show order_paid",
        "xsolla-hooks show order_paid --variant separate --set items.0.sku=gold_pack",
        "xsolla-hooks show payment --keep-ids > body.json",
      ),
    ),
  parse: ({ opts, args }) => ({ source: str(args[0]) as string, payload: parsePayloadFlags(opts) }),
  run,
});

async function run(options: ShowOptions, io: Io): Promise<number> {
  const { resolvePayload } = await import("../../adapters/payload-source.js");
  const payload = await resolvePayload(options.source, options.payload, io);
  io.stdout.write(payload.bytes);
  // The body has no trailing newline; add one for a terminal only, never for a pipe.
  if (io.stdout.isTTY) io.stdout.write("\n");
  if (Object.keys(payload.fresh).length > 0 && io.stderr.isTTY)
    io.stderr.write(`fresh values (--keep-ids keeps the fixture's): ${formatFresh(payload.fresh)}\n`);
  return ExitCode.Ok;
}
