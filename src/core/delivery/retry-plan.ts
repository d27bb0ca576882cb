// What `send --retry` will do: which policy, which delays, which clock, and what counts as passing.
// Pure: the flags arrive already parsed; finding a policy by webhook type is the caller's lookup.
import { UsageError } from "../errors.js";
import { parseStatusList } from "../expectation.js";
import { resolvePolicy, type RetryPolicy } from "./policies.js";
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
}

/** Checks an --expect-final value: exhausted, no-answer, or status codes/classes. */
export function checkExpectFinal(value: string): string {
  if (!(FINAL_WORDS as readonly string[]).includes(value)) parseStatusList(value, "--expect-final");
  return value;
}

export function planRetry(
  request: RetryRequest,
  fixturePolicy: RetryPolicyName | undefined,
  policyOfType: (type: string) => RetryPolicyName | undefined,
): RetryPlan {
  if (request.speed !== undefined && request.realtime) throw new UsageError("use --speed or --realtime, not both");
  const policy = request.policy ? resolvePolicy(request.policy, policyOfType) : resolvePolicy(fixturePolicy ?? "generic", () => undefined);
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
  };
}
