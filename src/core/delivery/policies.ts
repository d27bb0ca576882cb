// Xsolla's retry behaviour as data. `documented` says which parts Xsolla publishes and which are
// our model; the CLI prints that label next to every timeline.
import { UsageError } from "../errors.js";
import { formatDuration } from "../duration.js";
import type { RetryPolicyName } from "../fixtures/types.js";
import type { PolicyDecision } from "./types.js";

const MINUTE = 60_000;

export interface RetryPolicy {
  name: RetryPolicyName;
  title: string;
  /** Delay before each resend, measured from the previous attempt. Length = max resends. */
  delaysMs: number[];
  /** Statuses that end delivery as a success. */
  successStatuses: number[];
  /** Decides whether an answer that is not a success is resent. */
  retryOn: "not-final" | "5xx";
  /** With retryOn "not-final": the statuses Xsolla treats as a final refusal. */
  finalStatuses: number[];
  documented: boolean;
  /** What is Xsolla's published fact and what is our model, in one or two sentences. */
  basis: string;
}

const repeat = (count: number, minutes: number): number[] => Array.from({ length: count }, () => minutes * MINUTE);

// Model, not Xsolla's numbers: 12 resends with growing gaps that fit in 12 hours (633 minutes).
const PAYMENT_MODEL_MINUTES = [1, 2, 5, 10, 15, 30, 30, 60, 60, 120, 120, 180];

/** payment and generic: resent after a 5xx or no answer, on the modelled intervals. */
const MODELLED_5XX_RETRIES = {
  delaysMs: PAYMENT_MODEL_MINUTES.map((m) => m * MINUTE),
  successStatuses: [200, 201, 204],
  retryOn: "5xx",
  finalStatuses: [],
  documented: false,
} as const satisfies Partial<RetryPolicy>;

export const RETRY_POLICIES: Record<RetryPolicyName, RetryPolicy> = {
  order: {
    name: "order",
    title: "order_paid / order_canceled",
    delaysMs: [...repeat(2, 5), ...repeat(7, 15), ...repeat(10, 60)],
    successStatuses: [200, 201, 204],
    retryOn: "not-final",
    finalStatuses: [400, 401, 402, 403, 404, 409, 415, 422],
    documented: true,
    basis:
      "Documented by Xsolla: 2 resends 5 min apart, 7 at 15 min, 10 at 60 min; 400/401/402/403/404/409/415/422 are final (with auto-refund on, the user is refunded). Offsets assume each interval counts from the previous attempt.",
  },
  payment: {
    ...MODELLED_5XX_RETRIES,
    name: "payment",
    title: "payment / refund / partial_refund",
    basis:
      "Xsolla documents resends after a 5xx or no answer, at most 12, with increasing intervals within 12 h; it does not publish the intervals. The intervals here (1m,2m,5m,10m,15m,30m,30m,1h,1h,2h,2h,3h) are a MODEL: replace them with --schedule.",
  },
  generic: {
    ...MODELLED_5XX_RETRIES,
    name: "generic",
    title: "other webhooks",
    basis:
      "Xsolla's older overview says failed webhooks are resent at most 12 times within 12 h; no type-specific schedule is published. The intervals are the same MODEL as for payment.",
  },
  none: {
    name: "none",
    title: "user_validation / user_search / partner_side_catalog / get_pincode",
    delaysMs: [],
    successStatuses: [200, 201, 204],
    retryOn: "5xx",
    finalStatuses: [],
    documented: true,
    basis:
      "Never resent: these are synchronous look-ups during checkout. For user_validation Xsolla documents that a failure is not resent and the payment stops (payment and order_paid are not sent).",
  },
};

/** What the policy does with one answer (status) or with no answer (undefined). */
export function classifyAttempt(policy: RetryPolicy, status: number | undefined): PolicyDecision {
  if (status !== undefined && policy.successStatuses.includes(status)) return "success";
  if (status === undefined) return "retry";
  if (policy.retryOn === "5xx") return status >= 500 ? "retry" : "final";
  return policy.finalStatuses.includes(status) ? "final" : "retry";
}

/** Cumulative offsets of every attempt, first at 0: order → 0, 5, 10, 25, ... 715 minutes. */
export function attemptOffsetsMs(delaysMs: readonly number[]): number[] {
  const offsets = [0];
  for (const delay of delaysMs) offsets.push((offsets[offsets.length - 1] as number) + delay);
  return offsets;
}

/** A policy by its name (order, payment, generic, none) or by a webhook type that uses it. */
export function resolvePolicy(name: string, policyOfType: (type: string) => RetryPolicyName | undefined): RetryPolicy {
  // Own keys only: "constructor" or "toString" are not policies.
  if (Object.hasOwn(RETRY_POLICIES, name)) return RETRY_POLICIES[name as RetryPolicyName];
  const byType = policyOfType(name);
  if (byType) return RETRY_POLICIES[byType];
  throw new UsageError(`unknown retry policy "${name}"`, {
    hint: `use ${Object.keys(RETRY_POLICIES).join(", ")} or a webhook type such as order_paid`,
  });
}

/** Why a type is never resent, in the words of Xsolla's docs where they have any. */
export function noRetryReason(type: string | undefined): string {
  if (type === "user_validation")
    return "Xsolla never resends user_validation: on no answer, a 400 or a 5xx the user sees an error and the payment stops (payment and order_paid are not sent).";
  return `${type ?? "this webhook"} is a synchronous look-up during checkout; Xsolla documents no resend for it.`;
}

/** `2x5m,7x15m,10x1h`: a delay list in the --schedule syntax, repeats folded. */
export function formatSchedule(delaysMs: readonly number[]): string {
  const runs: { delay: number; count: number }[] = [];
  for (const delay of delaysMs) {
    const last = runs[runs.length - 1];
    if (last && last.delay === delay) last.count++;
    else runs.push({ delay, count: 1 });
  }
  return runs.map((r) => `${r.count > 1 ? `${r.count}x` : ""}${formatDuration(r.delay)}`).join(",");
}

/** The retry policies as `send --help` lists them, made from the data above. */
export function describePolicies(): string {
  const lines: string[] = [];
  for (const policy of Object.values(RETRY_POLICIES)) {
    const name = policy.name.padEnd(8);
    const pad = " ".repeat(11);
    if (policy.delaysMs.length === 0) {
      lines.push(`  ${name} ${policy.title}: never resent.`);
      continue;
    }
    const offsets = attemptOffsetsMs(policy.delaysMs);
    const span = formatDuration(offsets[offsets.length - 1] ?? 0);
    const schedule = `${formatSchedule(policy.delaysMs)} (${policy.delaysMs.length + 1} attempts over ${span})`;
    const final =
      policy.retryOn === "5xx"
        ? "other answers final; 5xx or no answer resent"
        : `${policy.finalStatuses.join("/")} final; anything else or no answer resent`;
    lines.push(
      `  ${name} ${policy.title}: ${policy.documented ? "Xsolla's documented schedule" : "OUR MODEL of the intervals (Xsolla publishes none; --schedule replaces it)"},`,
    );
    lines.push(`${pad}${schedule}; ${policy.successStatuses.join("/")} delivered; ${final}.`);
  }
  return lines.join("\n");
}
