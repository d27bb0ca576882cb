// `send --retry`: replay Xsolla's resend schedule against a handler. Virtual time by default, so
// 12 hours of resends take a moment; every attempt is still a real HTTP request.
import { deliver, type AttemptRecord, type DeliveryReport } from "../core/delivery/engine.js";
import { createVirtualClock } from "../core/delivery/clocks.js";
import { attemptOffsetsMs, noRetryReason, resolvePolicy, type RetryPolicy } from "../core/delivery/policies.js";
import { deliveryToJson, formatOffset } from "../core/delivery/report.js";
import type { OutgoingRequest, Transport } from "../core/delivery/types.js";
import { formatDuration, parseSchedule } from "../core/duration.js";
import { UsageError, ExitCode } from "../core/errors.js";
import { parseStatusList } from "../core/expectation.js";
import type { Fixture } from "../core/fixtures/types.js";
import { createSystemClock } from "../adapters/system-clock.js";
import { loadBuiltinFixtures } from "../adapters/fixtures-fs.js";
import { renderAttempt, renderRequestLine } from "./delivery-view.js";
import type { Io } from "./io.js";
import { parseInteger } from "./options.js";
import { createStyle } from "./style.js";
import { createProgressLine } from "./progress.js";
import type { Json } from "../core/fixtures/overrides.js";

export interface RetryFlags {
  schedule?: string;
  maxAttempts?: string;
  policy?: string;
  speed?: string;
  realtime?: boolean;
  expectAttempts?: string;
  expectFinal?: string;
}

export interface RetryPlan {
  policy: RetryPolicy;
  delaysMs: number[];
  /** "virtual", "speed" or "realtime". */
  clockMode: "virtual" | "speed" | "realtime";
  speed: number;
  expectAttempts: number | undefined;
  expectFinal: string | undefined;
  scheduleReplaced: boolean;
}

const FINAL_WORDS = ["exhausted", "no-answer"];

