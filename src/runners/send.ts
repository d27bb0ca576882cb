// Sending a webhook: the request is built (the exact bytes signed, or a capture replayed), delivered
// once or on a retry schedule, and the reply judged. `send`, the interactive mode, the demo and the
// library's sendWebhook all come here.
import { createVirtualClock } from "../core/delivery/clocks.js";
import {
  judgeDelivery,
  judgeRetry,
  rejectedCorrectSignature,
  signatureRejectionHint,
  type DeliveryVerdict,
  type RetryVerdict,
  type SentBodyShape,
} from "../core/delivery/judge.js";
import { RETRY_POLICIES, type RetryPolicy } from "../core/delivery/policies.js";
import { replayCapturedRequest } from "../core/delivery/replay.js";
import { buildWebhookRequest, type SignatureMode, type SignedRequest } from "../core/delivery/request.js";
import { planRetry, type RetryPlan, type RetryRequest } from "../core/delivery/retry-plan.js";
import type { AttemptRecord, Clock, DeliveryReport, Transport } from "../core/delivery/types.js";
import { UsageError } from "../core/errors.js";
import { expectationForSend, type Expectation } from "../core/expectation.js";
import { parseCapturedRequest, type CapturedRequest } from "../core/http-capture.js";
import type { Json } from "../core/fixtures/overrides.js";
import type { Fixture, RetryPolicyName } from "../core/fixtures/types.js";
import { redactUrls, requireSecret, requireUrl } from "../core/settings.js";
import { loadTarget } from "../adapters/config-file.js";
import { createSystemClock } from "../adapters/system-clock.js";
import { loadBuiltinFixtures } from "../adapters/fixtures-fs.js";
import type { Io } from "../adapters/io.js";
import { identifyBody, readFileArgument, resolvePayload, type PayloadFlags } from "../adapters/payload-source.js";
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
  return { report, verdict: judgeRetry(report, plan, type, prepared.signedCorrectly ?? true) };
}

// ---------------------------------------------------------------------------------------------
// `send` from the command line: everything after parsing, in one place.

export interface SendCommand {
  /** Webhook type, body file or "-"; none with `request`. */
  source: string | undefined;
  payload: PayloadFlags;
  url: string | undefined;
  secret: string | undefined;
  headers: Record<string, string>;
  timeoutMs: number | undefined;
  expect: string | undefined;
  signature: SignatureMode;
  /** A capture to re-send as it was (listen --save format). */
  request: string | undefined;
  resign: boolean;
  retry: RetryRequest | undefined;
}

/** What went out, as people and --json are told. */
export interface SentWebhook {
  /** For display: a password in it is masked. */
  url: string;
  type: string | undefined;
  bytes: Uint8Array;
  fresh: Record<string, Json>;
  signature: string | null;
  /** The Authorization header as sent, when it is not a plain `Signature <hex>` (an override). */
  authorization?: string | undefined;
}

export interface SendListener {
  /** Before the first attempt of a retry replay. */
  onRetryStart?(sent: SentWebhook, plan: RetryPlan): void;
  /** After every attempt of a retry replay, before the wait. */
  onRetryAttempt?(record: AttemptRecord, next: { delayMs: number; attempt: number } | null, plan: RetryPlan): void;
}

export type SendOutcome = (
  | { kind: "once"; sent: SentWebhook; expectation: Expectation; report: DeliveryReport; verdict: DeliveryVerdict }
  | { kind: "retry"; sent: SentWebhook; plan: RetryPlan; report: DeliveryReport; verdict: RetryVerdict }
) & {
  /** What most likely went wrong, when the evidence shows it (a correctly signed body refused for its signature). */
  hint: string | undefined;
};

/** The signature as it goes out: the digest, and the whole header when it is not a plain one. */
function shownSignature(prepared: SignedRequest): Pick<SentWebhook, "signature" | "authorization"> {
  const header = prepared.request.headers.authorization;
  return { signature: prepared.signature, authorization: prepared.signature === null ? header : undefined };
}

