import { ExitCode } from "../../../core/errors.js";
import { EVENT_TABLE_HEADER, eventRow, eventToJson, openClient, resolveEventConnection, warnIfExpired, type EventAuthFlags } from "../../events-shared.js";
import type { Io } from "../../io.js";
import { parseInteger } from "../../options.js";
import { table } from "../../style.js";

export interface EventsListOptions extends EventAuthFlags {
  afterId?: string;
  types?: string;
  json?: boolean;
}

export async function run(options: EventsListOptions, io: Io): Promise<number> {
  const connection = resolveEventConnection(options, io);
  const afterId = parseInteger(options.afterId, "--after-id", { min: 0, max: Number.MAX_SAFE_INTEGER });
  const types = options.types?.split(",").map((t) => t.trim()).filter(Boolean);
  warnIfExpired(connection, io);
  const client = await openClient(connection);
  try {
    const events = await client.listEvents({ afterId, types, signal: io.signal });
    if (options.json) {
      for (const event of events) io.stdout.write(`${JSON.stringify(eventToJson(event))}\n`);
    } else if (events.length === 0) {
      io.stdout.write("no unprocessed events\n");
    } else {
      io.stdout.write(table([EVENT_TABLE_HEADER, ...events.map(eventRow)]));
    }
    return ExitCode.Ok;
  } finally {
    await client.close();
  }
}
