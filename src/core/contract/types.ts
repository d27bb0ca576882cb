// Results of the contract suite, shared by the runner and the reporters.

/** passed / failed; not-run: an earlier check's failure already explains what this one would see. */
export type CheckOutcome = "passed" | "failed" | "not-run";

/** What a check saw: the request it judged and the reply to it (or why none came). */
export interface Evidence {
  /** `orderId`: for order webhooks that carry no transaction id (flows set it; the contract suite does not). */
  request: { notificationType: string | null; transactionId: string | null; orderId?: string | null | undefined };
  /** null when no reply came; `error` says why. */
  response: { status: number; contentType: string | null; body: string; bodyTruncated: boolean } | null;
  error: string | null;
}

export interface ContractCheckResult {
  id: string;
  title: string;
  ok: boolean;
  outcome: CheckOutcome;
  /** Status of the judged reply, null when none came (or the check was not run). */
  status: number | null;
  expected: string;
  durationMs: number;
  message: string;
  note: string | null;
  /** Present whenever the check sent something; null for aggregates and checks that were not run. */
  evidence: Evidence | null;
}

export interface ContractSuiteResult {
  ok: boolean;
  passed: number;
  failed: number;
  notRun: number;
  /** No request got any HTTP answer: the handler could not be reached at all. */
  unreachable: boolean;
  unreachableReason: string | null;
  url: string;
  strict: boolean;
  /** Whether a --state-probe observed side effects. */
  stateProbe: boolean;
  durationMs: number;
  checks: ContractCheckResult[];
}
