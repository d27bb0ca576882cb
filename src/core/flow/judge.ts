// Verdicts on a flow: each reply against its step's expectation, and the state probe's readings
// against what each step should do to the state. Pure. Messages state what was observed; a cause is
// named only when the observations show it.
import {
  checkResponse,
  describeExpectation,
  errorCodeOf,
  parseStatusList,
  SIGNATURE_REJECTED,
  successExpectation,
  type Expectation,
} from "../expectation.js";
import type { CheckReply, CheckVerdict } from "../contract/plan.js";
import type { FlowPlan, PlannedDelivery, PlannedGroup } from "./plan.js";
import type { FlowStepSpec } from "./types.js";

const DOCS_REJECTION_STATUS = 400;
const is2xx = (status: number) => status >= 200 && status < 300;

export function expectationOf(delivery: PlannedDelivery, strict: boolean): Expectation {
  const { step } = delivery;
  if (step.rejection !== undefined)
    return { statuses: parseStatusList(`${strict ? "400" : "4xx"}:${step.rejection}`), signedCorrectly: true };
  if (step.expect !== undefined) return { statuses: parseStatusList(step.expect), signedCorrectly: true };
  return { ...successExpectation(delivery.fixture.meta.success), signedCorrectly: true };
}

export function expectedText(delivery: PlannedDelivery, strict: boolean): string {
  return describeExpectation(expectationOf(delivery, strict));
}

export interface ReplyContext {
  strict: boolean;
  /** Steps of the same purchase that were accepted before this one (for a refund that cannot find it). */
  acceptedBefore: readonly PlannedDelivery[];
}

/** One reply against its step's expectation. */
export function judgeReply(delivery: PlannedDelivery, reply: CheckReply, context: ReplyContext): CheckVerdict {
  const { step } = delivery;
  const check = checkResponse(reply.status, reply.body, expectationOf(delivery, context.strict));
  if (check.ok) {
    const code = errorCodeOf(reply.body);
    if (step.rejection === undefined) return { ok: true, message: `accepted with ${reply.status}` };
    const note =
      reply.status !== DOCS_REJECTION_STATUS
        ? `answered ${reply.status}; Xsolla's docs say 400 (its PHP SDK uses 422); --strict fails this`
        : undefined;
    return { ok: true, message: `refused with ${reply.status} ${code ?? ""}`.trimEnd(), note };
  }
  let message = check.problems.join("; ");
  if (step.rejection !== undefined && is2xx(reply.status)) {
    message = `accepted a user the game does not have (${reply.status}); expected ${describeExpectation(expectationOf(delivery, context.strict))}: Xsolla would go on to take the payment and send payment/order_paid for that user`;
  } else if (errorCodeOf(reply.body) === SIGNATURE_REJECTED) {
    message += `: the handler refused the signature of a correctly signed body (its secret differs from --secret, or it hashes something other than the raw bytes; xsolla-hooks verify explains a mismatch)`;
  } else if (delivery.copy === "duplicate" || delivery.copy === "concurrent") {
    message += `: a repeat of a webhook already processed must get the same success answer (Xsolla resends after a timeout), without processing it again`;
  } else if (reply.status >= 500) {
    message += `: Xsolla treats a 5xx as a failed delivery and resends ${delivery.notificationType ?? "it"}${delivery.fixture.meta.retryPolicy === "none" ? " (user_validation is not resent: the payment stops)" : " (--retry replays that)"}`;
  } else if (step.effect === "revoke" || step.effect === "partial") {
    const accepted = context.acceptedBefore.filter((d) => d.step.effect === "grant" && d.copy === "original");
    if (accepted.length > 0 && reply.status >= 400 && reply.status < 500) {
      const ids = [
        delivery.transactionId ? `transaction ${delivery.transactionId}` : "",
        delivery.orderId ? `order ${delivery.orderId}` : "",
      ].filter(Boolean);
      message += `; the purchase it belongs to (${ids.join(", ")}) was accepted earlier in this flow (${accepted.map((d) => d.id).join(", ")}): the handler did not find it by the ids this webhook carries`;
    }
  }
  return { ok: false, message };
}

// ---------------------------------------------------------------------------------------------
// The state probe.

/** A number in a probe's output (a count, a balance), or undefined when it prints something else. */
function asNumber(reading: string | undefined): number | undefined {
  if (reading === undefined) return undefined;
  const n = Number(reading.trim());
  return reading.trim() !== "" && Number.isFinite(n) ? n : undefined;
}

const q = (reading: string | undefined) => JSON.stringify(reading ?? "");

export interface EffectVerdict {
  ok: boolean;
  message: string;
  note?: string | undefined;
}

export const NO_PROBE_NOTE = "statuses only: side effects were not observed (add --state-probe)";

/**
 * What the readings say about each delivery, by check id. `readings[g]` is the probe's output before group g and
 * `readings[g + 1]` after it; only the groups sent have readings after them.
 */
