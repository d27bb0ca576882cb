// `events ack`: POST /events/{id}/processed for each id; one failure does not stop the others.
import { ExitCode, UsageError, XsollaHooksError } from "../../../core/errors.js";
import { bool, defineCommand, examples, strings } from "../../command.js";
import { openClient, resolveEventConnection, warnIfExpired, type EventAuthFlags } from "../../events-shared.js";
import type { Io } from "../../../adapters/io.js";
import { parseInteger } from "../../options.js";
import { errorLine } from "../../render/error.js";
import { declareEventAuth, parseEventAuth } from "./group.js";

export interface EventsAckOptions {
  auth: EventAuthFlags;
  ids: number[];
  json: boolean;
}

export const command = defineCommand<EventsAckOptions>({
  path: ["events", "ack"],
  declare: (command) =>
    declareEventAuth(command.argument("<id...>", "event ids"))
      .option("--json", "one JSON line per id")
      .addHelpText("after", examples("xsolla-hooks events ack 101 102 --jwt $XSOLLA_JWT")),
  parse: ({ opts, args }) => {
    const ids = (strings(args[0]) ?? []).map((id) => parseInteger(id, "event id", { min: 0, max: Number.MAX_SAFE_INTEGER }) as number);
    if (ids.length === 0) throw new UsageError("give at least one event id");
    return { auth: parseEventAuth(opts), ids, json: bool(opts.json) };
  },
  run,
});

async function run(options: EventsAckOptions, io: Io): Promise<number> {
  const connection = resolveEventConnection(options.auth, io);
  warnIfExpired(connection, io);
  const client = await openClient(connection);
  let worst: number = ExitCode.Ok;
  try {
    for (const id of options.ids) {
      try {
        await client.markProcessed(id, { signal: io.signal });
        io.stdout.write(options.json ? `${JSON.stringify({ id, ok: true })}\n` : `marked ${id} processed\n`);
      } catch (error) {
        if (!(error instanceof XsollaHooksError) || io.signal.aborted) throw error;
        // One id failed: say so in the usual words and go on with the rest.
        io.stdout.write(options.json ? `${JSON.stringify({ id, ok: false, error: error.message })}\n` : "");
        io.stderr.write(`${errorLine(error)}\n`);
        worst = Math.max(worst, error.exitCode);
      }
    }
  } finally {
    await client.close();
  }
  return worst;
}
