// `export artillery`: write the burst as an Artillery scenario plus a processor that signs each
// request as we do, to run on Artillery's own (distributed) modes. src/runners/export-artillery.ts writes.
import { ExitCode } from "../../core/errors.js";
import { parseDuration } from "../../core/duration.js";
import { parseRate } from "../../core/burst/rate.js";
import { checkUrl } from "../../core/settings.js";
import type { ExportArtilleryCommand } from "../../runners/export-artillery.js";
import { bool, collect, defineCommand, examples, str } from "../command.js";
import type { Io } from "../../adapters/io.js";
import { declarePayloadOptions, parseHeaders, parsePayloadFlags } from "../options.js";
import { UsageError } from "../../core/errors.js";

export interface ExportArtilleryOptions extends ExportArtilleryCommand {
  json: boolean;
}

export const command = defineCommand<ExportArtilleryOptions>({
  path: ["export", "artillery"],
  declare: (command) =>
    declarePayloadOptions(
      command
        .argument("[type|file|-]", "webhook type (see list), a JSON file, or - for stdin")
        .option("--url <url>", "handler URL: its origin becomes the scenario's target (env XSOLLA_WEBHOOK_URL)")
        .option("--unique-ids", "fresh transaction/order/invoice ids per request (default: the same signed bytes every time)")
        .option("--rate <r>", "arrivals per second (or R/m per minute), one request each (default: 10)")
        .option("--duration <time>", "length of the phase, e.g. 60s or 5m (default: 60s)")
        .option("--header <K: V>", "extra request header (repeatable)", collect)
        .option("--out <file>", "scenario file to write (default: ./xsolla-hooks-<type>.artillery.yml); the processor goes next to it")
        .option("--force", "replace the files if they exist (default: refuse, exit 2)")
        .option("--json", "print the written paths as one JSON object"),
    ).addHelpText(
      "after",
      examples(
        "xsolla-hooks export artillery payment --url http://localhost:3000/webhook",
        "xsolla-hooks export artillery order_paid --unique-ids --rate 200 --duration 5m --url https://staging.example.com/xsolla",
        "XSOLLA_WEBHOOK_SECRET=$SECRET npx artillery@2.0.21 run xsolla-hooks-payment.artillery.yml",
      ) +
        "\nThe secret is not written into the files: the processor reads XSOLLA_WEBHOOK_SECRET when Artillery runs.\n" +
        "Artillery 2.0.21 runs on Node 20 (>= 18.16.1); later releases need Node 22.\n",
    ),
  parse({ opts, args }) {
    const source = str(args[0]);
    if (source === undefined)
      throw new UsageError("missing webhook type", { hint: "e.g. xsolla-hooks export artillery payment --url URL" });
    const url = str(opts.url);
    const rate = str(opts.rate);
    const duration = str(opts.duration);
    const durationMs = duration === undefined ? 60_000 : parseDuration(duration, "--duration", "s");
    if (durationMs < 1000 || durationMs % 1000 !== 0 || durationMs > 7 * 24 * 3_600_000)
      throw new UsageError(`invalid --duration "${duration}": whole seconds from 1s to 7 days (Artillery phases count seconds)`);
    if (opts.uniqueIds === true && opts.keepIds === true) throw new UsageError("--unique-ids does not go with --keep-ids");
    return {
      source,
      payload: parsePayloadFlags(opts),
      url: url === undefined ? undefined : checkUrl(url),
      headers: parseHeaders(opts.header as string[] | undefined),
      uniqueIds: opts.uniqueIds === true,
      arrivalRate: rate === undefined ? 10 : parseRate(rate),
      durationSeconds: durationMs / 1000,
      out: str(opts.out),
      force: bool(opts.force),
      json: bool(opts.json),
    };
  },
  run,
});

async function run(options: ExportArtilleryOptions, io: Io): Promise<number> {
  const { exportArtillery } = await import("../../runners/export-artillery.js");
  const written = await exportArtillery(options, io);
  if (options.json) {
    io.stdout.write(`${JSON.stringify(written)}\n`);
    return ExitCode.Ok;
  }
  io.stdout.write(
    `wrote ${written.scenario}\n` +
      `wrote ${written.processor}\n` +
      `  ${written.type} to ${written.url}, ${written.ids === "unique" ? "fresh ids per request" : "the same signed bytes every time"}\n` +
      `run: XSOLLA_WEBHOOK_SECRET=<project secret> npx artillery@2.0.21 run ${written.scenario}\n`,
  );
  return ExitCode.Ok;
}
