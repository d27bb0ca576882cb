// What each check saw, in the shape every reporter shows: the request (type, transaction id) and the
// reply (status, content type, body cut at 2 KiB) or why none came. And one rule for a run where
// every correctly signed webhook failed alike: say so once, where it was first seen.
import type { SendResult } from "../delivery/types.js";
import { errorCodeOf } from "../expectation.js";
import type { PlannedRequest } from "./plan.js";
import type { ContractCheckResult, Evidence } from "./types.js";

export const EVIDENCE_BODY_LIMIT = 2 * 1024;

export function toEvidence(
  request: Pick<PlannedRequest, "notificationType" | "transactionId"> & { orderId?: string | null },
  result: SendResult,
): Evidence {
  const { notificationType, transactionId, orderId } = request;
  const base = { request: { notificationType, transactionId, ...(orderId ? { orderId } : {}) } };
  if (result.kind === "no-reply") return { ...base, response: null, error: result.error.message };
  const text = Buffer.from(result.body.subarray(0, EVIDENCE_BODY_LIMIT * 4)).toString("utf8");
  const cut = text.length > EVIDENCE_BODY_LIMIT || result.body.length > EVIDENCE_BODY_LIMIT * 4;
  return {
    ...base,
    response: {
      status: result.status,
      contentType: result.headers["content-type"] ?? null,
      body: cut ? text.slice(0, EVIDENCE_BODY_LIMIT) : text,
      bodyTruncated: cut || result.truncated,
    },
    error: null,
  };
}

/** `500 (text/html)` plus the error.code when there is one: how a reply is named in a summary. */
function replyKey(check: ContractCheckResult): string | undefined {
  const response = check.evidence?.response;
  if (!response) return undefined;
  const code = errorCodeOf(Buffer.from(response.body));
  return `${response.status}${code ? ` ${code}` : ""}`;
}

/**
 * When every accepts-signed check failed with the same reply, the first says so for all of them and the others
 * point to it, instead of each telling the same story as if it were its own.
 */
export function summarizeUniformFailures(results: readonly ContractCheckResult[]): ContractCheckResult[] {
  const accepts = results.filter((r) => r.id.startsWith("accepts-signed:"));
  if (accepts.length < 2 || accepts.some((r) => r.ok)) return [...results];
  const keys = accepts.map(replyKey);
  const key = keys[0];
  if (key === undefined || keys.some((k) => k !== key)) return [...results];
  const first = accepts[0] as ContractCheckResult;
  const type = first.evidence?.response?.contentType;
  return results.map((r) => {
    if (r === first) {
      return {
        ...r,
        message: `every correctly signed webhook got ${key}${type ? ` (${type})` : ""}: ${accepts.length} of ${accepts.length} types, so the handler accepted none; the checks that need an accepted webhook were not run. First: ${r.message}`,
      };
    }
    if (accepts.includes(r)) return { ...r, message: `got ${key}, like every other type (see ${first.id})` };
    return r;
  });
}

/**
 * Causes that only two checks together show: an unknown id refused with the tester's prefix but accepted without it
 * means the handler special-cases the prefix.
 */
export function crossCheckHints(results: readonly ContractCheckResult[]): ContractCheckResult[] {
  const prefixed = results.find((r) => r.id === "rejects-unknown-user");
  return results.map((r) => {
    if (r.id !== "rejects-unknown-user-neutral" || r.outcome !== "failed" || prefixed?.outcome !== "passed") return r;
    const accepted = r.evidence?.response && r.evidence.response.status >= 200 && r.evidence.response.status < 300;
    if (!accepted) return r;
    return {
      ...r,
      message: `${r.message}; test_xsolla_… was refused, so the handler special-cases the tester's prefix instead of looking the user up`,
    };
  });
}
