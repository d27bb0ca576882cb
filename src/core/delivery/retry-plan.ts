// What `send --retry` will do: which policy, which delays, which clock, and what counts as passing.
// Pure: the flags arrive already parsed; finding a policy by webhook type is the caller's lookup.
import { UsageError } from "../errors.js";
import { parseStatusList } from "../expectation.js";
import { noRetryReason, resolvePolicy, type RetryPolicy } from "./policies.js";
import type { RetryPolicyName } from "../fixtures/types.js";

/** `--expect-final` words besides status codes and classes. */
export const FINAL_WORDS = ["exhausted", "no-answer"] as const;

export type ClockMode = "virtual" | "speed" | "realtime";

/** The retry flags of `send`, parsed and checked one by one. */
export interface RetryRequest {
  /** Replaces the policy's delays (--schedule). */
  scheduleMs?: number[] | undefined;
  maxAttempts?: number | undefined;
  /** A policy name or a webhook type whose policy to use (--policy). */
  policy?: string | undefined;
  /** Really wait 1/speed of each interval (--speed). */
  speed?: number | undefined;
  realtime?: boolean | undefined;
  expectAttempts?: number | undefined;
  expectFinal?: string | undefined;
}

export interface RetryPlan {
  policy: RetryPolicy;
  delaysMs: number[];
  clockMode: ClockMode;
  speed: number;
  expectAttempts: number | undefined;
  expectFinal: string | undefined;
  scheduleReplaced: boolean;
  /** The --policy value when it replaces the type's own policy (else undefined). */
  chosenPolicy: string | undefined;
  /** The policy the type itself has (generic for a body of no known type). */
  typePolicy: RetryPolicyName;
}

/** Checks an --expect-final value: exhausted, no-answer, or status codes/classes. */
export function checkExpectFinal(value: string): string {
  if ((FINAL_WORDS as readonly string[]).includes(value)) return value;
  const words = value.split(",").map((item) => item.trim());
  if (words.some((item) => (FINAL_WORDS as readonly string[]).includes(item)))
    throw new UsageError(`invalid --expect-final "${value}": exhausted and no-answer stand alone, not in a list with status codes`);
  const rules = parseStatusList(value, "--expect-final");
  // A 2xx ends delivery as a success, never as a final failure: the check could not pass.
  if (rules.some((rule) => rule.min >= 200 && rule.max <= 299))
    throw new UsageError(`invalid --expect-final "${value}": a 2xx is a delivery, not a final failure`, {
      hint: "use --expect-attempts N to check when it was delivered",
    });
  return value;
}

export function planRetry(
  request: RetryRequest,
  fixturePolicy: RetryPolicyName | undefined,
  policyOfType: (type: string) => RetryPolicyName | undefined,
): RetryPlan {
  if (request.speed !== undefined && request.realtime) throw new UsageError("use --speed or --realtime, not both");
  const typePolicy = fixturePolicy ?? "generic";
  const policy = request.policy ? resolvePolicy(request.policy, policyOfType) : resolvePolicy(typePolicy, () => undefined);
  let delaysMs = request.scheduleMs !== undefined ? [...request.scheduleMs] : [...policy.delaysMs];
  if (request.maxAttempts !== undefined) delaysMs = delaysMs.slice(0, request.maxAttempts - 1);
  return {
    policy,
    delaysMs,
    clockMode: request.realtime ? "realtime" : request.speed !== undefined ? "speed" : "virtual",
    speed: request.speed ?? 1,
    expectAttempts: request.expectAttempts,
    expectFinal: request.expectFinal,
    scheduleReplaced: request.scheduleMs !== undefined,
    chosenPolicy: request.policy !== undefined && policy.name !== typePolicy ? request.policy : undefined,
    typePolicy,
  };
}

/** Why a plan makes one attempt only: Xsolla's word for a type that is never resent, or the flag that said so. */
export function oneAttemptReason(plan: RetryPlan, type: string | undefined): string {
  const what = type ?? "this webhook";
  if (plan.policy.name === "none" && plan.chosenPolicy === undefined) return noRetryReason(type);
  if (plan.policy.name === "none")
    return `--policy ${plan.chosenPolicy}: sent once and never resent, whatever the answer (Xsolla resends ${what} under its ${plan.typePolicy} policy).`;
  return `--max-attempts 1: sent once, no resend (Xsolla resends ${what} under its ${plan.policy.name} policy).`;
}

/** The one-line outcome of a one-attempt plan that did not deliver. */
export function oneAttemptSummary(plan: RetryPlan, type: string | undefined): string {
  if (plan.policy.name === "none" && plan.chosenPolicy === undefined) return `not delivered, and ${type ?? "this webhook"} is never resent`;
  return `not delivered; ${plan.policy.name === "none" ? `--policy ${plan.chosenPolicy}` : "--max-attempts 1"} sends it once`;
}
