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

export async function deliver(request: OutgoingRequest, options: DeliverOptions): Promise<DeliveryReport> {
  const { transport, clock, policy, signal } = options;
  const delays = options.delaysMs ?? policy.delaysMs;
  const startedAt = clock.now();
  const attempts: AttemptRecord[] = [];
  const report = (outcome: DeliveryOutcome): DeliveryReport => ({ outcome, attempts, startedAt });

  for (let index = 0; index <= delays.length; index++) {
    if (signal?.aborted) return report("interrupted");
    const at = clock.now();
    let result: SendResult;
    try {
      result = await transport.send(request, { timeoutMs: options.timeoutMs, signal });
    } catch (error) {
      if (!signal?.aborted) throw error;
      // A transport that throws on Ctrl-C: the request may have left; say no more than that.
      result = interruptedNoReply("unknown", clock.now() - at);
    }
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
