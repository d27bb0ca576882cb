// Polling the Event API as a stream, and acknowledging what was handled. Time comes only from the
// injected Clock (`clock.sleep`), randomness only from `rand`, so tests run hours of backoff on a
// virtual clock against a real loopback server. The decisions (which events are new, how long to
// wait after a failure) are pure functions, exported for tests and for the CLI's --dry-run output.
import { ErrorCode, UsageError } from "../core/errors.js";
import type { Clock } from "../core/delivery/types.js";
import type { EventApiClient } from "./client.js";
import { EventApiError } from "./errors.js";
import type { XsollaEvent } from "./schema.js";

/** The Unity SDK polls every 3 s (EVENTS_POLLING_INTERVAL). */
export const DEFAULT_POLL_INTERVAL_MS = 3_000;
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 60_000 };
export const DEFAULT_MAX_FAILURES = 10;
/** A Retry-After beyond this is clamped: a server asking for a day's pause is more likely a bug. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 3_600_000;

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export type PollItem =
  | { kind: "event"; event: XsollaEvent }
  /** A retryable failure; the poller waits `retryInMs` and asks again. For the CLI to log. */
  | { kind: "error"; error: EventApiError; consecutiveFailures: number; retryInMs: number }
  /** Caught up: the last page brought nothing new, and the poller now waits `intervalMs` (`--once` stops here). */
  | { kind: "idle"; afterId: number | undefined };

export interface PollOptions {
  clock: Clock;
  /** Pause after a poll that brought nothing new. Default 3 s. */
  intervalMs?: number | undefined;
  /** Aborting ends the stream cleanly (the generator returns; nothing is thrown). */
  signal?: AbortSignal | undefined;
  /** Start after this id; by default the first request sends no `after_id`. */
  afterId?: number | undefined;
  types?: readonly string[] | undefined;
  /** This many consecutive failed requests (5xx, network, 429) end the stream with a `network` error. Default 10. */
  maxFailures?: number | undefined;
  backoff?: BackoffOptions | undefined;
  /** Uniform in [0, 1), for jitter. Default Math.random. */
  rand?: (() => number) | undefined;
  maxRetryAfterMs?: number | undefined;
}

// ---------------------------------------------------------------------------------------------
// Pure decisions

/**
 * Exponential backoff with "equal jitter": the n-th consecutive failure (n ≥ 1) waits between half
 * and all of min(maxMs, baseMs·2^(n-1)), so there is always some pause and clients spread out.
 */
export function backoffDelay(failures: number, backoff: BackoffOptions, rand: () => number): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 30);
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** exponent);
  const r = Math.min(Math.max(rand(), 0), 1);
  return Math.round(ceiling / 2 + (r * ceiling) / 2);
}

export type FailureDecision = { action: "retry"; delayMs: number } | { action: "stop"; error: EventApiError };

export interface FailurePolicy {
  maxFailures: number;
  backoff: BackoffOptions;
  rand: () => number;
  maxRetryAfterMs: number;
}

/**
 * What to do after the `consecutiveFailures`-th failure in a row: auth, bad answers, 404 and other
 * 4xx stop at once (asking again cannot help); 429 waits Retry-After (else backs off); 5xx and
 * network failures back off. Reaching `maxFailures` stops with a `network` error naming the last one.
 */
export function decideAfterFailure(error: EventApiError, consecutiveFailures: number, policy: FailurePolicy): FailureDecision {
  if (!error.retryable) return { action: "stop", error };
  if (consecutiveFailures >= policy.maxFailures) {
    return {
      action: "stop",
      error: new EventApiError("network", `gave up after ${consecutiveFailures} failed requests in a row; last: ${error.message}`, {
        status: error.status,
        retryAfterMs: error.retryAfterMs,
        transportKind: error.transportKind,
        cause: error,
        hint: "is the Event API reachable? Raise --max-failures to keep trying longer",
      }),
    };
  }
  if (error.retryAfterMs !== null) return { action: "retry", delayMs: Math.min(error.retryAfterMs, policy.maxRetryAfterMs) };
  return { action: "retry", delayMs: backoffDelay(consecutiveFailures, policy.backoff, policy.rand) };
}

