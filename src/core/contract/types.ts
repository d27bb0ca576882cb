// Results of the contract suite, shared by the runner and the reporters.

export interface ContractCheckResult {
  id: string;
  title: string;
  ok: boolean;
  /** Status of the check's last answer, null when none came. */
  status: number | null;
  expected: string;
  durationMs: number;
  message: string;
  note: string | null;
}

export interface ContractSuiteResult {
  ok: boolean;
  passed: number;
  failed: number;
  /** No request got any HTTP answer: the handler could not be reached at all. */
  unreachable: boolean;
  unreachableReason: string | null;
  url: string;
  strict: boolean;
  durationMs: number;
  checks: ContractCheckResult[];
}
