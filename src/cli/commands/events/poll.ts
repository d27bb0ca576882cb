// `events poll`: print each new event once; with --ack mark it processed only after it was printed (or, with
// --forward-to, only after the handler answered 2xx). src/runners/poll.ts runs it; this file renders.
import { ExitCode, UsageError } from "../../../core/errors.js";
import { formatDuration, parseDuration, parseSchedule } from "../../../core/duration.js";
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
import { watchOutput } from "../../../adapters/stdout-closed.js";
import type { PollSummary } from "../../../runners/poll.js";
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
  forwardScheduleMs: number[] | undefined;
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

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export const command = defineCommand<EventsPollOptions>({
  path: ["events", "poll"],
  declare: (command) =>
    declareEventAuth(command)
      .option("--interval <duration>", "pause after a sweep with nothing new, e.g. 3s (default 3s, as Xsolla's Unity SDK)")
      .option("--ack", "mark each event processed after it is printed (or forwarded)")
      .option("--once", "stop when a sweep finds nothing to do (no new event, no resend or ack pending)")
      .option("--max-events <n>", "stop after N events")
      .option("--duration <duration>", "stop after this long, e.g. 10m")
      .option("--max-failures <n>", "give up after N failed requests in a row (default 10; exit 3)")
      .option("--backoff <duration>", "first wait after a failure, doubled each time with jitter up to 60s (default 1s)")
      .option("--after-id <n>", "start every sweep after this id")
      .option("--types <list>", "only these notification types, comma-separated")
      .option("--forward-to <url>", "sign each event's data and POST it as a webhook; with --ack, ack only after a 2xx")
      .option(
        "--forward-schedule <delays>",
        "with --forward-to: resend delays instead of the type's Xsolla schedule, e.g. 3x10s (default: the type's retry policy)",
      )
      .option("--secret <secret>", "webhook secret for --forward-to (env XSOLLA_WEBHOOK_SECRET)")
      .option("--json", "one JSON line per event on stdout; the summary and any error go to stderr")
      .addHelpText(
        "after",
        examples(
          "xsolla-hooks events poll --jwt-file ~/.xsolla-jwt --project-id 12345",
          "xsolla-hooks events poll --ack --once --json",
          "xsolla-hooks events poll --ack --forward-to http://localhost:3000/webhook --secret $XSOLLA_WEBHOOK_SECRET",
        ),
      ),
  parse: ({ opts }) => {
    const interval = str(opts.interval);
    const duration = str(opts.duration);
    const backoff = str(opts.backoff);
    const forwardTo = str(opts.forwardTo);
    const forwardSchedule = str(opts.forwardSchedule);
    if (forwardSchedule !== undefined && forwardTo === undefined) throw new UsageError("--forward-schedule goes with --forward-to");
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
      forwardScheduleMs: forwardSchedule === undefined ? undefined : parseSchedule(forwardSchedule, "--forward-schedule"),
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
  const output = watchOutput();
  let summary: PollSummary;
  try {
    if (!options.json) io.stdout.write(row(EVENT_TABLE_HEADER));
    summary = await runPoll(
      client,
      { ...options, projectId: connection.projectId, forward, signal: io.signal },
      {
        async onEvent(event) {
          if (output.closed) return false;
          progress.clear();
          io.stdout.write(options.json ? `${JSON.stringify(eventToJson(event))}\n` : row(eventRow(event)));
          // Acked only once the line was written: a reader that is gone gets nothing acked.
          return output.settled();
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
          progress.clear();
          io.stderr.write(`warning: marking ${id} processed failed (${error.message}); retry in ${formatDuration(retryInMs)}\n`);
        },
        onForwardRetry(id, reason, retryInMs, nextAttempt) {
          progress.clear();
          io.stderr.write(`warning: forwarding event ${id} failed (${reason}); attempt ${nextAttempt} in ${formatDuration(retryInMs)}\n`);
        },
        onForwardFailed(id, reason) {
          progress.clear();
          io.stderr.write(`warning: forwarding event ${id} failed (${reason}); not marked processed\n`);
        },
        onSkipped(event, projectIds) {
          progress.clear();
          io.stderr.write(
            `note: event ${event.id} is for project ${projectIds.join(", ")}, not ${connection.projectId ?? "?"}: skipped, left unprocessed\n`,
          );
        },
        onMalformed(id, problems) {
          progress.clear();
          const what = id === undefined ? "an event without a readable id" : `event ${id}`;
          io.stderr.write(`warning: ${what} is malformed (${problems.slice(0, 3).join("; ")}); left unprocessed\n`);
        },
        onNotice(text) {
          progress.clear();
          io.stderr.write(`warning: ${text}\n`);
        },
      },
    );
  } finally {
    progress.clear();
    output.dispose();
  }

  const { received, acked, confirmed, unacked, unconfirmed, notForwarded, skipped, malformed, duplicates, undelivered, failure } = summary;
  const parts = [`received ${plural(received.length, "event")}`];
  if (options.ack)
    parts.push(`marked ${acked.length} processed${confirmed.length ? ` (${confirmed.length} confirmed by re-listing)` : ""}`);
  if (unacked.length) parts.push(`handled but NOT marked processed: ${ranges(unacked)} (they will be listed again)`);
  if (unconfirmed.length)
    parts.push(`handled, processed unknown: ${ranges(unconfirmed)} (the ack got no answer and re-listing could not tell)`);
  if (notForwarded.length) parts.push(`not forwarded: ${ranges(notForwarded)}`);
  if (skipped.length) parts.push(`skipped ${plural(skipped.length, "event")} of other projects`);
  if (malformed.length) {
    const ids = malformed.filter((id): id is number => id !== null);
    parts.push(`left ${plural(malformed.length, "malformed event")} unprocessed${ids.length ? `: ${ranges(ids)}` : ""}`);
  }
  if (duplicates.length)
    parts.push(`sent again after an attempt got no answer (the handler may have seen them twice): ${ranges(duplicates)}`);
  if (undelivered.length) parts.push(`stdout closed: stopped before ${ranges(undelivered)} (left unprocessed)`);
  io.stderr.write(`${parts.join("; ")}\n`);

  if (failure !== undefined) throw failure as Error;
  if (io.signal.aborted) return ExitCode.Interrupted;
  return unacked.length || unconfirmed.length || notForwarded.length || malformed.length ? ExitCode.CheckFailed : ExitCode.Ok;
}
