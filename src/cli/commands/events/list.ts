// `events list`: GET /events, the unprocessed events for this user. A malformed event is reported on stderr
// and the others are shown.
import { ExitCode } from "../../../core/errors.js";
import { bool, defineCommand, examples, str } from "../../command.js";
import {
  EVENT_TABLE_HEADER,
  eventRow,
  eventToJson,
  openClient,
  resolveEventConnection,
  warnIfExpired,
  type EventAuthFlags,
} from "../../events-shared.js";
import type { Io } from "../../../adapters/io.js";
import { otherProjectIds } from "../../../events-api/scope.js";
import { parseInteger, parseList } from "../../options.js";
import { table } from "../../style.js";
import { declareEventAuth, parseEventAuth } from "./group.js";

export interface EventsListOptions {
  auth: EventAuthFlags;
  afterId: number | undefined;
  types: string[] | undefined;
  json: boolean;
}

export const command = defineCommand<EventsListOptions>({
  path: ["events", "list"],
  declare: (command) =>
    declareEventAuth(command)
      .option("--after-id <n>", "only events after this id")
      .option("--types <list>", "only these notification types, comma-separated")
      .option("--json", "one JSON line per event: {id,type,status,created_at,data}; errors go to stderr")
      .addHelpText(
        "after",
        examples("xsolla-hooks events list --jwt $XSOLLA_JWT", "xsolla-hooks events list --token $TOKEN --types order_paid --json"),
      ),
  parse: ({ opts }) => ({
    auth: parseEventAuth(opts),
    afterId: parseInteger(str(opts.afterId), "--after-id", { min: 0, max: Number.MAX_SAFE_INTEGER }),
    types: parseList(str(opts.types)),
    json: bool(opts.json),
  }),
  run,
  // stdout is a stream of events: errors stay on stderr even with --json.
  jsonErrorDocument: false,
});

async function run(options: EventsListOptions, io: Io): Promise<number> {
  const connection = resolveEventConnection(options.auth, io);
  warnIfExpired(connection, io);
  const client = await openClient(connection);
  try {
    const { events: page, rejected } = await client.listEventsPage({ afterId: options.afterId, types: options.types, signal: io.signal });
    for (const entry of rejected) {
      const what = entry.id === undefined ? "an event without a readable id" : `event ${entry.id}`;
      io.stderr.write(`warning: ${what} is malformed (${entry.problems.slice(0, 3).join("; ")}); not shown\n`);
    }
    // With a project id, another project's events are left out, as the poller and Xsolla's own SDK do (src/events-api/scope.ts).
    const { projectId } = connection;
    const events =
      projectId === undefined
        ? page
        : page.filter((event) => {
            const others = otherProjectIds(event, projectId);
            if (others.length > 0)
              io.stderr.write(`note: event ${event.id} is for project ${others.join(", ")}, not ${projectId}: not shown\n`);
            return others.length === 0;
          });
    if (options.json) {
      for (const event of events) io.stdout.write(`${JSON.stringify(eventToJson(event))}\n`);
    } else if (events.length === 0) {
      io.stdout.write(rejected.length > 0 || page.length > 0 ? "no usable events\n" : "no unprocessed events\n");
    } else {
      io.stdout.write(table([EVENT_TABLE_HEADER, ...events.map(eventRow)]));
    }
    return rejected.length > 0 ? ExitCode.CheckFailed : ExitCode.Ok;
  } finally {
    await client.close();
  }
}
