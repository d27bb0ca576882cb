// Runs the contract suite against a handler: the checks come from core/contract/plan.ts, this file
// delivers them (through deliverOnce, like every webhook) and collects results. Used by
// `xsolla-hooks test` and by library users.
import { randomInt } from "node:crypto";
import {
  planContractSuite,
  judgeTiming,
  DEFAULT_BUDGET_MS,
  DEFAULT_CONTRACT_TYPES,
  type ContractSettings,
  type CheckReply,
} from "../core/contract/plan.js";
import { buildWebhookRequest } from "../core/delivery/request.js";
import { formatSignatureHeader, signBody } from "../core/signature.js";
import type { Transport } from "../core/delivery/types.js";
import type { SetOverride } from "../core/fixtures/overrides.js";
import { loadFixtures } from "../adapters/fixtures-fs.js";
import { withTransport } from "../adapters/transport-scope.js";
import type { ContractCheckResult, ContractSuiteResult } from "../core/contract/types.js";
import { deliverOnce } from "./deliver.js";

export type { ContractCheckResult, ContractSuiteResult };

export interface ContractSuiteOptions {
  url: string;
  secret: string;
  /** Types to test; "all" for every built-in type. Default: user_validation, payment, refund, order_paid, order_canceled. */
  types?: readonly string[] | "all";
  strict?: boolean;
  budgetMs?: number;
  timeoutMs?: number;
  users?: { valid?: string; unknown?: string };
  overrides?: Record<string, readonly SetOverride[]>;
  expectations?: Record<string, string>;
  headers?: Record<string, string>;
  fixturesDir?: string;
  transport?: Transport;
  signal?: AbortSignal;
  /** Called as each check starts, for progress output. */
  onStart?: (checkId: string, index: number, total: number) => void;
  /** Called as each check finishes, for live output. */
  onResult?: (result: ContractCheckResult, index: number, total: number) => void;
}

const UNKNOWN_USER_PREFIX = "test_xsolla";

export async function runContractSuite(options: ContractSuiteOptions): Promise<ContractSuiteResult> {
  const fixtures = await loadFixtures(options.fixturesDir);
  const types = options.types === "all" ? [...new Set(fixtures.map((f) => f.meta.type))] : [...(options.types ?? DEFAULT_CONTRACT_TYPES)];
  const settings: ContractSettings = {
    types,
    strict: options.strict ?? false,
    budgetMs: options.budgetMs ?? DEFAULT_BUDGET_MS,
    users: { valid: options.users?.valid, unknown: options.users?.unknown ?? `${UNKNOWN_USER_PREFIX}_${randomInt(100_000, 999_999)}` },
    overrides: options.overrides ?? {},
    expectations: options.expectations ?? {},
  };
  const plan = planContractSuite(settings, { fixtures, build: { now: Date.now(), rand: () => randomInt(0, 1_000_000) / 1_000_000 } });

  const started = performance.now();
  const results: ContractCheckResult[] = [];
  const timings: { checkId: string; durationMs: number }[] = [];
  let answered = 0;
  let lastFailure: string | null = null;
  const total = plan.length + 1;
  await withTransport(options.transport, async (transport) => {
    for (const check of plan) {
      if (options.signal?.aborted) break;
      options.onStart?.(check.id, results.length, total);
      const replies: CheckReply[] = [];
      let failure: string | null = null;
      let durationMs = 0;
      for (const planned of check.requests) {
        const { request } = buildWebhookRequest(options.url, planned.bytes, options.secret, planned.signature, options.headers ?? {});
        if (planned.signBytes) request.headers.authorization = formatSignatureHeader(signBody(planned.signBytes, options.secret));
        const report = await deliverOnce(request, transport, options.timeoutMs ?? 10_000, options.signal);
        const result = report.attempts[0]?.result;
        if (!result) break; // interrupted before the request went out
        durationMs += result.durationMs;
        if (result.kind === "no-reply") {
          failure = result.error.message;
          lastFailure = failure;
          timings.push({ checkId: check.id, durationMs: result.durationMs });
          break;
        }
        answered++;
        timings.push({ checkId: check.id, durationMs: result.durationMs });
        replies.push(result);
      }
      if (options.signal?.aborted) break;
      const verdict = failure ? { ok: false, message: `no answer: ${failure}`, note: undefined } : check.judge(replies);
      const result: ContractCheckResult = {
        id: check.id,
        title: check.title,
        ok: verdict.ok,
        status: replies[replies.length - 1]?.status ?? null,
        expected: check.expected,
        durationMs: Math.round(durationMs * 10) / 10,
        message: verdict.message,
        note: verdict.note ?? null,
      };
      results.push(result);
      options.onResult?.(result, results.length - 1, total);
    }
  });

  if (!options.signal?.aborted) {
    const timing = judgeTiming(timings, settings.budgetMs);
    const result: ContractCheckResult = {
      id: "responds-in-time",
      title: `answers every request within ${settings.budgetMs} ms`,
      ok: timing.ok,
      status: null,
      expected: `<= ${settings.budgetMs} ms`,
      durationMs: 0,
      message: timing.message,
      note: null,
    };
    results.push(result);
    options.onResult?.(result, results.length - 1, total);
  }
  const passed = results.filter((r) => r.ok).length;
  const unreachable = answered === 0;
  return {
    ok: passed === results.length && !unreachable,
    passed,
    failed: results.length - passed,
    unreachable,
    unreachableReason: unreachable ? lastFailure : null,
    url: options.url,
    strict: settings.strict,
    durationMs: Math.round(performance.now() - started),
    checks: results,
  };
}
