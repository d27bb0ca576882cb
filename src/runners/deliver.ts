// The one road out: every webhook this tool sends leaves the process through `deliver`. It sends
// one request until the policy says stop, and never reads the wall clock or sets timers itself:
// `clock` decides whether 12 hours pass in a second (virtual) or in 12 hours (real).
import { classifyAttempt, RETRY_POLICIES, type RetryPolicy } from "../core/delivery/policies.js";
import type {
  AttemptRecord,
  Clock,
  DeliveryOutcome,
  DeliveryReport,
  OutgoingRequest,
  PolicyDecision,
  SendResult,
  Transport,
} from "../core/delivery/types.js";
import { interruptedNoReply } from "../core/delivery/transport-errors.js";
import { createSystemClock } from "../adapters/system-clock.js";

export type { AttemptRecord, DeliveryReport, DeliveryOutcome };

export interface DeliverOptions {
  transport: Transport;
  clock: Clock;
  policy: RetryPolicy;
  /** Delays between attempts; defaults to the policy's. */
  delaysMs?: readonly number[] | undefined;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Overrides the policy's view of a result (e.g. a success status whose body lacks a required shape). */
  classify?: ((result: SendResult, policyDecision: PolicyDecision) => PolicyDecision) | undefined;
  /** Called after every attempt and before each wait, for live output. */
  onAttempt?: ((record: AttemptRecord, next: { delayMs: number; attempt: number } | null) => void) | undefined;
}

/** One request on the wire: the only place a webhook leaves the process. */
async function attempt(
  transport: Transport,
  request: OutgoingRequest,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  elapsed: () => number,
): Promise<SendResult> {
  try {
    return await transport.send(request, { timeoutMs, signal });
  } catch (error) {
    if (!signal?.aborted) throw error;
    // A transport that throws on Ctrl-C: the request may have left; say no more than that.
    return interruptedNoReply("unknown", elapsed());
  }
}

export async function deliver(request: OutgoingRequest, options: DeliverOptions): Promise<DeliveryReport> {
  const { transport, clock, policy, signal } = options;
  const delays = options.delaysMs ?? policy.delaysMs;
  const startedAt = clock.now();
  const attempts: AttemptRecord[] = [];
  const report = (outcome: DeliveryOutcome): DeliveryReport => ({ outcome, attempts, startedAt });

  for (let index = 0; index <= delays.length; index++) {
    if (signal?.aborted) return report("interrupted");
    const at = clock.now();
    const result = await attempt(transport, request, options.timeoutMs, signal, () => clock.now() - at);
    if (result.kind === "no-reply" && result.error.kind === "interrupted") {
      // The attempt in flight is part of the timeline: "sent, no answer yet" is not "never made".
      const record: AttemptRecord = { attempt: index + 1, at, offsetMs: at - startedAt, result, decision: "interrupted" };
      attempts.push(record);
      options.onAttempt?.(record, null);
      return report("interrupted");
    }
    // A reply that came in as Ctrl-C did is still a reply: it is recorded and judged.
    const policyDecision = classifyAttempt(policy, result.kind === "reply" ? result.status : undefined);
    const decision = options.classify ? options.classify(result, policyDecision) : policyDecision;
    const record: AttemptRecord = { attempt: index + 1, at, offsetMs: at - startedAt, result, decision };
    attempts.push(record);

    const delayMs = delays[index];
    const next = decision === "retry" && delayMs !== undefined ? { delayMs, attempt: index + 2 } : null;
    options.onAttempt?.(record, next);
    if (decision === "success") return report("delivered");
    if (decision === "final") return report("final");
    if (!next) return report("exhausted");
    try {
      await clock.sleep(next.delayMs, signal);
    } catch (error) {
      if (signal?.aborted) return report("interrupted");
      throw error;
    }
  }
  return report("exhausted");
}

/** One attempt, no retries, whatever the answer: what plain `send`, the demo, the contract suite and forwarding do. */
export function deliverOnce(
  request: OutgoingRequest,
  transport: Transport,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<DeliveryReport> {
  return deliver(request, {
    transport,
    clock: createSystemClock(),
    policy: RETRY_POLICIES.none,
    timeoutMs,
    signal,
    classify: () => "final",
  });
}

export interface BurstOptions {
  transport: Transport;
  /** Requests in flight at once. */
  concurrency: number;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /**
   * Request `index` (0-based), or undefined when the burst is over (--repeat reached, --duration up). May wait
   * first (--rate).
   */
  next(index: number): BurstItem | undefined | Promise<BurstItem | undefined>;
  /** Every result as it arrives, with the item it answers; nothing is kept here, so memory does not grow with the burst. */
  onResult(result: SendResult, index: number, item: BurstItem): void;
}

export interface BurstItem {
  request: OutgoingRequest;
  /** The fresh transaction id of this request (--unique-ids), handed back with its result. */
  id?: string | undefined;
}

/** Many single attempts, `concurrency` at a time, no retries: burst mode. Returns how many requests went out. */
export async function deliverBurst(options: BurstOptions): Promise<number> {
  const { transport, signal, timeoutMs } = options;
  let issued = 0;
  let sent = 0;
  let done = false;
  const worker = async () => {
    while (!done && !signal?.aborted) {
      const index = issued++;
      const upcoming = options.next(index);
      // Most bursts have no --rate: the next request is there at once, and an await would cost a turn for nothing.
      const item = upcoming instanceof Promise ? await upcoming : upcoming;
      if (item === undefined || signal?.aborted) {
        done = true;
        return;
      }
      sent++;
      const started = performance.now();
      options.onResult(await attempt(transport, item.request, timeoutMs, signal, () => performance.now() - started), index, item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return sent;
}