export function planRetry(flags: RetryFlags, fixture: Fixture | undefined): RetryPlan {
  const catalog = flags.policy ? loadBuiltinFixtures() : [];
  const policy = flags.policy
    ? resolvePolicy(flags.policy, (name) => catalog.find((f) => f.meta.type === name)?.meta.retryPolicy)
    : resolvePolicy(fixture?.meta.retryPolicy ?? "generic", () => undefined);
  let delaysMs = flags.schedule !== undefined ? parseSchedule(flags.schedule) : [...policy.delaysMs];
  const maxAttempts = parseInteger(flags.maxAttempts, "--max-attempts", { min: 1, max: 1001 });
  if (maxAttempts !== undefined) delaysMs = delaysMs.slice(0, maxAttempts - 1);
  if (flags.speed !== undefined && flags.realtime) throw new UsageError("use --speed or --realtime, not both");
  const speed = flags.speed === undefined ? 1 : Number(flags.speed);
  if (!(speed > 0 && speed <= 1e9)) throw new UsageError(`invalid --speed "${flags.speed}": expected a number above 0, e.g. 60 to wait 1 s per simulated minute`);
  const expectAttempts = parseInteger(flags.expectAttempts, "--expect-attempts", { min: 1, max: 1001 });
  const expectFinal = flags.expectFinal;
  if (expectFinal !== undefined && !FINAL_WORDS.includes(expectFinal)) parseStatusList(expectFinal);
  return {
    policy,
    delaysMs,
    clockMode: flags.realtime ? "realtime" : flags.speed !== undefined ? "speed" : "virtual",
    speed,
    expectAttempts,
    expectFinal,
    scheduleReplaced: flags.schedule !== undefined,
  };
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

export interface RetryJudgement {
  ok: boolean;
  code: number;
  summary: string;
  problems: string[];
}

export function judgeRetry(report: DeliveryReport, plan: RetryPlan, type: string | undefined): RetryJudgement {
  const attempts = report.attempts;
  const last = attempts[attempts.length - 1];
  const span = formatDuration(last?.offsetMs ?? 0);
  const answered = attempts.some((a) => a.result.kind === "response");
  const lastStatus = last?.result.kind === "response" ? last.result.status : undefined;
  const orderPolicy = plan.policy.name === "order";
  const problems: string[] = [];
  let summary: string;

  if (report.outcome === "interrupted") {
    return { ok: false, code: ExitCode.Interrupted, summary: `interrupted after ${attempts.length} attempt${attempts.length === 1 ? "" : "s"} (+${span})`, problems: ["interrupted"] };
  }
  if (report.outcome === "delivered") {
    summary = `delivered at attempt ${attempts.length} at +${span}`;
    if (plan.expectAttempts !== undefined && plan.expectAttempts !== attempts.length) problems.push(`delivered at attempt ${attempts.length}, expected attempt ${plan.expectAttempts}`);
    if (plan.expectFinal !== undefined) problems.push(`delivered, expected a final failure (${plan.expectFinal})`);
  } else {
    const refund = orderPolicy ? "; with auto-refund on, Xsolla would refund the user" : "";
    summary =
      report.outcome === "final"
        ? `final answer ${lastStatus} at attempt ${attempts.length} (+${span}): Xsolla does not resend after it${refund}`
        : plan.delaysMs.length === 0
          ? `not delivered, and ${type ?? "this webhook"} is never resent`
          : `gave up after ${attempts.length} attempts over ${span}${refund}`;
    const matchesFinal = (() => {
      if (plan.expectFinal === undefined) return false;
      if (plan.expectFinal === "exhausted") return report.outcome === "exhausted";
      if (plan.expectFinal === "no-answer") return last?.result.kind === "failure";
      return lastStatus !== undefined && parseStatusList(plan.expectFinal).some((r) => lastStatus >= r.min && lastStatus <= r.max);
    })();
    if (plan.expectFinal === undefined) problems.push(report.outcome === "final" ? `final answer ${lastStatus}` : "not delivered within the schedule");
    else if (!matchesFinal) problems.push(`ended with ${lastStatus ?? "no answer"} (${report.outcome}), expected ${plan.expectFinal}`);
    if (plan.expectAttempts !== undefined && plan.expectAttempts !== attempts.length) problems.push(`ended at attempt ${attempts.length}, expected attempt ${plan.expectAttempts}`);
  }
  const ok = problems.length === 0;
  const code = ok ? ExitCode.Ok : !answered ? ExitCode.Unreachable : ExitCode.CheckFailed;
  return { ok, code, summary, problems };
}

export interface SentWebhook {
  url: string;
  type: string | undefined;
  bytes: Uint8Array;
  fresh: Record<string, Json>;
  signature: string | null;
}

/** Runs the replay, printing the timeline as it happens (or one JSON document at the end); returns the exit code. */
export async function runRetry(request: OutgoingRequest, transport: Transport, plan: RetryPlan, context: { io: Io; json: boolean; color: boolean | undefined; timeoutMs: number; sent: SentWebhook }): Promise<number> {
  const { io, json, sent } = context;
  const style = await createStyle(io, context.color);
  const clock = plan.clockMode === "virtual" ? createVirtualClock(Date.now()) : createSystemClock(plan.clockMode === "speed" ? plan.speed : 1);
  const total = plan.delaysMs.length + 1;
  const offsets = attemptOffsetsMs(plan.delaysMs);
  // Only real waiting gets a countdown; the virtual clock does not wait.
  const progress = createProgressLine(io, !json && plan.clockMode !== "virtual");

  if (!json) {
    io.stdout.write(renderRequestLine({ url: sent.url, type: sent.type, bytes: sent.bytes.length, signature: sent.signature, fresh: sent.fresh }, style));
    const label = plan.policy.documented && !plan.scheduleReplaced ? "Xsolla's documented schedule" : plan.scheduleReplaced ? "your --schedule" : "MODEL (Xsolla publishes no intervals)";
    io.stdout.write(style.bold(`retry policy: ${plan.policy.name} (${plan.policy.title}), ${label}\n`));
    if (plan.delaysMs.length === 0) {
      io.stdout.write(style.dim(`  ${noRetryReason(sent.type)}\n`));
    } else {
      io.stdout.write(style.dim(`  ${plan.policy.basis}\n`));
      io.stdout.write(style.dim(`  up to ${total} attempts over ${formatDuration(offsets[offsets.length - 1] ?? 0)}; ${clockLine(plan)}\n`));
    }
  }

  let report: DeliveryReport;
  try {
    report = await deliver(request, {
      transport,
      clock,
      policy: plan.policy,
      delaysMs: plan.delaysMs,
      timeoutMs: context.timeoutMs,
      signal: io.signal,
      onAttempt(record: AttemptRecord, next) {
        if (json) return;
        progress.clear();
        const when = style.dim(wallTime(record.at));
        const line = renderAttempt(record, style, { timeline: true, bodyChars: 80 }).trimEnd();
        const reason =
          record.verdict === "success" ? style.ok("delivered") : record.verdict === "final" ? style.bad("final: not resent") : next ? `resend in ${formatDuration(next.delayMs)}` : style.bad("no resend left");
        io.stdout.write(`${line.replace(/^(\s+#\s*\d+ \S+\s+)/, `$1${when} `)}  ${reason}\n`);
        if (next) {
          const dueAt = Date.now() + next.delayMs / (plan.clockMode === "speed" ? plan.speed : 1);
          progress.tick(() => `  attempt ${next.attempt} of ${total} next at ${formatOffset(offsets[next.attempt - 1] ?? 0)} (in ${formatDuration(Math.max(0, dueAt - Date.now()))})`);
        }
      },
    });
  } finally {
    progress.clear();
  }

  const judgement = judgeRetry(report, plan, sent.type);
  if (json) {
    const expected = plan.expectFinal ? `final ${plan.expectFinal}` : plan.expectAttempts ? `delivered at attempt ${plan.expectAttempts}` : "delivered within the schedule";
    const policy = { name: plan.policy.name, title: plan.policy.title, documented: plan.policy.documented && !plan.scheduleReplaced, basis: plan.policy.basis, delaysSeconds: plan.delaysMs.map((ms) => ms / 1000), clock: plan.clockMode };
    const document = { type: sent.type ?? null, url: sent.url, ok: judgement.ok, expected, problems: judgement.problems, signature: sent.signature, fresh: sent.fresh, policy, outcome: report.outcome, summary: judgement.summary, attempts: deliveryToJson(report) };
    io.stdout.write(`${JSON.stringify(document)}\n`);
  } else {
    const asked = plan.expectAttempts !== undefined || plan.expectFinal !== undefined;
    io.stdout.write(judgement.ok ? style.ok(`✓ ${judgement.summary}\n`) : style.bad(`✗ ${judgement.summary}${asked ? ` (${judgement.problems.join("; ")})` : ""}\n`));
  }
  if (judgement.code === ExitCode.Unreachable) io.stderr.write(`error: could not reach ${sent.url}: no attempt got an answer\n`);
  return judgement.code;
}
