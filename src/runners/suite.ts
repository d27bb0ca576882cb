// Runs the contract suite against a handler: the checks come from core/contract/plan.ts, this file
// delivers them (through deliverOnce, like every webhook), reads the state probe around the checks
// that ask for it, and turns replies into results with their evidence. Used by `xsolla-hooks test`
// and by library users.
import { randomBytes, randomInt } from "node:crypto";
import {
  planContractSuite,
  judgeErrorBodies,
  judgeTiming,
  DEFAULT_BUDGET_MS,
  DEFAULT_CONTRACT_TYPES,
  type CheckReply,
  type CheckVerdict,
  type ContractSettings,
  type PlannedCheck,
  type PlannedRequest,
  type ProbeReadings,
} from "../core/contract/plan.js";
import { crossCheckHints, summarizeUniformFailures, toEvidence } from "../core/contract/evidence.js";
import { buildWebhookRequest } from "../core/delivery/request.js";
import { errorCodeOf } from "../core/expectation.js";
import { redactUrls } from "../core/settings.js";
import { formatSignatureHeader, signBody } from "../core/signature.js";
import type { SendResult, Transport } from "../core/delivery/types.js";
import type { SetOverride } from "../core/fixtures/overrides.js";
import { loadFixtures } from "../adapters/fixtures-fs.js";
import { readStateProbe } from "../adapters/state-probe.js";
import { withTransport } from "../adapters/transport-scope.js";
import type { ContractCheckResult, ContractSuiteResult } from "../core/contract/types.js";
import { deliverOnce } from "./deliver.js";

export type { ContractCheckResult, ContractSuiteResult };

export interface ContractSuiteOptions {
  url: string;
  secret: string;
  /** Catalog entries to test; "all" for every built-in fixture, variants included. Default: user_validation, payment, refund, order_paid, order_canceled. */
  types?: readonly string[] | "all";
  strict?: boolean;
  budgetMs?: number;
  timeoutMs?: number;
  users?: { valid?: string | undefined; unknown?: string | undefined };
  overrides?: Record<string, readonly SetOverride[]>;
  expectations?: Record<string, string>;
  headers?: Record<string, string>;
  fixturesDir?: string;
  /** A shell command whose stdout reflects the handler's state for the test user (see README: state probes). */
  stateProbe?: string | undefined;
  /** The environment the state probe runs in (default: this process's). */
  env?: Record<string, string | undefined>;
  transport?: Transport;
  signal?: AbortSignal;
  /** Called as each check starts, for progress output. */
  onStart?: (checkId: string, index: number, total: number) => void;
  /** Called as each check finishes, for live output. */
  onResult?: (result: ContractCheckResult, index: number, total: number) => void;
}

const UNKNOWN_USER_PREFIX = "test_xsolla";

/** An unknown user id that looks like any other: no test prefix, nothing a handler could special-case. */
function neutralUserId(): string {
  return `player_${randomBytes(6).toString("hex")}`;
}

/** `got 500 SERVER_ERROR`, `no answer`: what a failed check saw, in a few words. */
function observed(result: ContractCheckResult): string {
  const response = result.evidence?.response;
  if (!response) return result.evidence?.error ? `no answer: ${result.evidence.error}` : result.message;
  const code = errorCodeOf(Buffer.from(response.body));
  return `got ${response.status}${code ? ` ${code}` : ""}`;
}

interface Sent {
  request: PlannedRequest;
  result: SendResult;
}

