// The library's one-call send: sign the exact bytes, POST them, optionally replay Xsolla's retries.
import { deliver, type DeliveryReport } from "./core/delivery/engine.js";
import { createVirtualClock } from "./core/delivery/clocks.js";
import { RETRY_POLICIES, type RetryPolicy } from "./core/delivery/policies.js";
import { buildWebhookRequest, type SignatureMode } from "./core/delivery/request.js";
import type { Clock, Transport } from "./core/delivery/types.js";
import type { RetryPolicyName } from "./core/fixtures/types.js";
import { createSystemClock } from "./adapters/system-clock.js";
import { withTransport } from "./adapters/transport-scope.js";

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
  if (typeof options.body !== "string" && !(options.body instanceof Uint8Array)) throw new TypeError("body must be the raw bytes (Uint8Array) or a string");
  const bytes = typeof options.body === "string" ? Buffer.from(options.body, "utf8") : options.body;
  const { request, signature } = buildWebhookRequest(options.url, bytes, options.secret, options.signature ?? "valid", options.headers ?? {});
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
