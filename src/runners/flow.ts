// Plays a flow against a handler: the groups from core/flow/plan.ts go out in order through the one
// road (deliverOnce, or sendWithRetry with --retry), the state probe is read before the first group and
// after each, and core/flow/judge.ts turns replies and readings into step results with evidence.
import { randomInt } from "node:crypto";
import { toEvidence } from "../core/contract/evidence.js";
import type { CheckVerdict } from "../core/contract/plan.js";
import { createVirtualClock } from "../core/delivery/clocks.js";
import { buildWebhookRequest } from "../core/delivery/request.js";
import type { DeliveryReport, SendResult, Transport } from "../core/delivery/types.js";
import { formatDuration } from "../core/duration.js";
import type { FreshContext } from "../core/fixtures/fresh.js";
import { expectedText, judgeEffects, judgeReply, NO_PROBE_NOTE, type EffectVerdict } from "../core/flow/judge.js";
import { planFlow, type FlowPlan, type PlannedDelivery } from "../core/flow/plan.js";
import type { FlowDefinition, FlowMode, FlowResult, FlowStepResult, FlowStory, Perturbations } from "../core/flow/types.js";
import { redactUrls } from "../core/settings.js";
import { loadFixtures } from "../adapters/fixtures-fs.js";
import { readStateProbe } from "../adapters/state-probe.js";
import { withTransport } from "../adapters/transport-scope.js";
import { deliverOnce } from "./deliver.js";
import { planSendRetry, sendWithRetry } from "./send.js";

export type { FlowResult, FlowStepResult };

export interface FlowRunOptions {
  url: string;
  secret: string;
  definition: FlowDefinition;
  mode: FlowMode;
  story: FlowStory;
  perturbations: Perturbations;
  strict?: boolean;
  timeoutMs?: number;
  headers?: Record<string, string>;
  fixturesDir?: string | undefined;
  stateProbe?: string | undefined;
  env?: Record<string, string | undefined>;
  transport?: Transport;
  signal?: AbortSignal;
  fresh?: FreshContext;
  /** Called as each step's result is known, for live output. */
  onResult?: (result: FlowStepResult) => void;
}

/** The plan alone: what would go out, for callers that show it first (and for a bad flag to fail before anything is sent). */
export async function planFlowRun(options: FlowRunOptions): Promise<FlowPlan> {
  const fixtures = await loadFixtures(options.fixturesDir);
  return planFlow({
    definition: options.definition,
    mode: options.mode,
    story: options.story,
    perturbations: options.perturbations,
    fixtures,
    fresh: options.fresh ?? { now: options.story.startAt, rand: () => randomInt(0, 1_000_000) / 1_000_000 },
    stateProbe: options.stateProbe !== undefined,
  });
}

interface Sent {
  delivery: PlannedDelivery;
  report: DeliveryReport;
  result: SendResult | undefined;
  offsetMs: number;
}