export async function runContractSuite(options: ContractSuiteOptions): Promise<ContractSuiteResult> {
  const fixtures = await loadFixtures(options.fixturesDir);
  const types = options.types === "all" ? fixtures.map((f) => f.id) : [...(options.types ?? DEFAULT_CONTRACT_TYPES)];
  const settings: ContractSettings = {
    types,
    strict: options.strict ?? false,
    budgetMs: options.budgetMs ?? DEFAULT_BUDGET_MS,
    users: {
      valid: options.users?.valid,
      unknown: options.users?.unknown ?? `${UNKNOWN_USER_PREFIX}_${randomInt(100_000, 999_999)}`,
      neutral: neutralUserId(),
    },
    overrides: options.overrides ?? {},
    expectations: options.expectations ?? {},
    stateProbe: options.stateProbe !== undefined,
  };
  const plan = planContractSuite(settings, { fixtures, build: { now: Date.now(), rand: () => randomInt(0, 1_000_000) / 1_000_000 } });

  const started = performance.now();
  const results: ContractCheckResult[] = [];
  const byId = new Map<string, { result: ContractCheckResult; gotReply: boolean }>();
  const timings: { checkId: string; durationMs: number }[] = [];
  const rejections: { checkId: string; reply: CheckReply; request: PlannedRequest }[] = [];
  let answered = 0;
  let lastFailure: string | null = null;
  const total = plan.length + 2;
  const timeoutMs = options.timeoutMs ?? 10_000;

  // accepts-signed results are held until all of them are in: when they all failed alike, the first says so once.
  let held: ContractCheckResult[] = [];
  const emit = (result: ContractCheckResult) => {
    results.push(result);
    options.onResult?.(result, results.length - 1, total);
  };
  const release = () => {
    const summarized = summarizeUniformFailures(held);
    held = [];
    for (const result of summarized) {
      byId.set(result.id, { result, gotReply: byId.get(result.id)?.gotReply ?? false });
      emit(result);
    }
  };
  const push = (result: ContractCheckResult) => {
    if (result.id.startsWith("accepts-signed:")) held.push(result);
    else {
      release();
      emit(result);
    }
  };

  /** One group's requests at once; each result in request order. */
  const sendGroup = async (transport: Transport, group: PlannedRequest[]): Promise<Sent[]> =>
    Promise.all(
      group.map(async (planned) => {
        const { request } = buildWebhookRequest(options.url, planned.bytes, options.secret, planned.signature, options.headers ?? {});
        if (planned.signBytes) request.headers.authorization = formatSignatureHeader(signBody(planned.signBytes, options.secret));
        if (planned.pacing) request.pacing = planned.pacing;
        const report = await deliverOnce(request, transport, timeoutMs, options.signal);
        const result = report.attempts[0]?.result;
        return result ? [{ request: planned, result }] : [];
      }),
    ).then((sent) => sent.flat());

  const probeVars = (check: PlannedCheck): Record<string, string> => {
    const first = check.requests[0];
    return {
      XSOLLA_HOOKS_CHECK: check.id,
      XSOLLA_HOOKS_TYPE: first?.notificationType ?? "",
      XSOLLA_HOOKS_TRANSACTION_ID: first?.transactionId ?? "",
      XSOLLA_HOOKS_USER_ID: first?.userId ?? "",
    };
  };

  const runCheck = async (transport: Transport, check: PlannedCheck): Promise<void> => {
    const dependency = check.dependsOn ? byId.get(check.dependsOn) : undefined;
    // Only a dependency that failed on a reply explains this check away; with no reply at all, this check tries too.
    if (dependency && !dependency.result.ok && dependency.gotReply) {
      const reason = `not run: ${check.dependsOn} failed (${observed(dependency.result)}), so this check could not tell its own cause from that one`;
      const result: ContractCheckResult = {
        id: check.id,
        title: check.title,
        ok: false,
        outcome: "not-run",
        status: null,
        expected: check.expected,
        durationMs: 0,
        message: reason,
        note: null,
        evidence: null,
      };
      byId.set(check.id, { result, gotReply: false });
      push(result);
      return;
    }
    const groups = [...new Set(check.requests.map((r) => r.group))]
      .sort((a, b) => a - b)
      .map((g) => check.requests.filter((r) => r.group === g));
    const probing = check.probeState && options.stateProbe !== undefined;
    const readings: string[] = [];
    let probeError: string | undefined;
    const readProbe = async () => {
      if (!probing || probeError !== undefined || options.stateProbe === undefined) return;
      const read = await readStateProbe(options.stateProbe, probeVars(check), options.env ?? process.env, options.signal);
      if (read.ok) readings.push(read.output);
      else probeError = read.error;
    };

    const sent: Sent[] = [];
    let failure: Sent | undefined;
    await readProbe();
    for (const group of groups) {
      const groupSent = await sendGroup(transport, group);
      sent.push(...groupSent);
      for (const item of groupSent) timings.push({ checkId: check.id, durationMs: item.result.durationMs });
      failure = groupSent.find((s) => s.result.kind === "no-reply");
      if (failure || options.signal?.aborted || groupSent.length < group.length) break;
      await readProbe();
    }
    if (options.signal?.aborted) return;

    const replies = sent.flatMap((s) => (s.result.kind === "reply" ? [s.result] : []));
    answered += replies.length;
    const durationMs = sent.reduce((sum, s) => sum + s.result.durationMs, 0);
    let verdict: CheckVerdict;
    let evidenceOf: Sent | undefined;
    if (failure && failure.result.kind === "no-reply") {
      lastFailure = failure.result.error.message;
      verdict = { ok: false, message: `no answer: ${failure.result.error.message}` };
      evidenceOf = failure;
    } else {
      const probe: ProbeReadings | undefined = probing ? (probeError !== undefined ? { error: probeError } : { readings }) : undefined;
      verdict = check.judge({ replies, probe });
      evidenceOf = sent[verdict.evidenceIndex ?? sent.length - 1];
    }
    if (check.id.startsWith("rejects-") || check.id === "tolerates-unknown-type") {
      for (const item of sent)
        if (item.result.kind === "reply" && item.result.status >= 400 && item.result.status < 500)
          rejections.push({ checkId: check.id, reply: item.result, request: item.request });
    }
    const reply = evidenceOf?.result.kind === "reply" ? evidenceOf.result : undefined;
    const result: ContractCheckResult = {
      id: check.id,
      title: check.title,
      ok: verdict.ok && !verdict.notRun,
      outcome: verdict.notRun ? "not-run" : verdict.ok ? "passed" : "failed",
      status: reply?.status ?? null,
      expected: check.expected,
      durationMs: Math.round(durationMs * 10) / 10,
      message: verdict.message,
      note: verdict.note ?? null,
      evidence: evidenceOf ? toEvidence(evidenceOf.request, evidenceOf.result) : null,
    };
    // A cause two checks show together is added as soon as the second one is in.
    const hinted = crossCheckHints([...results, result]).at(-1) ?? result;
    byId.set(check.id, { result: hinted, gotReply: replies.length > 0 });
    push(hinted);
  };

  await withTransport(options.transport, async (transport) => {
    for (const check of plan) {
      if (options.signal?.aborted) break;
      options.onStart?.(check.id, results.length + held.length, total);
      await runCheck(transport, check);
    }
    release();
  });

  if (!options.signal?.aborted) {
    const shapes = judgeErrorBodies(rejections, settings.strict);
    const shown = shapes.evidenceIndex === undefined ? undefined : rejections[shapes.evidenceIndex];
    push({
      id: "error-body-shape",
      title: `answers rejections with a JSON body {"error":{"code","message"}} and a JSON content type${settings.strict ? "" : " (a note unless --strict)"}`,
      ok: shapes.ok && !shapes.notRun,
      outcome: shapes.notRun ? "not-run" : shapes.ok ? "passed" : "failed",
      status: shown?.reply.status ?? null,
      expected: 'JSON {"error":{"code","message"}}',
      durationMs: 0,
      message: shapes.message,
      note: shapes.note ?? null,
      evidence: shown ? toEvidence(shown.request, { kind: "reply", ...shown.reply, truncated: false }) : null,
    });
    // Timing is judged over answers only: with none, it is not a pass.
    const timing = judgeTiming(answered > 0 ? timings : [], settings.budgetMs);
    push({
      id: "responds-in-time",
      title: `answers every request within ${settings.budgetMs} ms`,
      ok: timing.ok,
      outcome: timing.ok ? "passed" : "failed",
      status: null,
      expected: `<= ${settings.budgetMs} ms`,
      durationMs: 0,
      message: timing.message,
      note: null,
      evidence: null,
    });
  }

  const checks = results;
  const passed = checks.filter((r) => r.outcome === "passed").length;
  const failed = checks.filter((r) => r.outcome === "failed").length;
  const unreachable = answered === 0;
  return {
    ok: failed === 0 && checks.every((c) => c.outcome !== "not-run" || c.id === "error-body-shape") && !unreachable,
    passed,
    failed,
    notRun: checks.length - passed - failed,
    unreachable,
    unreachableReason: unreachable ? lastFailure : null,
    // A password in the URL is never printed whole, in any report.
    url: redactUrls(options.url),
    strict: settings.strict,
    stateProbe: options.stateProbe !== undefined,
    durationMs: Math.round(performance.now() - started),
    checks,
  };
}
