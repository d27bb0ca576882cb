// Polling the Event API as a stream, and acknowledging what was handled. Time comes only from the
// injected Clock (`clock.sleep`), randomness only from `rand`, so tests run hours of backoff on a
// virtual clock against a real loopback server. The decisions (how long to wait after a failure, the
// order of a page) are pure functions, exported for tests.
import { ErrorCode, UsageError } from "../core/errors.js";
import type { Clock } from "../core/delivery/types.js";
import type { EventApiClient, EventsPage } from "./client.js";
import { EventApiError } from "./errors.js";
import type { XsollaEvent } from "./schema.js";
import { otherProjectIds } from "./scope.js";

/** The Unity SDK polls every 3 s (EVENTS_POLLING_INTERVAL). */
export const DEFAULT_POLL_INTERVAL_MS = 3_000;
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 60_000 };
export const DEFAULT_MAX_FAILURES = 10;
/** A Retry-After beyond this is clamped: a server asking for a day's pause is more likely a bug. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 3_600_000;
/**
 * A page with nothing above `after_id` (the server ignored it, as an overlapping page does) is asked for again at
 * once, at most this many times in a row; then the sweep ends without reaching an empty page (not conclusive).
 */
export const MAX_PAGE_REPEATS = 5;

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export type PollItem =
  /**
   * An event to handle: the first time its id is listed (`again: false`), or listed again while `relist` asks for
   * it (`again: true`, e.g. to retry its ack). Each page's events come in id order.
   */
  | { kind: "event"; event: XsollaEvent; again: boolean }
  /** With `projectId`: an event of another project, reported once; it is neither yielded as an event nor acked. */
  | { kind: "skipped"; event: XsollaEvent; projectIds: string[] }
  /** A page entry that is not a usable event, reported once (by id when it has one); the rest of the page goes on. */
  | { kind: "malformed"; id: number | undefined; problems: string[] }
  /** A retryable failure; the poller waits `retryInMs` and asks again. For the CLI to log. */
  | { kind: "error"; error: EventApiError; consecutiveFailures: number; retryInMs: number }
  /**
   * A sweep ended. `conclusive`: it reached the end of the list, an empty page (or a page of entries without a
   * readable id, past which nothing can be asked for). `complete`: it ended at an empty page, so `listed` holds
   * every id the API still lists (from `afterId` up, with these `types`). `caughtUp`: conclusive, and nothing new
   * came (`--once` stops here when nothing else is pending). `news`: events yielded in the sweep (again or not).
   * After news the next sweep starts at once; else after `intervalMs`.
   */
  | {
      kind: "idle";
      afterId: number | undefined;
      conclusive: boolean;
      complete: boolean;
      caughtUp: boolean;
      news: number;
      listed: ReadonlySet<number>;
    };