/**
 * The events of a page not yet yielded, in id order, each id once. Since the stream yields in id
 * order, "not yet yielded" is "id above the cursor": constant memory however long it runs.
 */
export function selectNewEvents(page: readonly XsollaEvent[], cursor: number | undefined): XsollaEvent[] {
  const seen = new Set<number>();
  const fresh: XsollaEvent[] = [];
  for (const event of page) {
    if (cursor !== undefined && event.id <= cursor) continue;
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    fresh.push(event);
  }
  return fresh.sort((a, b) => a.id - b.id);
}

function checkPositive(value: number, name: string, allowZero = false): void {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new UsageError(`${name} must be a ${allowZero ? "non-negative" : "positive"} number, got ${value}`, { code: ErrorCode.BadInput });
  }
}

function resolveFailurePolicy(options: {
  maxFailures?: number | undefined;
  backoff?: BackoffOptions | undefined;
  rand?: (() => number) | undefined;
  maxRetryAfterMs?: number | undefined;
}): FailurePolicy {
  const policy = {
    maxFailures: options.maxFailures ?? DEFAULT_MAX_FAILURES,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    rand: options.rand ?? Math.random,
    maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS,
  };
  if (!Number.isInteger(policy.maxFailures) || policy.maxFailures < 1) {
    throw new UsageError(`maxFailures must be an integer ≥ 1, got ${policy.maxFailures}`, { code: ErrorCode.BadInput });
  }
  checkPositive(policy.backoff.baseMs, "backoff.baseMs");
  checkPositive(policy.backoff.maxMs, "backoff.maxMs");
  checkPositive(policy.maxRetryAfterMs, "maxRetryAfterMs", true);
  return policy;
}

/** Sleeps on the clock; false when the signal aborted (before or during). Other rejections propagate. */
async function pause(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await clock.sleep(ms, signal);
  } catch (error) {
    if (signal?.aborted) return false;
    throw error;
  }
  return !signal?.aborted;
}

// ---------------------------------------------------------------------------------------------
// The stream

/**
 * Polls `GET /events` until `signal` aborts. Yields each event once, in id order, and moves
 * `after_id` to the highest id yielded (the consumer persists it if it wants to resume). After a
 * page with new events it asks again at once (the page size is undocumented); after an empty one it
 * waits `intervalMs`. Retryable failures are yielded as `error` items and waited out; the others,
 * and `maxFailures` failures in a row, are thrown as EventApiError.
 */
