// `events poll`: print each new event once, in id order; with --ack mark it processed only after it
// was printed (or, with --forward-to, only after the handler answered 2xx). src/runners/poll.ts runs it.
import { ExitCode } from "../../../core/errors.js";
import { parseDuration } from "../../../core/duration.js";
import { checkUrl, requireSecret } from "../../../core/settings.js";
import { bool, defineCommand, examples, str } from "../../command.js";
import {
  eventRow,
  eventToJson,
  EVENT_TABLE_HEADER,
  openClient,
  resolveEventConnection,
  warnIfExpired,
  type EventAuthFlags,
} from "../../events-shared.js";
import type { Io } from "../../../adapters/io.js";
import { createProgressLine } from "../../progress.js";
import { parseInteger, parseList } from "../../options.js";
import { loadTarget } from "../../../adapters/config-file.js";
import { declareEventAuth, parseEventAuth } from "./group.js";

export interface EventsPollOptions {
  auth: EventAuthFlags;
  intervalMs: number;
  ack: boolean;
  once: boolean;
  maxEvents: number | undefined;
  durationMs: number | undefined;
  maxFailures: number;
  afterId: number | undefined;
  types: string[] | undefined;
  forwardTo: string | undefined;
  backoff: { baseMs: number; maxMs: number };
  secret: string | undefined;
  json: boolean;
}

const COLUMNS = [8, 22, 26, 18, 24, 5];

function row(cells: string[]): string {
  return `${cells
    .map((cell, i) => (i < COLUMNS.length ? cell.padEnd(COLUMNS[i] as number) : cell))
    .join(" ")
    .trimEnd()}\n`;
}

function ranges(ids: readonly number[]): string {
  return ids.length > 20 ? `${ids.slice(0, 20).join(", ")} and ${ids.length - 20} more` : ids.join(", ");
}

export const command = defineCommand<EventsPollOptions>({
  path: ["events", "poll"],
  declare: (command) =>
    declareEventAuth(command)
      .option("--interval <duration>", "pause after a poll with nothing new, e.g. 3s (default 3s, as Xsolla's Unity SDK)")
      .option("--ack", "mark each event processed after it is printed (or forwarded)")
      .option("--once", "stop when caught up")
      .option("--max-events <n>", "stop after N events")
      .option("--duration <duration>", "stop after this long, e.g. 10m")
      .option("--max-failures <n>", "give up after N failed requests in a row (default 10; exit 3)")
      .option("--backoff <duration>", "first wait after a failure, doubled each time with jitter up to 60s (default 1s)")
      .option("--after-id <n>", "start after this id")
      .option("--types <list>", "only these notification types, comma-separated")
      .option("--forward-to <url>", "sign each event's data and POST it as a webhook; with --ack, ack only after a 2xx")
      .option("--secret <secret>", "webhook secret for --forward-to (env XSOLLA_WEBHOOK_SECRET)")
      .option("--json", "one JSON line per event on stdout; the summary and any error go to stderr")
      .addHelpText(
        "after",
        examples(
          "xsolla-hooks events poll --jwt $XSOLLA_JWT",
          "xsolla-hooks events poll --ack --once --json",
          "xsolla-hooks events poll --ack --forward-to http://localhost:3000/webhook --secret $XSOLLA_WEBHOOK_SECRET",
        ),
      ),
  parse: ({ opts }) => {
    const interval = str(opts.interval);
    const duration = str(opts.duration);
    const backoff = str(opts.backoff);
    const forwardTo = str(opts.forwardTo);
    return {
      auth: parseEventAuth(opts),
      intervalMs: interval ? parseDuration(interval, "--interval", "s") : 3_000,
      ack: bool(opts.ack),
      once: bool(opts.once),
      maxEvents: parseInteger(str(opts.maxEvents), "--max-events", { min: 1, max: Number.MAX_SAFE_INTEGER }),
      durationMs: duration ? parseDuration(duration, "--duration", "s") : undefined,
      maxFailures: parseInteger(str(opts.maxFailures), "--max-failures", { min: 1, max: 1_000_000 }) ?? 10,
      afterId: parseInteger(str(opts.afterId), "--after-id", { min: 0, max: Number.MAX_SAFE_INTEGER }),
      types: parseList(str(opts.types)),
      forwardTo: forwardTo === undefined ? undefined : checkUrl(forwardTo, "--forward-to"),
      backoff: { baseMs: backoff ? parseDuration(backoff, "--backoff", "ms") : 1_000, maxMs: 60_000 },
      secret: str(opts.secret),
      json: bool(opts.json),
    };
  },
  run,
  // stdout is a stream of events: errors stay on stderr even with --json.
  jsonErrorDocument: false,
});

async function run(options: EventsPollOptions, io: Io): Promise<number> {
  const connection = resolveEventConnection(options.auth, io);
  let forward: { url: string; secret: string } | undefined;
  if (options.forwardTo) {
    const { target } = await loadTarget(io, { secret: options.secret });
    forward = { url: options.forwardTo, secret: requireSecret(target) };
  }
  warnIfExpired(connection, io);
  const { runPoll } = await import("../../../runners/poll.js");
  const client = await openClient(connection);
  const progress = createProgressLine(io);
  if (!options.json) io.stdout.write(row(EVENT_TABLE_HEADER));

  const summary = await runPoll(
    client,
    { ...options, forward, signal: io.signal },
    {
      onEvent(event) {
        progress.clear();
        io.stdout.write(options.json ? `${JSON.stringify(eventToJson(event))}\n` : row(eventRow(event)));
      },
      onPollError(error, retryInMs, consecutiveFailures) {
        progress.clear();
        io.stderr.write(`warning: ${error.message}; retry in ${(retryInMs / 1000).toFixed(1)}s (${consecutiveFailures} in a row)\n`);
      },
      onIdle(afterId, received) {
        progress.show(
          `  caught up${afterId === undefined ? "" : ` at event ${afterId}`} (${received} received); next poll in ${Math.round(options.intervalMs / 1000)}s… (Ctrl-C to stop)`,
        );
      },
      onAckRetry(id, error, retryInMs) {
        io.stderr.write(`warning: marking ${id} processed failed (${error.message}); retry in ${Math.round(retryInMs / 1000)}s\n`);
      },
      onForwardFailed(id, reason) {
        io.stderr.write(`warning: forwarding event ${id} failed (${reason}); not marked processed\n`);
      },
    },
  );
  progress.clear();

  const { received, acked, unacked, notForwarded, failure } = summary;
  const parts = [`received ${received.length} event${received.length === 1 ? "" : "s"}`];
  if (options.ack) parts.push(`marked ${acked.length} processed`);
  if (unacked.length) parts.push(`NOT marked processed: ${ranges(unacked)} (they will be listed again)`);
  if (notForwarded.length) parts.push(`not forwarded: ${ranges(notForwarded)}`);
  io.stderr.write(`${parts.join("; ")}\n`);

  if (failure !== undefined) throw failure as Error;
  if (io.signal.aborted) return ExitCode.Interrupted;
  return unacked.length || notForwarded.length ? ExitCode.CheckFailed : ExitCode.Ok;
}
