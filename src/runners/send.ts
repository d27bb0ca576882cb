// Sending a webhook: the request is built (the exact bytes signed, or a capture replayed), delivered
// once or on a retry schedule, and the reply judged. `send`, the interactive mode, the demo and the
// library's sendWebhook all come here.
import { createVirtualClock } from "../core/delivery/clocks.js";
import { judgeDelivery, judgeRetry, type DeliveryVerdict, type RetryVerdict } from "../core/delivery/judge.js";
import { RETRY_POLICIES, type RetryPolicy } from "../core/delivery/policies.js";
import { replayCapturedRequest } from "../core/delivery/replay.js";
import { buildWebhookRequest, type SignatureMode, type SignedRequest } from "../core/delivery/request.js";
import { planRetry, type RetryPlan, type RetryRequest } from "../core/delivery/retry-plan.js";
import type { AttemptRecord, Clock, DeliveryReport, Transport } from "../core/delivery/types.js";
import type { Expectation } from "../core/expectation.js";
import type { CapturedRequest } from "../core/http-capture.js";
import type { Fixture, RetryPolicyName } from "../core/fixtures/types.js";
import { createSystemClock } from "../adapters/system-clock.js";
import { loadBuiltinFixtures } from "../adapters/fixtures-fs.js";
import { withTransport } from "../adapters/transport-scope.js";
import { deliver, deliverOnce } from "./deliver.js";

export type { SignedRequest };

/** The exact bytes, signed with the secret (or deliberately not: wrong-secret, none). */
export function prepareSigned(
  url: string,
  bytes: Uint8Array,
  secret: string,
  mode: SignatureMode,
  headers: Record<string, string>,
): SignedRequest {
  return buildWebhookRequest(url, bytes, secret, mode, headers);
}

/** A captured request as it arrived; `resignWith` signs its bytes again with another secret. */
export function prepareReplay(
  captured: CapturedRequest,
  url: string,
  resignWith: string | undefined,
  headers: Record<string, string>,
): SignedRequest {
  return replayCapturedRequest(captured, url, resignWith, headers);
}

export interface SendContext {
  /** Defaults to an HTTP transport made for this send and closed after it. */
  transport?: Transport | undefined;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

export interface SentOnce {
  report: DeliveryReport;
  verdict: DeliveryVerdict;
}

/** One attempt, judged against the expectation. */
export async function sendOnce(prepared: SignedRequest, expectation: Expectation, context: SendContext): Promise<SentOnce> {
  const report = await withTransport(context.transport, (transport) =>
    deliverOnce(prepared.request, transport, context.timeoutMs, context.signal),
  );
  return { report, verdict: judgeDelivery(report, expectation) };
}

/** The retry plan for --retry flags; `--policy <type>` looks the type up in the built-in catalog. */
export function planSendRetry(request: RetryRequest, fixture: Fixture | undefined): RetryPlan {
  const policyOfType = (name: string): RetryPolicyName | undefined =>
    loadBuiltinFixtures().find((f) => f.meta.type === name)?.meta.retryPolicy;
  return planRetry(request, fixture?.meta.retryPolicy, policyOfType);
}

/** Virtual time by default (12 hours of resends take a moment); real time, or 1/speed of it, on request. */
export function clockFor(plan: RetryPlan): Clock {
  return plan.clockMode === "virtual" ? createVirtualClock(Date.now()) : createSystemClock(plan.clockMode === "speed" ? plan.speed : 1);
}

export interface SentWithRetry {
  report: DeliveryReport;
  verdict: RetryVerdict;
}

/** Replays a resend schedule until delivered, refused for good, or out of attempts; every attempt is a real request. */
export async function sendWithRetry(
  prepared: SignedRequest,
  plan: RetryPlan,
  type: string | undefined,
  context: SendContext & { clock?: Clock; onAttempt?: (record: AttemptRecord, next: { delayMs: number; attempt: number } | null) => void },
): Promise<SentWithRetry> {
  const report = await withTransport(context.transport, (transport) =>
    deliver(prepared.request, {
      transport,
      clock: context.clock ?? clockFor(plan),
      policy: plan.policy,
      delaysMs: plan.delaysMs,
      timeoutMs: context.timeoutMs,
      signal: context.signal,
      onAttempt: context.onAttempt,
    }),
  );
  return { report, verdict: judgeRetry(report, plan, type) };
}

// ---------------------------------------------------------------------------------------------
// The library's one-call send.

export interface SendWebhookOptions {
  url: string;
  secret: string;
  /** The exact bytes to sign and send (a string is sent as UTF-8). Never a parsed object. */
  body: Uint8Array | string;
  signature?: SignatureMode;
  headers?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Replay a retry policy; false (default) sends once. */
  retry?: RetryPolicyName | RetryPolicy | false;
  /** Time for retries; defaults to a virtual clock (no real waiting). */
  clock?: Clock;
  transport?: Transport;
}

export interface SendWebhookResult extends DeliveryReport {
  signature: string | null;
}

export async function sendWebhook(options: SendWebhookOptions): Promise<SendWebhookResult> {
  if (typeof options.body !== "string" && !(options.body instanceof Uint8Array))
    throw new TypeError("body must be the raw bytes (Uint8Array) or a string");
  const bytes = typeof options.body === "string" ? Buffer.from(options.body, "utf8") : options.body;
  const { request, signature } = prepareSigned(options.url, bytes, options.secret, options.signature ?? "valid", options.headers ?? {});
  const policy = options.retry ? (typeof options.retry === "string" ? RETRY_POLICIES[options.retry] : options.retry) : RETRY_POLICIES.none;
  const report = await withTransport(options.transport, (transport) =>
    deliver(request, {
      transport,
      clock: options.clock ?? (options.retry ? createVirtualClock(Date.now()) : createSystemClock()),
      policy,
      timeoutMs: options.timeoutMs ?? 10_000,
      signal: options.signal,
    }),
  );
  return { ...report, signature };
}
