// Shared by send, demo and the contract suite: judging a delivery and printing it for people.
import { deliver, type AttemptRecord, type DeliveryReport } from "../core/delivery/engine.js";
import { RETRY_POLICIES } from "../core/delivery/policies.js";
import type { OutgoingRequest, Transport } from "../core/delivery/types.js";
import { createSystemClock } from "../adapters/system-clock.js";
import { formatOffset, statusText } from "../core/delivery/report.js";
import { checkResponse, type Expectation } from "../core/expectation.js";
import type { Json } from "../core/fixtures/overrides.js";
import { oneLine, type Style } from "./style.js";

export interface Judgement {
  ok: boolean;
  /** No attempt got an HTTP answer: refused, DNS, timeout, reset, not HTTP. */
  unreachable: boolean;
  problems: string[];
}

/** One attempt, no retries: what `send` without --retry, the demo and the contract suite do. */
export function deliverOnce(request: OutgoingRequest, transport: Transport, timeoutMs: number, signal: AbortSignal): Promise<DeliveryReport> {
  return deliver(request, { transport, clock: createSystemClock(), policy: RETRY_POLICIES.none, timeoutMs, signal, classify: () => "final" });
}

export function judgeDelivery(report: DeliveryReport, expectation: Expectation): Judgement {
  const last = report.attempts[report.attempts.length - 1];
  if (!last) return { ok: false, unreachable: false, problems: ["no attempt was made"] };
  if (last.result.kind === "failure") return { ok: false, unreachable: !report.attempts.some((a) => a.result.kind === "response"), problems: [last.result.error.message] };
  const check = checkResponse(last.result.status, last.result.body, expectation);
  return { ok: check.ok, unreachable: false, problems: check.problems };
}

export function renderRequestLine(request: { url: string; type: string | undefined; bytes: number; signature: string | null; fresh: Record<string, Json> }, style: Style): string {
  const signature = request.signature ? `Signature ${request.signature.slice(0, 8)}…` : "no signature";
  const fresh = Object.entries(request.fresh);
  const freshLine = fresh.length ? style.dim(`  fresh: ${fresh.map(([k, v]) => `${k}=${String(v)}`).join(" ")}\n`) : "";
  return `→ POST ${request.url}  ${request.type ?? "(no notification_type)"}  ${request.bytes} bytes  ${signature}\n${freshLine}`;
}

export function renderAttempt(record: AttemptRecord, style: Style, options: { timeline?: boolean; bodyChars?: number } = {}): string {
  const prefix = options.timeline ? `  #${String(record.attempt).padStart(2)} ${formatOffset(record.offsetMs).padEnd(7)} ` : "";
  const ms = `${Math.round(record.result.durationMs)} ms`;
  if (record.result.kind === "failure") return `${prefix}${style.bad(`← no answer (${record.result.error.message})`)}  ${ms}\n`;
  const { status, body, truncated } = record.result;
  const colour = status >= 200 && status < 300 ? style.ok : status >= 500 ? style.bad : style.warn;
  const shown = body.length > 0 ? `  ${style.dim(oneLine(body, options.bodyChars))}${truncated ? style.dim(" (body cut at the response limit)") : ""}` : "";
  return `${prefix}${colour(`← ${statusText(status)}`)}  ${ms}${shown}\n`;
}
