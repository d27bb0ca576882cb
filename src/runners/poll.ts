// `events poll` as a use case: poll the Event API, hand each new event to the caller (to print), forward it as a
// signed webhook when asked (through deliverOnce, like every webhook), and ack it only after it was handled. The
// caller renders; this file decides the order of things and keeps the tally.
//
// Everything runs in one sequence on one clock: the poller's pauses, the acker's backoff and the forwarded
// webhooks' resends (queued with a due time, run when due), so a virtual clock replays hours of resends at once.
import { buildWebhookRequest } from "../core/delivery/request.js";
import { classifyAttempt, RETRY_POLICIES, type RetryPolicy } from "../core/delivery/policies.js";
import type { Clock, Transport } from "../core/delivery/types.js";
import type { RetryPolicyName } from "../core/fixtures/types.js";
import type { XsollaEvent } from "../events-api/schema.js";
import type { EventApiClient } from "../events-api/client.js";
import type { BackoffOptions } from "../events-api/poll.js";
import { EventApiError } from "../events-api/errors.js";
import { createSystemClock } from "../adapters/system-clock.js";
import { deliverOnce } from "./deliver.js";

/** How long acks in flight may finish after Ctrl-C before we stop waiting for them. */
const ACK_GRACE_MS = 5_000;
export const DEFAULT_FORWARD_TIMEOUT_MS = 10_000;
/**
 * An event handled but not acked is acked again when it is listed again, at most this many times in all (each
 * time with the acker's own retries): enough to ride out a bad minute, bounded so `--once` always ends.
 */
const MAX_ACK_ROUNDS = 3;
/** `--once` gives up after this many sweeps in a row that never reached an empty page (a server ignoring after_id). */
const MAX_INCONCLUSIVE_SWEEPS = 3;
/** Re-listing to confirm lost acks reads at most this many pages. */
const MAX_VERIFY_PAGES = 100;

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
  /** Handle only this project's events; events that name another project are left unprocessed and counted. */
  projectId?: string | undefined;
  backoff: BackoffOptions;
  ack: boolean;
  once: boolean;
  forward?: ForwardTarget | undefined;
  /** Replaces the resend delays of the forwarded type's retry policy (e.g. `3x100ms`); the policy still decides what is resent. */
  forwardScheduleMs?: readonly number[] | undefined;
  /** Per forwarded request. Default 10 s. */
  forwardTimeoutMs?: number | undefined;
  signal: AbortSignal;
  /** Default: real time. A virtual clock makes every pause and resend instant. */
  clock?: Clock | undefined;
  /** Default: a new HTTP transport, closed at the end (one given here is left open). */
  transport?: Transport | undefined;
  /** Jitter of the backoff, uniform in [0, 1). Default Math.random. */
  rand?: (() => number) | undefined;
  /** Retries of one ack after its first attempt. Default 5. */
  ackRetries?: number | undefined;
  /** A notification type's retry policy. Default: the built-in catalog's; `generic` for a type it does not know. */
  policyOfType?: ((type: string) => RetryPolicyName | undefined) | undefined;
}

export interface PollListener {
  /**
   * A new event, before it is forwarded or acked. Returning false (or a promise of false) says the reader is
   * gone (stdout closed): the event is left unprocessed and the run stops.
   */
  onEvent(event: XsollaEvent): boolean | void | Promise<boolean | void>;
  /** A retryable failure of the Event API; the poller waits and asks again. */
  onPollError(error: EventApiError, retryInMs: number, consecutiveFailures: number): void;
  /** Caught up; the next poll is in `intervalMs`. */
  onIdle(afterId: number | undefined, received: number): void;
  onAckRetry(id: number, error: Error, retryInMs: number): void;
  /** A forward failed and will be resent in `retryInMs` (the type's retry policy). */
  onForwardRetry?(id: number, reason: string, retryInMs: number, nextAttempt: number): void;
  /** A forward failed for good (a final answer, or the resends ran out): the event is left unprocessed. */
  onForwardFailed(id: number, reason: string): void;
  /** An event of another project, seen for the first time: neither handled nor acked. */
  onSkipped?(event: XsollaEvent, projectIds: readonly string[]): void;
  /** A page entry that is not a usable event, seen for the first time: left unprocessed. */
  onMalformed?(id: number | undefined, problems: readonly string[]): void;
  /** Anything else worth a line on stderr. */
  onNotice?(text: string): void;
}