export interface PollOptions {
  clock: Clock;
  /** Pause after a sweep that brought nothing new. Default 3 s. */
  intervalMs?: number | undefined;
  /** Aborting ends the stream cleanly (the generator returns; nothing is thrown). */
  signal?: AbortSignal | undefined;
  /** Every sweep starts after this id; by default the first request of a sweep sends no `after_id`. */
  afterId?: number | undefined;
  types?: readonly string[] | undefined;
  /** Only this project's events are yielded; events naming another project come as `skipped` (docs/xsolla-contract.md §5). */
  projectId?: string | number | undefined;
  /** Asked when an event yielded before is listed again: true yields it again (`again: true`). Default: never. */
  relist?: ((id: number) => boolean) | undefined;
  /** Clock time at which the consumer has work due (a forward to retry): a pause after a sweep ends by then. */
  wakeAt?: (() => number | undefined) | undefined;
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

/** A page's events in id order, each id once (a page may list an event twice). */
export function uniqueInIdOrder(page: readonly XsollaEvent[]): XsollaEvent[] {
  const byId = new Map<number, XsollaEvent>();
  for (const event of page) if (!byId.has(event.id)) byId.set(event.id, event);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** How a malformed entry without an id is recognised when it is listed again (so it is reported once). */
function entryKey(raw: unknown): string {
  try {
    return (JSON.stringify(raw) ?? String(raw)).slice(0, 2_000);
  } catch {
    return String(raw);
  }
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
 * Polls `GET /events` until `signal` aborts, in sweeps: each sweep starts from `afterId` (as Xsolla's Unity SDK,
 * which lists from the start every time) and follows `after_id` page by page up to an empty page. An event is
 * yielded the first time its id is listed, wherever it sits: one that shows up late below ids already seen is
 * still handled, and one the consumer left unfinished can be asked for again (`relist`). The cursor only pages
 * within a sweep; it never hides an unprocessed id from the next one. After a sweep with news the next one starts
 * at once; else the poller waits `intervalMs` (or until `wakeAt`). Retryable failures are yielded as `error` items
 * and waited out; the others, and `maxFailures` failures in a row, are thrown as EventApiError.
 */
export async function* pollEvents(
  client: Pick<EventApiClient, "listEventsPage">,
  options: PollOptions,
): AsyncGenerator<PollItem, void, undefined> {
  const { clock, signal, types } = options;
  const intervalMs = options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  checkPositive(intervalMs, "intervalMs", true);
  const policy = resolveFailurePolicy(options);
  const projectId = options.projectId === undefined ? undefined : String(options.projectId).trim();
  if (projectId === "") throw new UsageError("projectId is empty", { code: ErrorCode.BadInput });
  /** Ids yielded as events, so each is handled once however often it is listed. */
  const taken = new Set<number>();
  /** Skipped and malformed entries already reported. */
  const reported = new Set<string>();
  let failures = 0;

  while (!signal?.aborted) {
    let cursor = options.afterId;
    const listed = new Set<number>();
    let news = 0;
    let repeats = 0;
    let conclusive = false;
    let complete = false;
    // One sweep. Bounded: every page either moves the cursor up past ids the server listed, or counts as a repeat
    // (at most MAX_PAGE_REPEATS in a row); failures are bounded by maxFailures.
    for (;;) {
      let page: EventsPage;
      try {
        page = await client.listEventsPage({ afterId: cursor, types, signal });
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
      if (page.events.length === 0 && page.rejected.length === 0) {
        conclusive = complete = true;
        break;
      }
      let highest: number | undefined;
      const note = (id: number) => {
        listed.add(id);
        if (highest === undefined || id > highest) highest = id;
      };
      for (const rejected of page.rejected) {
        if (rejected.id !== undefined && options.afterId !== undefined && rejected.id <= options.afterId) continue;
        if (rejected.id !== undefined) note(rejected.id);
        const key = rejected.id !== undefined ? `malformed:${rejected.id}` : `malformed?${entryKey(rejected.raw)}`;
        if (reported.has(key)) continue;
        reported.add(key);
        yield { kind: "malformed", id: rejected.id, problems: rejected.problems };
        if (signal?.aborted) return;
      }
      for (const event of uniqueInIdOrder(page.events)) {
        // Below the caller's own floor: not asked for (a server ignoring after_id can still send it).
        if (options.afterId !== undefined && event.id <= options.afterId) continue;
        note(event.id);
        if (taken.has(event.id)) {
          if (options.relist?.(event.id)) {
            news++;
            yield { kind: "event", event, again: true };
            if (signal?.aborted) return;
          }
          continue;
        }
        const others = projectId === undefined ? [] : otherProjectIds(event, projectId);
        if (others.length > 0) {
          if (!reported.has(`skipped:${event.id}`)) {
            reported.add(`skipped:${event.id}`);
            yield { kind: "skipped", event, projectIds: others };
            if (signal?.aborted) return;
          }
          continue;
        }
        taken.add(event.id);
        news++;
        yield { kind: "event", event, again: false };
        if (signal?.aborted) return;
      }
      if (highest === undefined) {
        // Only entries without a readable id: there is no id to ask after, so this is as far as a sweep gets.
        conclusive = true;
        break;
      }
      if (cursor !== undefined && highest <= cursor) {
        // Nothing above after_id: the server ignored it (an overlapping page). Ask again, a few times.
        if (++repeats >= MAX_PAGE_REPEATS) break;
        continue;
      }
      repeats = 0;
      cursor = highest;
    }
    yield { kind: "idle", afterId: cursor, conclusive, complete, caughtUp: conclusive && news === 0, news, listed };
    if (news > 0 || signal?.aborted) continue;
    const wake = options.wakeAt?.();
    const wait = wake === undefined ? intervalMs : Math.max(0, Math.min(intervalMs, wake - clock.now()));
    if (wait > 0 && !(await pause(clock, wait, signal))) return;
  }
}

// ---------------------------------------------------------------------------------------------
// Acknowledging

export type AckResult =
  | { ok: true; id: number; attempts: number }
  /**
   * `unanswered`: some attempt got no answer (a reset or a timeout), so the server may have applied it anyway;
   * re-listing tells (an event marked processed is no longer listed).
   */
  | { ok: false; id: number; attempts: number; error: unknown; unanswered: boolean };

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
    let unanswered = false;
    const failed = (error: unknown): AckResult => ({ ok: false, id, attempts, error, unanswered });
    for (;;) {
      if (signal?.aborted) return failed(signal.reason);
      attempts++;
      try {
        await client.markProcessed(id, { signal });
        done.add(id);
        waiting.delete(id);
        return { ok: true, id, attempts };
      } catch (error) {
        if (signal?.aborted) return failed(signal.reason);
        if (!(error instanceof EventApiError)) return failed(error);
        if (error.kind === "network") unanswered = true;
        const decision = decideAfterFailure(error, attempts, policy);
        if (decision.action === "stop") return failed(error);
        options.onRetry?.({ id, error, attempt: attempts, retryInMs: decision.delayMs });
        try {
          if (!(await pause(clock, decision.delayMs, signal))) return failed(signal?.reason ?? error);
        } catch (sleepError) {
          return failed(sleepError);
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
