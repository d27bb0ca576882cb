// Verdicts on deliveries: did the handler's reply meet the expectation, and did a retry replay end
// the way it should. Pure: reports in, verdicts out.
import { ExitCode } from "../errors.js";
import { formatDuration } from "../duration.js";
import { checkResponse, errorCodeOf, parseStatusList, SIGNATURE_REJECTED, type Expectation } from "../expectation.js";
import { oneAttemptSummary, type RetryPlan } from "./retry-plan.js";
import type { DeliveryReport } from "./types.js";

export interface DeliveryVerdict {
  ok: boolean;
  /** No attempt got an HTTP reply: refused, DNS, timeout, reset, not HTTP. */
  unreachable: boolean;
  problems: string[];
}

export function judgeDelivery(report: DeliveryReport, expectation: Expectation): DeliveryVerdict {
  const last = report.attempts[report.attempts.length - 1];
  if (!last) return { ok: false, unreachable: false, problems: ["no attempt was made"] };
  if (last.result.kind === "no-reply")
    return { ok: false, unreachable: !report.attempts.some((a) => a.result.kind === "reply"), problems: [last.result.error.message] };
  const check = checkResponse(last.result.status, last.result.body, expectation);
  return { ok: check.ok, unreachable: false, problems: check.problems };
}

export interface RetryVerdict {
  ok: boolean;
  /** The exit code this verdict means: 0, 1, 3 (no attempt answered) or 130. */
  code: number;
  summary: string;
  problems: string[];
  /** No attempt got an HTTP reply. */
  unreachable: boolean;
}

/** `signedCorrectly`: the request carried a correct signature, so an INVALID_SIGNATURE final never meets a bare class. */
export function judgeRetry(report: DeliveryReport, plan: RetryPlan, type: string | undefined, signedCorrectly = true): RetryVerdict {
  const attempts = report.attempts;
  const last = attempts[attempts.length - 1];
  const span = formatDuration(last?.offsetMs ?? 0);
  const answered = attempts.some((a) => a.result.kind === "reply");
  const lastStatus = last?.result.kind === "reply" ? last.result.status : undefined;
  const orderPolicy = plan.policy.name === "order";
  const problems: string[] = [];
  let summary: string;

  if (report.outcome === "interrupted") {
    return {
      ok: false,
      code: ExitCode.Interrupted,
      summary: `interrupted after ${attempts.length} attempt${attempts.length === 1 ? "" : "s"} (+${span})`,
      problems: ["interrupted"],
      unreachable: false,
    };
  }
  if (report.outcome === "delivered") {
    summary = `delivered at attempt ${attempts.length} at +${span}`;
    if (plan.expectAttempts !== undefined && plan.expectAttempts !== attempts.length)
      problems.push(`delivered at attempt ${attempts.length}, expected attempt ${plan.expectAttempts}`);
    if (plan.expectFinal !== undefined) problems.push(`delivered, expected a final failure (${plan.expectFinal})`);
  } else {
    const refund = orderPolicy ? "; with auto-refund on, Xsolla would refund the user" : "";
    summary =
      report.outcome === "final"
        ? `final answer ${lastStatus} at attempt ${attempts.length} (+${span}): Xsolla does not resend after it${refund}`
        : plan.delaysMs.length === 0
          ? oneAttemptSummary(plan, type)
          : `gave up after ${attempts.length} attempts over ${span}${refund}`;
    let finalProblem: string | undefined;
    const matchesFinal = (() => {
      if (plan.expectFinal === undefined) return false;
      if (plan.expectFinal === "exhausted") return report.outcome === "exhausted";
      if (plan.expectFinal === "no-answer") return last?.result.kind === "no-reply";
      if (last?.result.kind !== "reply") return false;
      const check = checkResponse(last.result.status, last.result.body, {
        statuses: parseStatusList(plan.expectFinal, "--expect-final"),
        signedCorrectly,
      });
      finalProblem = check.problems[0];
      return check.ok;
    })();
    if (plan.expectFinal === undefined)
      problems.push(report.outcome === "final" ? `final answer ${lastStatus}` : "not delivered within the schedule");
    else if (!matchesFinal)
      problems.push(
        finalProblem
          ? `ended with ${finalProblem}`
          : `ended with ${lastStatus ?? "no answer"} (${report.outcome}), expected ${plan.expectFinal}`,
      );
    if (plan.expectAttempts !== undefined && plan.expectAttempts !== attempts.length)
      problems.push(`ended at attempt ${attempts.length}, expected attempt ${plan.expectAttempts}`);
  }
  const ok = problems.length === 0;
  const code = ok ? ExitCode.Ok : !answered ? ExitCode.Unreachable : ExitCode.CheckFailed;
  return { ok, code, summary, problems, unreachable: !ok && !answered };
}

/** How the body that went out was written, for explaining a signature rejection. */
export interface SentBodyShape {
  /** pretty / compact: a fixture serialised by us; raw: bytes the user gave, sent as they were. */
  format: "pretty" | "compact" | "raw";
  bytes: number;
}

/**
 * A correctly signed body came back INVALID_SIGNATURE: what most likely differs and how to find out. Said only on that
 * evidence; it names the candidates (another secret, a re-serialised body) without claiming which one it is.
 */
export function signatureRejectionHint(shape: SentBodyShape): string {
  const sent =
    shape.format === "raw"
      ? `the ${shape.bytes} bytes you gave, as they were`
      : `${shape.format === "pretty" ? "pretty-printed" : "compact"} JSON (${shape.bytes} bytes)`;
  const compare =
    shape.format === "pretty"
      ? "; send it again with --body-format compact: if that is accepted, the handler re-serialises JSON before hashing (xsolla-hooks test sends compact bodies, so it may pass there)"
      : "";
  return `the handler refused a body signed with the secret you passed. Either its secret differs, or it hashes something other than the raw bytes. This request carried ${sent}${compare}; to see what it hashed, point it at xsolla-hooks listen --save DIR and run xsolla-hooks verify --request on the capture`;
}

/** The reply's error.code was INVALID_SIGNATURE although the request was correctly signed. */
export function rejectedCorrectSignature(report: DeliveryReport, signedCorrectly: boolean): boolean {
  const last = report.attempts[report.attempts.length - 1];
  return signedCorrectly && last?.result.kind === "reply" && errorCodeOf(last.result.body) === SIGNATURE_REJECTED;
}