export async function* pollEvents(
  client: Pick<EventApiClient, "listEvents">,
  options: PollOptions,
): AsyncGenerator<PollItem, void, undefined> {
  const { clock, signal, types } = options;
  const intervalMs = options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  checkPositive(intervalMs, "intervalMs", true);
  const policy = resolveFailurePolicy(options);
  let cursor = options.afterId;
  let failures = 0;

  while (!signal?.aborted) {
    let page: XsollaEvent[];
    try {
      page = await client.listEvents({ afterId: cursor, types, signal });
    } catch (error) {
      if (signal?.aborted) return;
      if (!(error instanceof EventApiError)) throw error;
      failures++;
      const decision = decideAfterFailure(error, failures, policy);
      if (decision.action === "stop") throw decision.error;
      yield { kind: "error", error, consecutiveFailures: failures, retryInMs: decision.delayMs };
      if (!(await pause(clock, decision.delayMs, signal))) return;
      continue;
    }
    failures = 0;
    const fresh = selectNewEvents(page, cursor);
    for (const event of fresh) {
      if (signal?.aborted) return;
      cursor = event.id;
      yield { kind: "event", event };
    }
    if (fresh.length === 0) {
      yield { kind: "idle", afterId: cursor };
      if (!(await pause(clock, intervalMs, signal))) return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Acknowledging

export type AckResult = { ok: true; id: number; attempts: number } | { ok: false; id: number; attempts: number; error: unknown };

export interface AckerOptions {
  clock: Clock;
  /** Retries after the first attempt, for 5xx, network and 429. Default 5. */
  retries?: number | undefined;
  /**
   * Stops retrying (and aborts the request in flight); the id stays pending. Pass a signal other
   * than the poller's to let acks finish while polling stops.
   */
  signal?: AbortSignal | undefined;
  backoff?: BackoffOptions | undefined;
  rand?: (() => number) | undefined;
  maxRetryAfterMs?: number | undefined;
  /** Called before each wait, for logging. */
  onRetry?: ((info: { id: number; error: EventApiError; attempt: number; retryInMs: number }) => void) | undefined;
}

export interface Acker {
  /**
   * Marks `id` processed, retrying retryable failures with backoff. Never rejects: the result says
   * whether it worked. A second call while one is in flight shares it; after success it is a no-op.
   */
  ack(id: number): Promise<AckResult>;
  /** Ids passed to ack() that are not acknowledged yet (in flight, waiting, or given up), ascending. */
  pending(): number[];
  /** Ids acknowledged so far, ascending. */
  acked(): number[];
  /** Resolves when no ack is in flight. */
  drain(): Promise<void>;
}

/**
 * At-least-once acknowledgement. The Event API re-lists an event until it is marked processed, so
 * an ack that finally fails is safe to leave: the event comes back on a later run (from after_id 0).
 */
export function createAcker(client: Pick<EventApiClient, "markProcessed">, options: AckerOptions): Acker {
  const { clock, signal } = options;
  const retries = options.retries ?? 5;
  if (!Number.isInteger(retries) || retries < 0)
    throw new UsageError(`retries must be an integer ≥ 0, got ${retries}`, { code: ErrorCode.BadInput });
  // maxFailures = retries + 1 attempts in all; the give-up error itself is not used here.
  const policy = resolveFailurePolicy({ ...options, maxFailures: retries + 1 });
  const done = new Set<number>();
  const waiting = new Set<number>();
  const inFlight = new Map<number, Promise<AckResult>>();

  async function run(id: number): Promise<AckResult> {
    let attempts = 0;
    for (;;) {
      if (signal?.aborted) return { ok: false, id, attempts, error: signal.reason };
      attempts++;
      try {
        await client.markProcessed(id, { signal });
        done.add(id);
        waiting.delete(id);
        return { ok: true, id, attempts };
      } catch (error) {
        if (signal?.aborted) return { ok: false, id, attempts, error: signal.reason };
        if (!(error instanceof EventApiError)) return { ok: false, id, attempts, error };
        const decision = decideAfterFailure(error, attempts, policy);
        if (decision.action === "stop") return { ok: false, id, attempts, error };
        options.onRetry?.({ id, error, attempt: attempts, retryInMs: decision.delayMs });
        try {
          if (!(await pause(clock, decision.delayMs, signal))) return { ok: false, id, attempts, error: signal?.reason ?? error };
        } catch (sleepError) {
          return { ok: false, id, attempts, error: sleepError };
        }
      }
    }
  }

  return {
    ack(id) {
      if (done.has(id)) return Promise.resolve({ ok: true, id, attempts: 0 });
      const running = inFlight.get(id);
      if (running) return running;
      waiting.add(id);
      const promise = run(id).finally(() => inFlight.delete(id));
      inFlight.set(id, promise);
      return promise;
    },
    pending: () => [...waiting].sort((a, b) => a - b),
    acked: () => [...done].sort((a, b) => a - b),
    async drain() {
      while (inFlight.size > 0) await Promise.all(inFlight.values());
    },
  };
}
