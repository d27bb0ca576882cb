// `listen --forward-to`: pass each delivery the receiver took in on to a local handler, byte for byte, and bring
// the handler's answer back for the sender. It leaves the process through deliverOnce, the one road out.
// No answer from the handler becomes 502 (unreachable) or 504 (timed out): the codes a gateway uses, and
// ones Xsolla treats as "try again later", so a real delivery is resent rather than lost.
import { deliverOnce } from "./deliver.js";
import type { Transport } from "../core/delivery/types.js";
import { forwardedHeaders, type ForwardedAnswer, type Forwarder } from "../core/delivery/forwarding.js";
import { CONNECTION_HEADERS } from "../core/delivery/replay.js";
import { redactUrls } from "../core/settings.js";

export type { ForwardedAnswer, Forwarder, ForwardOutcome, IncomingDelivery } from "../core/delivery/forwarding.js";

function gatewayAnswer(status: 502 | 504, message: string): Pick<ForwardedAnswer, "status" | "headers" | "body"> {
  return { status, headers: { "content-type": "text/plain; charset=utf-8" }, body: Buffer.from(`xsolla-hooks listen: ${message}\n`) };
}

export function createForwarder(options: { url: string; timeoutMs: number; transport: Transport; signal?: AbortSignal }): Forwarder {
  const shownUrl = redactUrls(options.url);
  return async (delivery) => {
    const report = await deliverOnce(
      { url: options.url, method: "POST", headers: forwardedHeaders(delivery), body: delivery.body },
      options.transport,
      options.timeoutMs,
      options.signal,
    );
    const result = report.attempts[0]?.result;
    const latencyMs = Math.round(result?.durationMs ?? 0);
    if (result?.kind === "reply" && !result.truncated) {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(result.headers)) if (!CONNECTION_HEADERS.has(name)) headers[name] = value;
      return {
        status: result.status,
        headers,
        body: result.body,
        forward: { url: shownUrl, status: result.status, latencyMs, outcome: "answered", answeredWith: result.status },
      };
    }
    if (result?.kind === "reply") {
      // Passing on part of an answer would hand the sender a body the handler never sent.
      const detail = `the handler's answer (${result.status}) is larger than the forwarding limit`;
      return {
        ...gatewayAnswer(502, detail),
        forward: { url: shownUrl, status: result.status, latencyMs, outcome: "unreachable", detail, answeredWith: 502 },
      };
    }
    const timedOut = result?.error.kind === "timeout";
    const detail = result ? result.error.message : "not sent (stopping)";
    const status = timedOut ? 504 : 502;
    return {
      ...gatewayAnswer(status, `handler at ${shownUrl}: ${detail}`),
      forward: { url: shownUrl, status: null, latencyMs, outcome: timedOut ? "timeout" : "unreachable", detail, answeredWith: status },
    };
  };
}