export interface PollSummary {
  /** Handed to the reader, in the order they came. */
  received: number[];
  /** Marked processed (acked, or confirmed by re-listing), ascending. */
  acked: number[];
  /** Among `acked`: acks that seemed to fail (their answer was lost, say) but that re-listing showed were applied. */
  confirmed: number[];
  /** Handled, and NOT marked processed: the ack was refused, or the event is still listed. They come again. */
  unacked: number[];
  /** Handled; the ack got no answer and no re-listing could tell whether it was applied. */
  unconfirmed: number[];
  /** Printed but not delivered to the handler (a final answer, the resends ran out, or the run stopped first). */
  notForwarded: number[];
  /** Events of other projects, left unprocessed. */
  skipped: number[];
  /** Malformed entries left unprocessed: their ids, `null` for those without a readable id. */
  malformed: (number | null)[];
  /** Forwarded again after an attempt that got no answer: the handler may have seen them twice. */
  duplicates: number[];
  /** Not handed to the reader because it was gone (stdout closed); left unprocessed. */
  undelivered: number[];
  /** What ended the run early, if anything did (a non-retryable Event API error, say). */
  failure: unknown;
}

export interface ForwardResult {
  ok: boolean;
  /** Why not, in a few words: "status 500" or the transport's message. */
  reason: string;
  /** The handler's status, or undefined when no answer came. */
  status: number | undefined;
}

/** Signs an event's data as a webhook and delivers it once; a 2xx is success. */
export async function forwardEvent(
  event: XsollaEvent,
  target: ForwardTarget,
  transport: Transport,
  options: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined } = {},
): Promise<ForwardResult> {
  const { request } = buildWebhookRequest(target.url, Buffer.from(JSON.stringify(event.data)), target.secret);
  const report = await deliverOnce(request, transport, options.timeoutMs ?? DEFAULT_FORWARD_TIMEOUT_MS, options.signal);
  const result = report.attempts[0]?.result;
  if (!result) return { ok: false, reason: "interrupted before it was sent", status: undefined };
  if (result.kind === "no-reply") return { ok: false, reason: result.error.message, status: undefined };
  const ok = result.status >= 200 && result.status < 300;
  return { ok, reason: `status ${result.status}`, status: result.status };
}

type Phase =
  /** Being forwarded, or waiting for its next resend. */
  | "forwarding"
  | "waiting"
  /** Handled (printed, and forwarded when asked); not acked, or no ack asked for. */
  | "handled"
  | "acked"
  /** Handled; the ack failed. It is acked again when it is listed again. */
  | "unacked"
  | "not-forwarded";

/** One event of the run. Small once settled: the body is kept only while it may still be forwarded. */
interface Tracked {
  id: number;
  /** The event, while a forward of it is under way or due; null after (memory stays per id, not per body). */
  event: XsollaEvent | null;
  phase: Phase;
  policy: RetryPolicy;
  forwardAttempts: number;
  /** Some forward attempt got no answer: the handler may have processed it. */
  forwardUnanswered: boolean;
  dueAt: number;
  ackRounds: number;
  ackUnanswered: boolean;
  /** The sweep during which its last ack failed: only a later sweep's listing can show whether it was applied. */
  ackFailedInSweep: number;
}

/** The retry policy of each built-in webhook type (`order`, `payment`, `generic`, `none`). */
async function catalogPolicies(): Promise<Map<string, RetryPolicyName>> {
  const { loadBuiltinFixtures } = await import("../adapters/fixtures-fs.js");
  return new Map(loadBuiltinFixtures().map((f) => [f.meta.type, f.meta.retryPolicy]));
}

