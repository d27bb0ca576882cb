// `events enqueue <type>`: put a catalog fixture (with the usual overrides) on a running mock.
import { ExitCode } from "../../../core/errors.js";
import { checkUrl } from "../../../core/settings.js";
import { bool, defineCommand, examples, str } from "../../command.js";
import type { Io } from "../../../adapters/io.js";
import { declarePayloadOptions, parseInteger, parsePayloadFlags, type PayloadFlags } from "../../options.js";

export interface EventsEnqueueOptions {
  source: string;
  payload: PayloadFlags;
  baseUrl: string | undefined;
  count: number;
  json: boolean;
}

export const command = defineCommand<EventsEnqueueOptions>({
  path: ["events", "enqueue"],
  declare: (command) =>
    declarePayloadOptions(
      command
        .argument("<type|file|->", "webhook type from the catalog, a JSON file, or - for stdin")
        .option("--base-url <url>", "the mock's URL (env XSOLLA_EVENT_API_URL)")
        .option("--count <n>", "add N events, each with fresh ids")
        .option("--json", "one JSON line per event"),
    ).addHelpText(
      "after",
      examples(
        "xsolla-hooks events enqueue order_paid --base-url http://127.0.0.1:8787",
        "xsolla-hooks events enqueue payment --count 5 --set user.id=player_1 --base-url $URL",
      ),
    ),
  parse: ({ opts, args }) => {
    const baseUrl = str(opts.baseUrl);
    return {
      source: str(args[0]) as string,
      payload: parsePayloadFlags(opts),
      baseUrl: baseUrl === undefined ? undefined : checkUrl(baseUrl, "--base-url", "XSOLLA_EVENT_API_URL"),
      count: parseInteger(str(opts.count), "--count", { min: 1, max: 10_000 }) ?? 1,
      json: bool(opts.json),
    };
  },
  run,
});

async function run(options: EventsEnqueueOptions, io: Io): Promise<number> {
  const baseUrl = options.baseUrl ?? checkUrl(io.env.XSOLLA_EVENT_API_URL, "--base-url", "XSOLLA_EVENT_API_URL");
  const { enqueueRemote } = await import("../../../events-api/admin-client.js");
  const { resolvePayload } = await import("../../../adapters/payload-source.js");
  for (let i = 0; i < options.count; i++) {
    // Each event gets fresh ids, as separate purchases would.
    const payload = await resolvePayload(options.source, options.payload, io);
    const event = await enqueueRemote(JSON.parse(payload.bytes.toString("utf8")) as object, { baseUrl, signal: io.signal });
    io.stdout.write(
      options.json
        ? `${JSON.stringify({ id: event.id, type: payload.type ?? null })}\n`
        : `enqueued event ${event.id} (${payload.type ?? "custom"})\n`,
    );
  }
  return ExitCode.Ok;
}