/** Where, with what secret, which bytes: the target, then the body (fixture, file, stdin or capture), signed. */
export interface Prepared {
  prepared: SignedRequest;
  /** The handler URL as given (unmasked: it is where requests go) and what to sign more bodies with. */
  url: string;
  secret: string | undefined;
  headers: Record<string, string>;
  sent: SentWebhook;
  fixture: Fixture | undefined;
  timeoutMs: number;
  shape: SentBodyShape;
}

export async function prepareForCommand(command: SendCommand, io: Io): Promise<Prepared> {
  const { target } = await loadTarget(io, {
    url: command.url,
    secret: command.secret,
    headers: command.headers,
    timeoutMs: command.timeoutMs,
  });
  const url = requireUrl(target);
  if (command.request !== undefined) {
    const { payload } = command;
    if (command.source !== undefined || payload.data || payload.sets.length || payload.merges.length)
      throw new UsageError("--request replays a captured request as it was: give no type, body or edits with it");
    if (command.signature !== "valid")
      throw new UsageError("--bad-signature and --no-signature do not go with --request", {
        hint: "use --resign --secret S to sign the capture again",
      });
    const captured = parseCapturedRequest(await readFileArgument(command.request, io, "request file", payload.maxBody));
    const prepared = prepareReplay(captured, url, command.resign ? requireSecret(target) : undefined, target.headers);
    const identified = await identifyBody(captured.body, payload, io);
    return {
      prepared,
      url,
      secret: command.resign ? requireSecret(target) : undefined,
      headers: target.headers,
      fixture: identified.fixture,
      timeoutMs: target.timeoutMs,
      sent: { url: redactUrls(url), type: identified.type, bytes: captured.body, fresh: {}, ...shownSignature(prepared) },
      shape: { format: "raw", bytes: captured.body.length },
    };
  }
  const secret = requireSecret(target);
  if (command.source === undefined)
    throw new UsageError("missing webhook type", {
      hint: "e.g. xsolla-hooks send payment --url URL --secret S, or --request FILE to replay a capture",
    });
  const payload = await resolvePayload(command.source, command.payload, io);
  const prepared = prepareSigned(url, payload.bytes, secret, command.signature, target.headers);
  const edited = command.payload.sets.length > 0 || command.payload.merges.length > 0;
  return {
    prepared,
    url,
    secret,
    headers: target.headers,
    fixture: payload.fixture,
    timeoutMs: target.timeoutMs,
    sent: { url: redactUrls(url), type: payload.type, bytes: payload.bytes, fresh: payload.fresh, ...shownSignature(prepared) },
    shape: { format: payload.origin === "fixture" || edited ? command.payload.bodyFormat : "raw", bytes: payload.bytes.length },
  };
}

/** Build → sign → deliver once or on a schedule → judge. The caller renders the outcome. */
export async function runSend(command: SendCommand, io: Io, listener: SendListener = {}): Promise<SendOutcome> {
  const { prepared, sent, fixture, timeoutMs, shape } = await prepareForCommand(command, io);
  const context = { timeoutMs, signal: io.signal };
  const hintFor = (report: DeliveryReport) =>
    rejectedCorrectSignature(report, prepared.signedCorrectly === true) ? signatureRejectionHint(shape) : undefined;
  if (command.retry) {
    const plan = planSendRetry(command.retry, fixture);
    listener.onRetryStart?.(sent, plan);
    const { report, verdict } = await sendWithRetry(prepared, plan, sent.type, {
      ...context,
      onAttempt: (record, next) => listener.onRetryAttempt?.(record, next, plan),
    });
    return { kind: "retry", sent, plan, report, verdict, hint: verdict.ok ? undefined : hintFor(report) };
  }
  const expectation = expectationForSend(command.expect, command.signature, fixture, prepared.signedCorrectly ?? false);
  const { report, verdict } = await sendOnce(prepared, expectation, context);
  return { kind: "once", sent, expectation, report, verdict, hint: verdict.ok ? undefined : hintFor(report) };
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