export async function runPoll(client: EventApiClient, options: PollRunOptions, listener: PollListener): Promise<PollSummary> {
  const { pollEvents, createAcker } = await import("../events-api/poll.js");
  const ownTransport =
    options.forward && !options.transport ? (await import("../adapters/http-transport.js")).createHttpTransport() : undefined;
  const transport = options.transport ?? ownTransport;
  const catalog = options.forward && !options.policyOfType ? await catalogPolicies() : undefined;
  const policyOfType = options.policyOfType ?? ((type: string) => catalog?.get(type));
  const clock = options.clock ?? createSystemClock();
  const stopPolling = new AbortController();
  const stopAcks = new AbortController();
  let grace: ReturnType<typeof setTimeout> | undefined;
  let stopping = false;
  let interrupted = false;
  const stop = (reason: unknown) => {
    stopping = true;
    if (!stopPolling.signal.aborted) stopPolling.abort(reason);
  };
  const onInterrupt = () => {
    interrupted = true;
    stop(options.signal.reason);
    // Let the ack in flight finish (briefly), so nothing printed is left unacknowledged needlessly.
    grace ??= setTimeout(() => stopAcks.abort(new Error("interrupted")), ACK_GRACE_MS);
  };
  if (options.signal.aborted) onInterrupt();
  else options.signal.addEventListener("abort", onInterrupt, { once: true });
  const timer = options.durationMs === undefined ? undefined : setTimeout(() => stop(new Error("duration reached")), options.durationMs);
  const acker = createAcker(client, {
    clock,
    retries: options.ackRetries,
    backoff: options.backoff,
    rand: options.rand,
    signal: stopAcks.signal,
    onRetry: ({ id, error, retryInMs }) => listener.onAckRetry(id, error, retryInMs),
  });

  const tracked = new Map<number, Tracked>();
  const waiting = new Set<Tracked>();
  const received: number[] = [];
  const confirmed: number[] = [];
  const skipped: number[] = [];
  const malformed: (number | null)[] = [];
  const duplicates = new Set<number>();
  const undelivered: number[] = [];
  let failure: unknown;
  /** The sweep under way (1, 2, ...); 0 stands for the re-listing after the run. */
  let sweep = 1;
  /** The last sweep that listed everything (0: none yet). */
  let lastComplete = 0;

  const ack = async (record: Tracked): Promise<void> => {
    record.ackRounds++;
    const result = await acker.ack(record.id);
    if (result.ok) {
      record.phase = "acked";
      return;
    }
    record.phase = "unacked";
    record.ackFailedInSweep = sweep;
    if (result.unanswered) record.ackUnanswered = true;
    if (result.error instanceof EventApiError && result.error.kind === "auth") {
      // The credentials are refused now: every further event would be handled and left unacked. Stop here.
      failure ??= result.error;
      stop(result.error);
    }
  };

  const delaysOf = (record: Tracked): readonly number[] => options.forwardScheduleMs ?? record.policy.delaysMs;

  const forwardOnce = async (record: Tracked, target: ForwardTarget, via: Transport): Promise<void> => {
    const { id, event } = record;
    if (!event) return;
    if (record.forwardAttempts > 0 && record.forwardUnanswered) duplicates.add(id);
    record.forwardAttempts++;
    record.phase = "forwarding";
    const result = await forwardEvent(event, target, via, { timeoutMs: options.forwardTimeoutMs });
    if (result.ok) {
      record.phase = "handled";
      record.event = null;
      if (options.ack) await ack(record);
      return;
    }
    if (result.status === undefined) record.forwardUnanswered = true;
    // The forwarded type's policy decides, as Xsolla would for that webhook (docs/xsolla-contract.md §4).
    const decision = result.status === undefined ? "retry" : classifyAttempt(record.policy, result.status);
    const delay = delaysOf(record)[record.forwardAttempts - 1];
    if (decision === "retry" && delay !== undefined && !stopping) {
      record.phase = "waiting";
      record.dueAt = clock.now() + delay;
      waiting.add(record);
      listener.onForwardRetry?.(id, result.reason, delay, record.forwardAttempts + 1);
      return;
    }
    record.phase = "not-forwarded";
    record.event = null;
    const ranOut = decision === "retry" && delay === undefined && record.forwardAttempts > 1;
    listener.onForwardFailed(id, ranOut ? `${result.reason}, after ${record.forwardAttempts} attempts` : result.reason);
  };

  /** Resends that are due, earliest first. Bounded: each waiting event is tried at most once per call. */
  const runDue = async (): Promise<void> => {
    if (!options.forward || !transport) return;
    const due = [...waiting].filter((r) => r.dueAt <= clock.now()).sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
    for (const record of due) {
      if (stopping) return;
      waiting.delete(record);
      await forwardOnce(record, options.forward, transport);
    }
  };

  const handle = async (event: XsollaEvent): Promise<void> => {
    if ((await listener.onEvent(event)) === false) {
      undelivered.push(event.id);
      stop(new Error("output closed"));
      return;
    }
    received.push(event.id);
    const type = typeof event.data.notification_type === "string" ? event.data.notification_type : "";
    const forwarding = options.forward !== undefined && transport !== undefined;
    const record: Tracked = {
      id: event.id,
      event: forwarding ? event : null,
      phase: "handled",
      policy: RETRY_POLICIES[policyOfType(type) ?? "generic"],
      forwardAttempts: 0,
      forwardUnanswered: false,
      dueAt: 0,
      ackRounds: 0,
      ackUnanswered: false,
      ackFailedInSweep: 0,
    };
    tracked.set(event.id, record);
    if (options.forward && transport) {
      if (stopping) {
        record.phase = "not-forwarded";
        record.event = null;
      } else await forwardOnce(record, options.forward, transport);
      return;
    }
    if (options.ack) await ack(record);
  };

  /**
   * A complete listing that began after an ack failed tells what happened to it: an event the API no longer lists
   * was marked processed after all (its answer was lost, say); one it still lists was not. `sweepNo` is the
   * listing's sweep; Infinity for the re-listing after the run.
   */
  const settleByListing = (listed: ReadonlySet<number>, sweepNo: number): void => {
    for (const record of tracked.values()) {
      if (record.phase !== "unacked" || record.ackFailedInSweep >= sweepNo) continue;
      if (listed.has(record.id)) {
        record.ackUnanswered = false;
        continue;
      }
      record.phase = "acked";
      confirmed.push(record.id);
    }
  };

  /**
   * Work for the next sweep: a resend; an unacked event whose ack failed in this sweep (only the next listing can
   * confirm it); or one this sweep still listed, with ack rounds left. Bounded: rounds are, and so are resends.
   */
  const pending = (listed: ReadonlySet<number>): boolean =>
    waiting.size > 0 ||
    [...tracked.values()].some(
      (r) => r.phase === "unacked" && (r.ackFailedInSweep >= sweep || (r.ackRounds < MAX_ACK_ROUNDS && listed.has(r.id))),
    );

  let inconclusive = 0;
  try {
    const stream = pollEvents(client, {
      clock,
      intervalMs: options.intervalMs,
      signal: stopPolling.signal,
      afterId: options.afterId,
      types: options.types,
      projectId: options.projectId,
      maxFailures: options.maxFailures,
      backoff: options.backoff,
      rand: options.rand,
      relist: (id) => {
        const record = tracked.get(id);
        return options.ack && record?.phase === "unacked" && record.ackRounds < MAX_ACK_ROUNDS;
      },
      wakeAt: () => (waiting.size === 0 ? undefined : Math.min(...[...waiting].map((r) => r.dueAt))),
    });
    for await (const item of stream) {
      if (stopping) break;
      await runDue();
      if (stopping) break;
      if (item.kind === "error") {
        listener.onPollError(item.error, item.retryInMs, item.consecutiveFailures);
      } else if (item.kind === "skipped") {
        skipped.push(item.event.id);
        listener.onSkipped?.(item.event, item.projectIds);
      } else if (item.kind === "malformed") {
        malformed.push(item.id ?? null);
        listener.onMalformed?.(item.id, item.problems);
      } else if (item.kind === "event") {
        const record = tracked.get(item.event.id);
        if (item.again) {
          if (record?.phase === "unacked") await ack(record);
          continue;
        }
        await handle(item.event);
        if (options.maxEvents !== undefined && received.length >= options.maxEvents) stop(new Error("max events reached"));
      } else {
        if (item.complete) {
          settleByListing(item.listed, sweep);
          lastComplete = sweep;
        }
        inconclusive = item.conclusive || item.news > 0 ? 0 : inconclusive + 1;
        const busy = pending(item.listed);
        sweep++;
        if (options.once && !busy && item.caughtUp) break;
        if (options.once && !busy && inconclusive >= MAX_INCONCLUSIVE_SWEEPS) {
          listener.onNotice?.(
            `the Event API answered ${MAX_INCONCLUSIVE_SWEEPS} sweeps in a row with pages at or below after_id (it seems to ignore it); stopping --once without an empty page`,
          );
          break;
        }
        if (item.caughtUp) listener.onIdle(item.afterId, received.length);
      }
    }
  } catch (error) {
    failure ??= error;
  } finally {
    if (timer) clearTimeout(timer);
    options.signal.removeEventListener("abort", onInterrupt);
  }

  try {
    // An ack that seemed to fail may have been applied (its answer lost): one re-listing tells, unless the user
    // is waiting to leave (Ctrl-C) or the credentials were refused.
    const doubtful = [...tracked.values()].filter((r) => r.phase === "unacked" && r.ackFailedInSweep >= lastComplete);
    const refused = failure instanceof EventApiError && failure.kind === "auth";
    if (doubtful.length > 0 && !interrupted && !refused) {
      const listed = await relist(client, options, stopAcks.signal);
      if (listed) settleByListing(listed, Infinity);
    }
  } finally {
    if (grace) clearTimeout(grace);
    await client.close();
    await ownTransport?.close();
  }

  const records = [...tracked.values()];
  const idsWhere = (test: (r: Tracked) => boolean) =>
    records
      .filter(test)
      .map((r) => r.id)
      .sort((a, b) => a - b);
  return {
    received,
    acked: options.ack ? idsWhere((r) => r.phase === "acked") : [],
    confirmed: confirmed.sort((a, b) => a - b),
    unacked: idsWhere((r) => r.phase === "unacked" && !r.ackUnanswered),
    unconfirmed: idsWhere((r) => r.phase === "unacked" && r.ackUnanswered),
    notForwarded: idsWhere((r) => r.phase === "not-forwarded" || r.phase === "waiting" || r.phase === "forwarding"),
    skipped,
    malformed,
    duplicates: [...duplicates].sort((a, b) => a - b),
    undelivered,
    failure,
  };
}

/** Every id the API lists (from `afterId`, with the run's types), or null when the listing failed or did not end. */
async function relist(
  client: Pick<EventApiClient, "listEventsPage">,
  options: Pick<PollRunOptions, "afterId" | "types">,
  signal: AbortSignal,
): Promise<Set<number> | null> {
  const listed = new Set<number>();
  let cursor = options.afterId;
  for (let page = 0; page < MAX_VERIFY_PAGES; page++) {
    let answer;
    try {
      answer = await client.listEventsPage({ afterId: cursor, types: options.types, signal });
    } catch {
      return null;
    }
    const ids = [...answer.events.map((e) => e.id), ...answer.rejected.flatMap((r) => (r.id === undefined ? [] : [r.id]))];
    if (ids.length === 0) return answer.events.length === 0 && answer.rejected.length === 0 ? listed : null;
    for (const id of ids) listed.add(id);
    const highest = Math.max(...ids);
    if (cursor !== undefined && highest <= cursor) return null;
    cursor = highest;
  }
  return null;
}