export function judgeEffects(plan: FlowPlan, readings: readonly string[]): Map<string, EffectVerdict> {
  const verdicts = new Map<string, EffectVerdict>();
  const sent = plan.groups.slice(0, Math.max(0, readings.length - 1));
  const before = (g: number) => readings[g];
  const after = (g: number) => readings[g + 1];
  const changed = (g: number) => before(g) !== after(g);
  const lead = (group: PlannedGroup) => group.deliveries[0] as PlannedDelivery;
  const setVerdict = (g: number, verdict: EffectVerdict) => {
    const id = lead(sent[g] as PlannedGroup).id;
    // The first failure found for a delivery stands: it is the most specific one.
    if (verdicts.get(id)?.ok === false) return;
    verdicts.set(id, verdict);
  };

  const controlDelta = new Map<string, number>();
  sent.forEach((group, g) => {
    const d = lead(group);
    const move = `${q(before(g))} → ${q(after(g))}`;
    if (d.copy === "control") {
      const delta = (asNumber(after(g)) ?? NaN) - (asNumber(before(g)) ?? NaN);
      if (Number.isFinite(delta)) controlDelta.set(d.step.id, delta);
      setVerdict(g, { ok: true, message: `one ${d.notificationType ?? "delivery"} of another purchase, alone, changed the state ${move}` });
    } else if (d.copy === "duplicate") {
      setVerdict(
        g,
        changed(g)
          ? { ok: false, message: `the same bytes again changed the state (${move}): the handler processed ${d.step.id} twice` }
          : { ok: true, message: `the same bytes again left the state as it was (${q(after(g))})` },
      );
    } else if (d.step.effect === "none" && changed(g)) {
      setVerdict(g, {
        ok: false,
        message: `${d.notificationType ?? d.step.id} changed the state (${move}); a user check must change nothing`,
      });
    } else if (group.deliveries.length > 1 && d.step.effect === "grant") {
      const one = controlDelta.get(d.step.id);
      const pair = (asNumber(after(g)) ?? NaN) - (asNumber(before(g)) ?? NaN);
      if (one === undefined || !Number.isFinite(pair) || one === 0)
        setVerdict(g, {
          ok: true,
          message: "two copies at once were answered",
          note: "the probe's output could not show what one delivery does (not a number, or no change), so the pair was not compared with it",
        });
      else if (pair !== one)
        setVerdict(g, {
          ok: false,
          message: `two copies at once changed the state by ${pair} (${move}) where one delivery changes it by ${one}: the handler processed the same ${d.notificationType ?? "webhook"} twice`,
        });
    }
  });

  const isGroupOf = (effect: FlowStepSpec["effect"]) => (group: PlannedGroup) =>
    lead(group).step.effect === effect && (lead(group).copy === "original" || lead(group).copy === "concurrent");
  const indexes = (effect: FlowStepSpec["effect"]) => sent.flatMap((group, g) => (isGroupOf(effect)(group) ? [g] : []));
  const complete = (effect: FlowStepSpec["effect"]) => {
    const wanted = plan.steps.filter((s) => s.effect === effect).length;
    return wanted > 0 && indexes(effect).length === wanted;
  };

  const grants = indexes("grant");
  const purchaseDone = complete("grant");
  if (purchaseDone) {
    const changes = grants.filter(changed);
    const last = grants[grants.length - 1] as number;
    if (changes.length === 0)
      setVerdict(last, {
        ok: false,
        message: `the purchase did not change the state (the probe printed ${q(before(grants[0] as number))} before and after): the handler answered but granted nothing, or the probe does not see this user`,
      });
    else if (changes.length > 1) {
      const [a, b] = changes as [number, number];
      setVerdict(b, {
        ok: false,
        message: `the state changed at ${lead(sent[a] as PlannedGroup).id} (${q(before(a))} → ${q(after(a))}) and again at ${lead(sent[b] as PlannedGroup).id} (${q(before(b))} → ${q(after(b))}): they are one purchase, granted twice`,
      });
    } else {
      const g = changes[0] as number;
      setVerdict(g, { ok: true, message: `the purchase changed the state once (${q(before(g))} → ${q(after(g))})` });
    }
  }

  for (const effect of ["revoke", "partial"] as const) {
    const undo = indexes(effect);
    if (undo.length === 0 || !complete(effect)) continue;
    const last = undo[undo.length - 1] as number;
    if (!purchaseDone || Math.max(...grants) > Math.min(...undo)) {
      setVerdict(last, {
        ok: true,
        message: "answered",
        note: "the refund was not compared with the purchase: the purchase was not delivered in full before it",
      });
      continue;
    }
    const baseline = before(grants[0] as number) as string;
    const purchased = before(undo[0] as number) as string;
    const result = after(last) as string;
    const path = `${q(baseline)} before the purchase, ${q(purchased)} after it, ${q(result)} after the ${effect === "revoke" ? "refund" : "partial refund"}`;
    const [b, p, r] = [asNumber(baseline), asNumber(purchased), asNumber(result)];
    let verdict: EffectVerdict;
    if (result === purchased)
      verdict = {
        ok: false,
        message: `the ${effect === "revoke" ? "refund" : "partial refund"} was acknowledged (${undo.map((g) => lead(sent[g] as PlannedGroup).id).join(", ")}) but the state did not change (${path}): it did not take back what the purchase granted`,
      };
    else if (effect === "revoke")
      verdict =
        result === baseline
          ? { ok: true, message: `the refund took back the purchase (${path})` }
          : {
              ok: false,
              message: `the state after the refund is not what it was before the purchase (${path}): it took back ${
                b !== undefined && p !== undefined && r !== undefined
                  ? Math.abs(r - b) < Math.abs(p - b) && Math.sign(r - b) === Math.sign(p - b)
                    ? "less than"
                    : "more than"
                  : "something other than"
              } the purchase granted`,
            };
    else if (result === baseline)
      verdict = { ok: false, message: `the partial refund took back the whole purchase (${path}), not part of it` };
    else if (b !== undefined && p !== undefined && r !== undefined && !(Math.min(b, p) < r && r < Math.max(b, p)))
      verdict = { ok: false, message: `the state moved outside the purchase's range (${path}): a partial refund takes back part of it` };
    else verdict = { ok: true, message: `the partial refund took back part of the purchase (${path})` };
    setVerdict(last, verdict);
  }
  return verdicts;
}