export async function runFlow(options: FlowRunOptions, plan?: FlowPlan): Promise<FlowResult> {
  plan ??= await planFlowRun(options);
  const strict = options.strict ?? false;
  const timeoutMs = options.timeoutMs ?? 10_000;
  let started = performance.now();
  // --retry waits on a virtual clock: twelve hours of resends take a moment, and the offsets still show them.
  const clock = createVirtualClock(Date.now());
  const offset = () => performance.now() - started + clock.sleeps.reduce((sum, ms) => sum + ms, 0);

  const readings: string[] = [];
  let probeError: string | undefined;
  const readProbe = async (delivery: PlannedDelivery | undefined) => {
    if (options.stateProbe === undefined || probeError !== undefined) return;
    const read = await readStateProbe(
      options.stateProbe,
      {
        XSOLLA_HOOKS_FLOW: plan.flow,
        XSOLLA_HOOKS_STEP: delivery?.id ?? "",
        XSOLLA_HOOKS_CHECK: delivery?.id ?? "",
        XSOLLA_HOOKS_TYPE: delivery?.notificationType ?? "",
        XSOLLA_HOOKS_USER_ID: plan.story.userId,
        XSOLLA_HOOKS_TRANSACTION_ID: String(plan.story.transactionId),
        XSOLLA_HOOKS_ORDER_ID: String(plan.story.orderId),
      },
      options.env ?? process.env,
      options.signal,
    );
    if (read.ok) readings.push(read.output);
    else probeError = read.error;
  };

  const sendOne = async (transport: Transport, delivery: PlannedDelivery): Promise<Sent> => {
    const prepared = buildWebhookRequest(options.url, delivery.bytes, options.secret, "valid", options.headers ?? {});
    const at = offset();
    const report = options.perturbations.retry
      ? (
          await sendWithRetry(prepared, planSendRetry({}, delivery.fixture), delivery.notificationType ?? undefined, {
            transport,
            timeoutMs,
            signal: options.signal,
            clock,
          })
        ).report
      : await deliverOnce(prepared.request, transport, timeoutMs, options.signal);
    return { delivery, report, result: report.attempts.at(-1)?.result, offsetMs: at };
  };

  const sent: Sent[] = [];
  const verdicts = new Map<string, CheckVerdict>();
  const notRun = new Map<string, string>();
  let stopped: string | undefined;
  let answered = 0;
  let lastFailure: string | null = null;

  await withTransport(options.transport, async (transport) => {
    // The timeline starts with the first request, not with loading the HTTP client.
    started = performance.now();
    await readProbe(plan.groups[0]?.deliveries[0]);
    for (const group of plan.groups) {
      if (options.signal?.aborted) return;
      if (stopped !== undefined) {
        for (const d of group.deliveries) notRun.set(d.id, stopped);
        continue;
      }
      const lead = group.deliveries[0] as PlannedDelivery;
      const dependency = lead.step.dependsOn === undefined ? undefined : verdicts.get(lead.step.dependsOn);
      if (dependency && !dependency.ok) {
        // The rest of the flow stops too: the probe's readings stay one per group sent.
        stopped = `not sent: ${lead.step.dependsOn} did not get the answer it should, so what came after could not be told from that`;
        for (const d of group.deliveries) notRun.set(d.id, stopped);
        continue;
      }
      const results = await Promise.all(group.deliveries.map((d) => sendOne(transport, d)));
      sent.push(...results);
      for (const item of results) {
        const result = item.result;
        if (result?.kind === "reply") {
          answered++;
          verdicts.set(
            item.delivery.id,
            judgeReply(item.delivery, result, {
              strict,
              acceptedBefore: sent.filter((s) => s.result?.kind === "reply" && verdicts.get(s.delivery.id)?.ok).map((s) => s.delivery),
            }),
          );
        } else {
          const error = result?.error.message ?? "not sent";
          lastFailure = error;
          verdicts.set(item.delivery.id, { ok: false, message: `no answer: ${error}` });
          stopped = `not sent: ${item.delivery.id} got no answer`;
        }
      }
      if (options.signal?.aborted) return;
      await readProbe(lead);
      // Xsolla sends nothing after a refused user check: the payment stops there.
      const refusedCheck = results.find(
        (r) =>
          r.delivery.fixture.meta.type === "user_validation" && r.delivery.step.rejection === undefined && !verdicts.get(r.delivery.id)?.ok,
      );
      if (refusedCheck && stopped === undefined)
        stopped = `not sent: ${refusedCheck.delivery.id} refused the user check, and Xsolla sends nothing after a refused user_validation`;
    }
  });

  const effects: Map<string, EffectVerdict> =
    options.stateProbe !== undefined && probeError === undefined ? judgeEffects(plan, readings) : new Map<string, EffectVerdict>();
  const judgesEffects = (d: PlannedDelivery) => d.step.effect !== "unjudged";
  let probeFailureShown = false;

  const checks: FlowStepResult[] = [];
  const byId = new Map(sent.map((s) => [s.delivery.id, s]));
  for (const delivery of plan.groups.flatMap((g) => g.deliveries)) {
    const item = byId.get(delivery.id);
    const base = {
      id: delivery.id,
      step: delivery.step.id,
      type: delivery.notificationType ?? delivery.fixture.meta.type,
      title: delivery.step.title,
      expected: expectedText(delivery, strict),
    };
    if (!item) {
      const reason = notRun.get(delivery.id) ?? "not sent: interrupted";
      checks.push({
        ...base,
        ok: false,
        outcome: "not-run",
        status: null,
        durationMs: 0,
        message: reason,
        note: null,
        evidence: null,
        offsetMs: 0,
        attempts: 0,
      });
      continue;
    }
    const reply = item.result?.kind === "reply" ? item.result : undefined;
    let verdict: CheckVerdict = verdicts.get(delivery.id) ?? { ok: false, message: "no answer" };
    const effect = effects.get(delivery.id);
    if (verdict.ok && reply) {
      if (options.stateProbe === undefined) {
        if (judgesEffects(delivery) && delivery.step.effect !== "none") verdict = { ...verdict, note: verdict.note ?? NO_PROBE_NOTE };
      } else if (probeError !== undefined && judgesEffects(delivery) && !probeFailureShown) {
        probeFailureShown = true;
        verdict = { ok: false, message: `${verdict.message}, but the state probe failed: ${probeError}` };
      } else if (effect) {
        verdict = { ok: effect.ok, message: `${verdict.message}; ${effect.message}`, note: effect.note ?? verdict.note };
      }
    }
    const attempts = item.report.attempts.length;
    if (attempts > 1) {
      const last = item.report.attempts.at(-1);
      const resent = `sent ${attempts} times (last at +${formatDuration(last?.offsetMs ?? 0)}) under its retry policy`;
      verdict = { ...verdict, message: `${verdict.message} (${resent})` };
    }
    checks.push({
      ...base,
      ok: verdict.ok,
      outcome: verdict.ok ? "passed" : "failed",
      status: reply?.status ?? null,
      durationMs: Math.round(item.report.attempts.reduce((sum, a) => sum + a.result.durationMs, 0) * 10) / 10,
      message: verdict.message,
      note: verdict.note ?? null,
      evidence: item.result ? toEvidence(delivery, item.result) : null,
      offsetMs: Math.round(item.offsetMs),
      attempts,
    });
    options.onResult?.(checks[checks.length - 1] as FlowStepResult);
  }

  const passed = checks.filter((c) => c.outcome === "passed").length;
  const failed = checks.filter((c) => c.outcome === "failed").length;
  const unreachable = answered === 0 && sent.length > 0;
  return {
    flow: plan.flow,
    mode: plan.mode,
    perturbations: plan.perturbations,
    sideEffects: sideEffectsLine(plan, options.stateProbe !== undefined, probeError),
    ok: failed === 0 && passed === checks.length && !unreachable,
    passed,
    failed,
    notRun: checks.length - passed - failed,
    unreachable,
    unreachableReason: unreachable ? lastFailure : null,
    url: redactUrls(options.url),
    strict,
    stateProbe: options.stateProbe !== undefined,
    durationMs: Math.round(performance.now() - started),
    checks,
  };
}

function sideEffectsLine(plan: FlowPlan, probe: boolean, probeError: string | undefined): string {
  const judged = plan.steps.some((s) => s.effect !== "unjudged");
  if (!judged) return "side effects of subscription webhooks are not judged: the probe is not read for them";
  const grants = plan.steps.some((s) => s.effect === "grant" || s.effect === "revoke" || s.effect === "partial");
  if (!probe)
    return grants
      ? "side effects were not observed (no --state-probe): statuses only, so a handler that grants twice or does not take back a refund passes; add --state-probe to see it"
      : "side effects were not observed (no --state-probe): statuses only; add --state-probe to see that the user checks changed nothing";
  if (probeError !== undefined) return `the state probe failed: ${probeError}`;
  return "side effects observed with the state probe, read before the flow and after each step";
}
