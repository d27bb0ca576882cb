// `events poll` as a use case: poll the Event API, hand each new event to the caller (to print), forward
// it as a signed webhook when asked (through deliverOnce, like every webhook), and ack it only after it
// was handled. The caller renders; this file decides the order of things and keeps the tally.
import { buildWebhookRequest } from "../core/delivery/request.js";
import type { Transport } from "../core/delivery/types.js";
import type { XsollaEvent } from "../events-api/schema.js";
import type { EventApiClient } from "../events-api/client.js";
import type { BackoffOptions } from "../events-api/poll.js";
import type { EventApiError } from "../events-api/errors.js";
import { createSystemClock } from "../adapters/system-clock.js";
import { deliverOnce } from "./deliver.js";

/** How long acks in flight may finish after Ctrl-C before we stop waiting for them. */
const ACK_GRACE_MS = 5_000;
const FORWARD_TIMEOUT_MS = 10_000;

export interface ForwardTarget {
  url: string;
  secret: string;
}

export interface PollRunOptions {
  intervalMs: number;
  durationMs?: number | undefined;
  maxEvents?: number | undefined;
  maxFailures: number;
  afterId?: number | undefined;
  types?: string[] | undefined;
  backoff: BackoffOptions;
  ack: boolean;
  once: boolean;
  forward?: ForwardTarget | undefined;
  signal: AbortSignal;
}

export interface PollListener {
  /** A new event, before it is forwarded or acked. */
  onEvent(event: XsollaEvent): void;
  /** A retryable failure of the Event API; the poller waits and asks again. */
  onPollError(error: EventApiError, retryInMs: number, consecutiveFailures: number): void;
  /** Caught up; the next poll is in `intervalMs`. */
  onIdle(afterId: number | undefined, received: number): void;
  onAckRetry(id: number, error: Error, retryInMs: number): void;
  onForwardFailed(id: number, reason: string): void;
}

export interface PollSummary {
  received: number[];
  acked: number[];
  /** Printed (and forwarded, when asked) but not marked processed. */
  unacked: number[];
  notForwarded: number[];
  /** What ended the run early, if anything did (a non-retryable Event API error, say). */
  failure: unknown;
}

export interface ForwardResult {
  ok: boolean;
  /** Why not, in a few words: "status 500" or the transport's message. */
  reason: string;
}

/** Signs an event's data as a webhook and delivers it once; a 2xx is success. */
export async function forwardEvent(
  event: XsollaEvent,
  target: ForwardTarget,
  transport: Transport,
  signal?: AbortSignal,
): Promise<ForwardResult> {
  const { request } = buildWebhookRequest(target.url, Buffer.from(JSON.stringify(event.data)), target.secret);
  const report = await deliverOnce(request, transport, FORWARD_TIMEOUT_MS, signal);
  const result = report.attempts[0]?.result;
  if (!result) return { ok: false, reason: "interrupted before it was sent" };
  if (result.kind === "no-reply") return { ok: false, reason: result.error.message };
  const ok = result.status >= 200 && result.status < 300;
  return { ok, reason: `status ${result.status}` };
}

export async function runPoll(client: EventApiClient, options: PollRunOptions, listener: PollListener): Promise<PollSummary> {
  const { pollEvents, createAcker } = await import("../events-api/poll.js");
  const { createHttpTransport } = await import("../adapters/http-transport.js");
  const transport = options.forward ? createHttpTransport() : undefined;
  const clock = createSystemClock();
  const stopPolling = new AbortController();
  const stopAcks = new AbortController();
  const onInterrupt = () => stopPolling.abort(options.signal.reason);
  options.signal.addEventListener("abort", onInterrupt, { once: true });
  const timer =
    options.durationMs === undefined ? undefined : setTimeout(() => stopPolling.abort(new Error("duration reached")), options.durationMs);
  const acker = createAcker(client, {
    clock,
    backoff: options.backoff,
    signal: stopAcks.signal,
    onRetry: ({ id, error, retryInMs }) => listener.onAckRetry(id, error, retryInMs),
  });

  const received: number[] = [];
  const notForwarded: number[] = [];
  let failure: unknown;

  const handle = async (event: XsollaEvent): Promise<void> => {
    listener.onEvent(event);
    received.push(event.id);
    if (options.forward && transport) {
      const forwarded = await forwardEvent(event, options.forward, transport);
      if (!forwarded.ok) {
        notForwarded.push(event.id);
        listener.onForwardFailed(event.id, forwarded.reason);
        return;
      }
    }
    if (options.ack) await acker.ack(event.id);
  };

  try {
    const stream = pollEvents(client, {
      clock,
      intervalMs: options.intervalMs,
      signal: stopPolling.signal,
      afterId: options.afterId,
      types: options.types,
      maxFailures: options.maxFailures,
      backoff: options.backoff,
    });
    for await (const item of stream) {
      if (item.kind === "error") {
        listener.onPollError(item.error, item.retryInMs, item.consecutiveFailures);
      } else if (item.kind === "idle") {
        if (options.once) break;
        listener.onIdle(item.afterId, received.length);
      } else {
        await handle(item.event);
        if (options.maxEvents !== undefined && received.length >= options.maxEvents) break;
      }
    }
  } catch (error) {
    failure = error;
  } finally {
    if (timer) clearTimeout(timer);
    options.signal.removeEventListener("abort", onInterrupt);
    // Let acks in flight finish (briefly), so nothing printed is left unacknowledged needlessly.
    const grace = setTimeout(() => stopAcks.abort(new Error("interrupted")), ACK_GRACE_MS);
    await acker.drain();
    clearTimeout(grace);
    await client.close();
    await transport?.close();
  }

  const acked = acker.acked();
  const unacked = options.ack ? received.filter((id) => !acked.includes(id) && !notForwarded.includes(id)) : [];
  return { received, acked, unacked, notForwarded, failure };
}
