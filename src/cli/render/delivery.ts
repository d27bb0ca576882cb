// How a delivery looks to people and in --json: the request line, each attempt, and a retry
// timeline. Pure string builders over reports; the commands write them.
import { attemptOffsetsMs } from "../../core/delivery/policies.js";
import { deliveryToJson, formatOffset, statusText } from "../../core/delivery/report.js";
import type { RetryVerdict } from "../../core/delivery/judge.js";
import { oneAttemptReason, type RetryPlan } from "../../core/delivery/retry-plan.js";
import type { AttemptRecord, DeliveryReport } from "../../core/delivery/types.js";
import { formatDuration } from "../../core/duration.js";
import { maskSecret } from "../../core/signature.js";
import { formatFresh } from "./fresh.js";
import type { SentWebhook } from "../../runners/send.js";

export type { SentWebhook };
import type { Style } from "../../core/text-style.js";
import { oneLine } from "../style.js";

/** An Authorization override as sent: a malformed signature in full, anything else (a token?) masked. */
function shownAuthorization(value: string): string {
  return /^signature\b/i.test(value) ? JSON.stringify(oneLine(Buffer.from(value), 60)) : maskSecret(value);
}

export function renderRequestLine(sent: SentWebhook, style: Style): string {
  const signature = sent.signature
    ? `Signature ${sent.signature.slice(0, 8)}…`
    : sent.authorization !== undefined
      ? `Authorization: ${shownAuthorization(sent.authorization)}`
      : "no signature";
  const freshLine = Object.keys(sent.fresh).length ? style.dim(`  fresh: ${formatFresh(sent.fresh)}\n`) : "";
  return `→ POST ${sent.url}  ${sent.type ?? "(no notification_type)"}  ${sent.bytes.length} bytes  ${signature}\n${freshLine}`;
}

export function renderAttempt(record: AttemptRecord, style: Style, options: { timeline?: boolean; bodyChars?: number } = {}): string {
  const prefix = options.timeline ? `  #${String(record.attempt).padStart(2)} ${formatOffset(record.offsetMs).padEnd(7)} ` : "";
  const ms = `${Math.round(record.result.durationMs)} ms`;
  if (record.result.kind === "no-reply") return `${prefix}${style.bad(`← no answer (${record.result.error.message})`)}  ${ms}\n`;
  const { status, body, truncated } = record.result;
  const colour = status >= 200 && status < 300 ? style.ok : status >= 500 ? style.bad : style.warn;
  const shown =
    body.length > 0
      ? `  ${style.dim(oneLine(body, options.bodyChars))}${truncated ? style.dim(" (body cut at the response limit)") : ""}`
      : "";
  return `${prefix}${colour(`← ${statusText(status)}`)}  ${ms}${shown}\n`;
}

function clockLine(plan: RetryPlan): string {
  if (plan.clockMode === "realtime") return "clock: real time (waits every interval in full)";
  if (plan.clockMode === "speed") return `clock: real time at ${plan.speed}x (waits 1/${plan.speed} of each interval)`;
  return "clock: virtual (no real waiting; times show when each attempt would happen)";
}

function wallTime(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}

/** The lines before a retry timeline: what was sent, which policy, how much of it is Xsolla's word. */
export function renderRetryHeader(sent: SentWebhook, plan: RetryPlan, style: Style): string {
  const offsets = attemptOffsetsMs(plan.delaysMs);
  const label =
    plan.policy.documented && !plan.scheduleReplaced
      ? "Xsolla's documented schedule"
      : plan.scheduleReplaced
        ? "your --schedule"
        : "MODEL (Xsolla publishes no intervals)";
  const chosen = plan.chosenPolicy === undefined ? "" : `, chosen with --policy ${plan.chosenPolicy}`;
  let text = renderRequestLine(sent, style) + style.bold(`retry policy: ${plan.policy.name} (${plan.policy.title}), ${label}${chosen}\n`);
  if (plan.delaysMs.length === 0) text += style.dim(`  ${oneAttemptReason(plan, sent.type)}\n`);
  else {
    text += style.dim(`  ${plan.policy.basis}\n`);
    text += style.dim(
      `  up to ${plan.delaysMs.length + 1} attempts over ${formatDuration(offsets[offsets.length - 1] ?? 0)}; ${clockLine(plan)}\n`,
    );
  }
  return text;
}

/** One line of the timeline: attempt, offset, wall time, the reply, and what happens next. */
export function renderRetryAttempt(record: AttemptRecord, next: { delayMs: number } | null, style: Style): string {
  const when = style.dim(wallTime(record.at));
  const line = renderAttempt(record, style, { timeline: true, bodyChars: 80 }).trimEnd();
  const reason =
    record.decision === "success"
      ? style.ok("delivered")
      : record.decision === "final"
        ? style.bad("final: not resent")
        : record.decision === "interrupted"
          ? style.warn("interrupted")
          : next
            ? `resend in ${formatDuration(next.delayMs)}`
            : style.bad("no resend left");
  return `${line.replace(/^(\s+#\s*\d+ \S+\s+)/, `$1${when} `)}  ${reason}\n`;
}

/** The countdown shown while really waiting for the next attempt. */
export function renderRetryCountdown(plan: RetryPlan, next: { attempt: number }, dueAt: number, now: number): string {
  const offsets = attemptOffsetsMs(plan.delaysMs);
  return `  attempt ${next.attempt} of ${plan.delaysMs.length + 1} next at ${formatOffset(offsets[next.attempt - 1] ?? 0)} (in ${formatDuration(Math.max(0, dueAt - now))})`;
}

export function renderRetrySummary(verdict: RetryVerdict, plan: RetryPlan, style: Style): string {
  const asked = plan.expectAttempts !== undefined || plan.expectFinal !== undefined;
  return verdict.ok
    ? style.ok(`✓ ${verdict.summary}\n`)
    : style.bad(`✗ ${verdict.summary}${asked ? ` (${verdict.problems.join("; ")})` : ""}\n`);
}

export function retryToJson(sent: SentWebhook, plan: RetryPlan, report: DeliveryReport, verdict: RetryVerdict): Record<string, unknown> {
  const expected = plan.expectFinal
    ? `final ${plan.expectFinal}`
    : plan.expectAttempts
      ? `delivered at attempt ${plan.expectAttempts}`
      : "delivered within the schedule";
  const policy = {
    name: plan.policy.name,
    title: plan.policy.title,
    documented: plan.policy.documented && !plan.scheduleReplaced,
    basis: plan.policy.basis,
    delaysSeconds: plan.delaysMs.map((ms) => ms / 1000),
    clock: plan.clockMode,
  };
  return {
    type: sent.type ?? null,
    url: sent.url,
    ok: verdict.ok,
    expected,
    problems: verdict.problems,
    signature: sent.signature,
    fresh: sent.fresh,
    policy,
    outcome: report.outcome,
    summary: verdict.summary,
    attempts: deliveryToJson(report),
  };
}
