// Sends one request until the policy says stop. It never reads the wall clock or sets timers itself:
// `clock` decides whether 12 hours pass in a second (virtual) or in 12 hours (real).
import { classifyAttempt, type AttemptVerdict, type RetryPolicy } from "./policies.js";
import type { Clock, HttpResult, OutgoingRequest, Transport } from "./types.js";

export interface AttemptRecord {
  attempt: number;
  /** Clock time the attempt started (virtual when the clock is). */
  at: number;
  offsetMs: number;
  result: HttpResult;
  verdict: AttemptVerdict;
}

export type DeliveryOutcome = "delivered" | "final" | "exhausted" | "interrupted";

export interface DeliveryReport {
  outcome: DeliveryOutcome;
  attempts: AttemptRecord[];
  startedAt: number;
}

export interface DeliverOptions {
  transport: Transport;
  clock: Clock;
  policy: RetryPolicy;
  /** Delays between attempts; defaults to the policy's. */
  delaysMs?: readonly number[] | undefined;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Overrides the policy's view of an answer (e.g. a success status whose body lacks a required shape). */
  classify?: ((result: HttpResult, policyVerdict: AttemptVerdict) => AttemptVerdict) | undefined;
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
    let result: HttpResult;
    try {
      result = await transport.send(request, { timeoutMs: options.timeoutMs, signal });
    } catch (error) {
      // Ctrl-C mid-request: keep the timeline so far.
      if (signal?.aborted) return report("interrupted");
      throw error;
    }
    if (signal?.aborted) return report("interrupted");
    const policyVerdict = classifyAttempt(policy, result.kind === "response" ? result.status : undefined);
    const verdict = options.classify ? options.classify(result, policyVerdict) : policyVerdict;
    const record: AttemptRecord = { attempt: index + 1, at, offsetMs: at - startedAt, result, verdict };
    attempts.push(record);

    const delayMs = delays[index];
    const next = verdict === "retry" && delayMs !== undefined ? { delayMs, attempt: index + 2 } : null;
    options.onAttempt?.(record, next);
    if (verdict === "success") return report("delivered");
    if (verdict === "final") return report("final");
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
