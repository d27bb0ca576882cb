// How a burst looks to people (a short report, the first differing answers under it) and in --json
// (the same numbers). Pure string builders over the runner's outcome.
import type { BurstOutcome, BurstPlan } from "../../runners/burst.js";
import type { Style } from "../../core/text-style.js";
import { oneLine } from "../style.js";

const ms = (value: number) => `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : Math.round(value)} ms`;
const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

function describeAmount(plan: BurstPlan): string {
  const parts = [
    plan.repeat !== null ? `×${plan.repeat}` : "",
    plan.durationMs !== null ? `for ${plan.durationMs / 1000} s` : "",
    plan.ratePerSecond !== null ? `at most ${round(plan.ratePerSecond, 2)}/s` : "",
  ];
  return parts.filter(Boolean).join(" ");
}

export function renderBurstProgress(plan: BurstPlan, progress: { done: number; mismatched: number; elapsedMs: number }): string {
  const seconds = progress.elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(progress.done / seconds) : 0;
  const of = plan.repeat !== null ? `/${plan.repeat}` : "";
  return `burst: ${progress.done}${of} answered, ${rate} req/s, ${progress.mismatched} differing, ${seconds.toFixed(1)} s`;
}

export function burstToJson(outcome: BurstOutcome) {
  const { plan, totals } = outcome;
  const sideEffectsOk = !outcome.sideEffects.observed || outcome.sideEffects.ok;
  return {
    type: plan.type ?? null,
    url: plan.url,
    ok: totals.mismatched === 0 && sideEffectsOk && !outcome.interrupted,
    ids: plan.ids,
    uniquePaths: plan.uniquePaths,
    repeat: plan.repeat,
    concurrency: plan.concurrency,
    rate: plan.ratePerSecond,
    durationMs: plan.durationMs,
    bodyBytes: plan.bodyBytes,
    expected: plan.expected,
    sent: totals.sent,
    answered: totals.answered,
    failed: totals.failed,
    mismatched: totals.mismatched,
    elapsedMs: round(outcome.elapsedMs, 1),
    requestsPerSecond: round(outcome.requestsPerSecond, 1),
    latencyMs: {
      min: totals.latency.minMs,
      mean: totals.latency.meanMs,
      p50: totals.latency.p50Ms,
      p95: totals.latency.p95Ms,
      p99: totals.latency.p99Ms,
      max: totals.latency.maxMs,
    },
    statuses: Object.fromEntries(totals.statuses.map((s) => [s.key, s.count])),
    mismatches: totals.evidence,
    sideEffects: outcome.sideEffects,
    interrupted: outcome.interrupted,
    interruptedInFlight: outcome.interruptedInFlight,
  };
}

export function renderBurst(outcome: BurstOutcome, style: Style): string {
  const { plan, totals } = outcome;
  const ids =
    plan.ids === "unique" ? `unique ids per request (${plan.uniquePaths.join(", ")})` : "the same signed bytes every time (same ids)";
  const lat = totals.latency;
  const lines = [
    `→ burst: POST ${plan.url}  ${plan.type ?? "(no notification_type)"} ${describeAmount(plan)}, ${plan.concurrency} at a time, ${plan.bodyBytes} bytes, ${ids}`,
    `  ${totals.sent} answered in ${(outcome.elapsedMs / 1000).toFixed(2)} s: ${Math.round(outcome.requestsPerSecond)} req/s`,
    `  latency  p50 ${ms(lat.p50Ms)}  p95 ${ms(lat.p95Ms)}  p99 ${ms(lat.p99Ms)}  max ${ms(lat.maxMs)}  (mean ${ms(lat.meanMs)})`,
    `  statuses ${totals.statuses.map((s) => `${s.key} ×${s.count}`).join("  ") || "(none)"}`,
  ];
  if (outcome.interrupted)
    lines.push(
      style.bad(
        `✗ interrupted: a partial report${outcome.interruptedInFlight ? `; ${outcome.interruptedInFlight} sent, no answer yet (not counted)` : ""}`,
      ),
    );
  if (totals.mismatched === 0) {
    if (!outcome.interrupted) lines.push(style.ok(`✓ all ${totals.sent} answers as expected (${plan.expected})`));
  } else {
    const shown = totals.evidence.length;
    lines.push(
      style.bad(
        `✗ ${totals.mismatched} of ${totals.sent} answers differ from the expectation (${plan.expected}); the first ${shown === 1 ? "one" : shown}:`,
      ),
    );
    for (const e of totals.evidence) {
      const which = `#${e.request}${e.transactionId !== null ? ` (transaction ${e.transactionId})` : ""}`;
      const what =
        e.status !== null
          ? `status ${e.status}${e.contentType ? ` ${e.contentType}` : ""}${e.body ? ` ${oneLine(Buffer.from(e.body), 200)}` : " (empty body)"}`
          : (e.error ?? "no answer");
      lines.push(`  ${which}: ${what}`);
      if (e.status !== null) lines.push(style.dim(`      ${e.problems.join("; ")}`));
    }
  }
  const side = outcome.sideEffects;
  if (!side.observed) lines.push(style.dim(`  ${side.message}`));
  else if (!side.judged) lines.push(side.ok ? style.dim(`  state probe: ${side.message}`) : style.bad(`✗ state probe: ${side.message}`));
  else lines.push(side.ok ? style.ok(`✓ state changed once: ${side.message}`) : style.bad(`✗ state: ${side.message}`));
  return `${lines.join("\n")}\n`;
}
