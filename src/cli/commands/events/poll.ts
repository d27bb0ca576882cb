// `events poll`: print each new event once, in id order; with --ack mark it processed only after it
// was printed (or, with --forward-to, only after the handler answered 2xx).
import { ExitCode } from "../../../core/errors.js";
import { parseDuration } from "../../../core/duration.js";
import { buildWebhookRequest } from "../../../core/delivery/request.js";
import type { XsollaEvent } from "../../../events-api/schema.js";
import { createSystemClock } from "../../../adapters/system-clock.js";
import { eventRow, eventToJson, EVENT_TABLE_HEADER, openClient, resolveEventConnection, warnIfExpired, type EventAuthFlags } from "../../events-shared.js";
import type { Io } from "../../io.js";
import { createProgressLine } from "../../progress.js";
import { checkUrl, parseInteger, resolveSecret } from "../../options.js";

export interface EventsPollOptions extends EventAuthFlags {
  interval?: string;
  ack?: boolean;
  once?: boolean;
  maxEvents?: string;
  duration?: string;
  maxFailures?: string;
  afterId?: string;
  types?: string;
  forwardTo?: string;
  backoff?: string;
  secret?: string;
  json?: boolean;
}

/** How long acks in flight may finish after Ctrl-C before we stop waiting for them. */
const ACK_GRACE_MS = 5_000;
const COLUMNS = [8, 22, 26, 18, 24, 5];

function row(cells: string[]): string {
  return `${cells.map((cell, i) => (i < COLUMNS.length ? cell.padEnd(COLUMNS[i] as number) : cell)).join(" ").trimEnd()}\n`;
}

function ranges(ids: readonly number[]): string {
  return ids.length > 20 ? `${ids.slice(0, 20).join(", ")} and ${ids.length - 20} more` : ids.join(", ");
}

export async function run(options: EventsPollOptions, io: Io): Promise<number> {
  const connection = resolveEventConnection(options, io);
  const intervalMs = options.interval ? parseDuration(options.interval, "--interval", "s") : 3_000;
  const durationMs = options.duration ? parseDuration(options.duration, "--duration", "s") : undefined;
  const maxEvents = parseInteger(options.maxEvents, "--max-events", { min: 1, max: Number.MAX_SAFE_INTEGER });
  const maxFailures = parseInteger(options.maxFailures, "--max-failures", { min: 1, max: 1_000_000 }) ?? 10;
  const afterId = parseInteger(options.afterId, "--after-id", { min: 0, max: Number.MAX_SAFE_INTEGER });
  const types = options.types?.split(",").map((t) => t.trim()).filter(Boolean);
  const backoff = { baseMs: options.backoff ? parseDuration(options.backoff, "--backoff", "ms") : 1_000, maxMs: 60_000 };
  const forward = options.forwardTo ? { url: checkUrl(options.forwardTo), secret: resolveSecret(options.secret, io) } : undefined;
  warnIfExpired(connection, io);

  const { pollEvents, createAcker } = await import("../../../events-api/poll.js");
  const { createHttpTransport } = await import("../../../adapters/http-transport.js");
  const client = await openClient(connection);
  const transport = forward ? createHttpTransport() : undefined;
  const clock = createSystemClock();
  const stopPolling = new AbortController();
  const stopAcks = new AbortController();
  const onInterrupt = () => stopPolling.abort(io.signal.reason);
  io.signal.addEventListener("abort", onInterrupt, { once: true });
  const timer = durationMs === undefined ? undefined : setTimeout(() => stopPolling.abort(new Error("duration reached")), durationMs);
  const acker = createAcker(client, {
    clock,
    backoff,
    signal: stopAcks.signal,
    onRetry: ({ id, error, retryInMs }) => io.stderr.write(`warning: marking ${id} processed failed (${error.message}); retry in ${Math.round(retryInMs / 1000)}s\n`),
  });

  const received: number[] = [];
  const progress = createProgressLine(io);
  const notForwarded: number[] = [];
  let failure: unknown;
  if (!options.json) io.stdout.write(row(EVENT_TABLE_HEADER));

  const handle = async (event: XsollaEvent): Promise<void> => {
    io.stdout.write(options.json ? `${JSON.stringify(eventToJson(event))}\n` : row(eventRow(event)));
    received.push(event.id);
    if (forward && transport) {
      const { request } = buildWebhookRequest(forward.url, Buffer.from(JSON.stringify(event.data)), forward.secret);
      const result = await transport.send(request, { timeoutMs: 10_000 });
      const ok = result.kind === "response" && result.status >= 200 && result.status < 300;
      if (!ok) {
        notForwarded.push(event.id);
        io.stderr.write(`warning: forwarding event ${event.id} failed (${result.kind === "response" ? `status ${result.status}` : result.error.message}); not marked processed\n`);
        return;
      }
    }
    if (options.ack) await acker.ack(event.id);
  };

  try {
    for await (const item of pollEvents(client, { clock, intervalMs, signal: stopPolling.signal, afterId, types, maxFailures, backoff })) {
      if (item.kind === "error") {
        progress.clear();
        io.stderr.write(`warning: ${item.error.message}; retry in ${(item.retryInMs / 1000).toFixed(1)}s (${item.consecutiveFailures} in a row)\n`);
      } else if (item.kind === "idle") {
        if (options.once) break;
        progress.show(`  caught up${item.afterId === undefined ? "" : ` at event ${item.afterId}`} (${received.length} received); next poll in ${Math.round(intervalMs / 1000)}s… (Ctrl-C to stop)`);
      } else {
        progress.clear();
        await handle(item.event);
        if (maxEvents !== undefined && received.length >= maxEvents) break;
      }
    }
  } catch (error) {
    failure = error;
  } finally {
    progress.clear();
    if (timer) clearTimeout(timer);
    io.signal.removeEventListener("abort", onInterrupt);
    // Let acks in flight finish (briefly), so nothing printed is left unacknowledged needlessly.
    const grace = setTimeout(() => stopAcks.abort(new Error("interrupted")), ACK_GRACE_MS);
    await acker.drain();
    clearTimeout(grace);
    await client.close();
    await transport?.close();
  }

  const unacked = options.ack ? received.filter((id) => !acker.acked().includes(id) && !notForwarded.includes(id)) : [];
  const parts = [`received ${received.length} event${received.length === 1 ? "" : "s"}`];
  if (options.ack) parts.push(`marked ${acker.acked().length} processed`);
  if (unacked.length) parts.push(`NOT marked processed: ${ranges(unacked)} (they will be listed again)`);
  if (notForwarded.length) parts.push(`not forwarded: ${ranges(notForwarded)}`);
  io.stderr.write(`${parts.join("; ")}\n`);

  if (failure !== undefined) throw failure;
  if (io.signal.aborted) return ExitCode.Interrupted;
  return unacked.length || notForwarded.length ? ExitCode.CheckFailed : ExitCode.Ok;
}

