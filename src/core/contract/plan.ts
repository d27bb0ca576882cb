// The contract suite as data: which requests each check sends and how it judges the answers.
// Pure: fixtures, time and randomness come in; the runner in src/contract/ does the HTTP.
import { checkResponseBody, errorCodeOf } from "../expectation.js";
import { parseStatusList, type StatusRule } from "../expectation.js";
import { buildPayload, type BuildOptions } from "../fixtures/payload.js";
import { findFixture } from "../fixtures/catalog.js";
import { setAtPath, type Json, type SetOverride } from "../fixtures/overrides.js";
import type { Fixture } from "../fixtures/types.js";
import type { SignatureMode } from "../delivery/request.js";
import type { Reply } from "../delivery/types.js";

export const DEFAULT_CONTRACT_TYPES = ["user_validation", "payment", "refund", "order_paid", "order_canceled"] as const;
export const IDEMPOTENCY_TYPES = ["order_paid", "payment"] as const;
export const DEFAULT_BUDGET_MS = 3_000;

export interface ContractSettings {
  types: readonly string[];
  strict: boolean;
  budgetMs: number;
  users: { valid?: string | undefined; unknown: string };
  /** Per-type --set overrides, applied to every body of that type. */
  overrides: Readonly<Record<string, readonly SetOverride[]>>;
  /** Per-type expected success statuses for accepts-signed (replaces the documented ones). */
  expectations: Readonly<Record<string, string>>;
}

export interface PlannedRequest {
  bytes: Buffer;
  /** Sign these bytes instead of `bytes` (tampered body: the signature of the original). */
  signBytes?: Buffer;
  signature: SignatureMode;
}

/** What a check looks at in a handler's reply. */
export type CheckReply = Pick<Reply, "status" | "headers" | "body" | "durationMs">;

export interface CheckVerdict {
  ok: boolean;
  message: string;
  /** A passing answer that differs from Xsolla's docs (e.g. 401 instead of 400), for the report. */
  note?: string | undefined;
}

export interface PlannedCheck {
  id: string;
  title: string;
  expected: string;
  requests: PlannedRequest[];
  /** Judges the answers of this check's requests, in order. */
  judge(answers: readonly CheckReply[]): CheckVerdict;
}

const DOCS_REJECTION_STATUS = 400;

function statusMatches(status: number, rules: readonly StatusRule[]): boolean {
  return rules.some((r) => status >= r.min && status <= r.max);
}

/** A rejection: a 4xx (exactly 400 when strict) carrying the right Xsolla error code. */
function judgeRejection(answer: CheckReply | undefined, code: string, strict: boolean, failureHint: string): CheckVerdict {
  if (!answer) return { ok: false, message: "no answer" };
  const got = errorCodeOf(answer.body);
  const statusOk = strict ? answer.status === DOCS_REJECTION_STATUS : answer.status >= 400 && answer.status < 500;
  if (!statusOk || got !== code) {
    const expected = strict ? `400 with error.code ${code}` : `a 4xx with error.code ${code}`;
    return { ok: false, message: `got ${answer.status}${got ? ` ${got}` : ""}, expected ${expected}: ${failureHint}` };
  }
  const note =
    answer.status !== DOCS_REJECTION_STATUS
      ? `answered ${answer.status}; Xsolla's docs say 400 (Xsolla's PHP SDK uses ${code === "INVALID_SIGNATURE" ? 401 : 422}); --strict fails this`
      : undefined;
  return { ok: true, message: `rejected with ${answer.status} ${code}`, note };
}

function judgeSuccess(answer: CheckReply | undefined, fixture: Fixture, strict: boolean, expected: string | undefined): CheckVerdict {
  if (!answer) return { ok: false, message: "no answer" };
  const rules = expected
    ? parseStatusList(expected)
    : strict
      ? parseStatusList(String(fixture.meta.success.documented))
      : fixture.meta.success.statuses.map((s) => ({ min: s, max: s, label: String(s) }));
  const code = errorCodeOf(answer.body);
  if (!statusMatches(answer.status, rules)) {
    return {
      ok: false,
      message: `got ${answer.status}${code ? ` ${code}` : ""}, expected ${rules.map((r) => r.label).join("/")} for a correctly signed ${fixture.meta.type}`,
    };
  }
  const kind = fixture.meta.success.responseBody;
  const problems = kind ? checkResponseBody(kind, answer.body) : [];
  if (problems.length) return { ok: false, message: problems.join("; ") };
  return { ok: true, message: `accepted with ${answer.status}` };
}

/** PHP json_encode's default output style: 4-space indents, `\/` and `\uXXXX` escapes. */
export function phpStyleJson(body: Json): Buffer {
  const pretty = JSON.stringify(body, null, 4)
    .replace(/\//g, "\\/")
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return Buffer.from(pretty, "utf8");
}

export interface PlanContext {
  fixtures: readonly Fixture[];
  build: BuildOptions["context"];
}

export function planContractSuite(settings: ContractSettings, context: PlanContext): PlannedCheck[] {
  const { strict } = settings;
  const fixtureOf = (type: string) => findFixture(context.fixtures, type);
  const bodyOf = (type: string, extra: SetOverride[] = []) => {
    const fixture = fixtureOf(type);
    const sets = [...(settings.overrides[type] ?? [])];
    if (type === "user_validation" && settings.users.valid !== undefined) sets.unshift({ path: "user.id", value: settings.users.valid });
    // Compact bodies everywhere but hashes-raw-body, so a handler that re-serializes JSON fails that check alone.
    return buildPayload(fixture, { sets: [...sets, ...extra], format: "compact", context: context.build });
  };
  const checks: PlannedCheck[] = [];

  for (const type of settings.types) {
    const fixture = fixtureOf(type);
    const payload = bodyOf(type);
    const expected = settings.expectations[type];
    checks.push({
      id: `accepts-signed:${type}`,
      title: `accepts a correctly signed ${type}`,
      expected:
        expected ??
        (strict ? String(fixture.meta.success.documented) : fixture.meta.success.statuses.join("/")) +
          (fixture.meta.success.responseBody ? ` with a ${fixture.meta.success.responseBody} body` : ""),
      requests: [{ bytes: payload.bytes, signature: "valid" }],
      judge: ([answer]) => judgeSuccess(answer, fixture, strict, expected),
    });
  }

  // Signature checks use a type the handler is being tested for, payment when it is.
  const probeType = settings.types.includes("payment")
    ? "payment"
    : (settings.types.find((t) => t !== "user_validation") ?? settings.types[0] ?? "payment");
  const rejectionExpected = strict ? "400 with error.code" : "4xx with error.code";
  const probe = bodyOf(probeType);
  checks.push({
    id: "rejects-bad-signature",
    title: `rejects a ${probeType} signed with another secret`,
    expected: `${rejectionExpected} INVALID_SIGNATURE`,
    requests: [{ bytes: probe.bytes, signature: "wrong-secret" }],
    judge: ([a]) => judgeRejection(a, "INVALID_SIGNATURE", strict, "the handler must check the signature against the project's secret"),
  });
  checks.push({
    id: "rejects-missing-signature",
    title: `rejects a ${probeType} with no Authorization header`,
    expected: `${rejectionExpected} INVALID_SIGNATURE`,
    requests: [{ bytes: bodyOf(probeType).bytes, signature: "none" }],
    judge: ([a]) => judgeRejection(a, "INVALID_SIGNATURE", strict, "a missing Authorization header must be refused"),
  });
  const original = bodyOf(probeType);
  const tampered = tamper(original.body);
  checks.push({
    id: "rejects-tampered-body",
    title: `rejects a ${probeType} changed after signing (${tampered.what})`,
    expected: `${rejectionExpected} INVALID_SIGNATURE`,
    requests: [{ bytes: Buffer.from(JSON.stringify(tampered.body)), signBytes: original.bytes, signature: "valid" }],
    judge: ([a]) => judgeRejection(a, "INVALID_SIGNATURE", strict, "the signature must be checked against the exact body received"),
  });
  if (settings.types.includes("user_validation")) {
    checks.push({
      id: "rejects-unknown-user",
      title: `rejects user_validation for an unknown user (${settings.users.unknown})`,
      expected: `${rejectionExpected} INVALID_USER`,
      requests: [{ bytes: bodyOf("user_validation", [{ path: "user.id", value: settings.users.unknown }]).bytes, signature: "valid" }],
      judge: ([a]) => judgeRejection(a, "INVALID_USER", strict, "unknown users must get INVALID_USER, or Xsolla lets the payment go on"),
    });
  }
  const raw = bodyOf(probeType, [{ path: "custom_parameters.xsolla_hooks_note", value: "Награда/reward ✓" }]);
  checks.push({
    id: "hashes-raw-body",
    title: `accepts a ${probeType} signed over PHP-style bytes (4-space indents, \\/ and \\u escapes)`,
    expected: "2xx",
    requests: [{ bytes: phpStyleJson(raw.body), signature: "valid" }],
    judge: ([a]) => {
      if (!a) return { ok: false, message: "no answer" };
      if (a.status >= 200 && a.status < 300) return { ok: true, message: `accepted with ${a.status}` };
      const code = errorCodeOf(a.body);
      return {
        ok: false,
        message: `got ${a.status}${code ? ` ${code}` : ""} for a correctly signed body: the handler most likely re-serializes the JSON before hashing; hash the raw request bytes instead`,
      };
    },
  });
  checks.push({
    id: "rejects-malformed-json",
    title: "rejects correctly signed bytes that are not JSON",
    expected: `${strict ? "400" : "4xx"} with error.code INVALID_PARAMETER`,
    requests: [{ bytes: Buffer.from('{"notification_type": "payment", "transaction": {'), signature: "valid" }],
    judge: ([a]) =>
      judgeRejection(a, "INVALID_PARAMETER", strict, "malformed JSON must be refused as a bad request, not crash the handler"),
  });
  for (const type of IDEMPOTENCY_TYPES.filter((t) => settings.types.includes(t))) {
    const once = bodyOf(type);
    checks.push({
      id: `idempotent-redelivery:${type}`,
      title: `answers an identical ${type} redelivery the same way`,
      expected: "2xx twice, same status",
      requests: [
        { bytes: once.bytes, signature: "valid" },
        { bytes: once.bytes, signature: "valid" },
      ],
      judge: ([first, second]) => {
        if (!first || !second) return { ok: false, message: "no answer" };
        const both = first.status >= 200 && first.status < 300 && second.status >= 200 && second.status < 300;
        if (both && first.status === second.status) return { ok: true, message: `answered ${first.status} both times` };
        return {
          ok: false,
          message: `answered ${first.status} then ${second.status}: Xsolla resends after timeouts, so a repeat of a processed transaction must get the same success answer (and must not credit twice)`,
        };
      },
    });
  }
  return checks;
}

/** A plausible in-transit change: the amount, else the user, else a new field. */
function tamper(body: Json): { body: Json; what: string } {
  const candidates: [string, (v: Json) => Json][] = [
    ["purchase.total.amount", (v) => (typeof v === "number" ? v + 100 : v)],
    ["order.amount", (v) => (typeof v === "string" ? `${Number(v) + 100}` : v)],
    ["user.id", (v) => (typeof v === "string" ? `${v}_x` : v)],
  ];
  for (const [path, change] of candidates) {
    const value = path
      .split(".")
      .reduce<Json | undefined>((node, key) => (node && typeof node === "object" && !Array.isArray(node) ? node[key] : undefined), body);
    if (value !== undefined && change(value) !== value) return { body: setAtPath(body, path, change(value)), what: `${path} changed` };
  }
  return { body: setAtPath(body, "tampered", true), what: "a field added" };
}

/** Aggregate timing check over every answer of the run. */
export function judgeTiming(answers: readonly { checkId: string; durationMs: number }[], budgetMs: number): CheckVerdict {
  const slow = answers.filter((a) => a.durationMs > budgetMs);
  if (slow.length === 0) {
    const worst = Math.max(0, ...answers.map((a) => a.durationMs));
    return { ok: true, message: `every answer within ${budgetMs} ms (slowest ${Math.round(worst)} ms)` };
  }
  const list = slow.map((a) => `${a.checkId} ${Math.round(a.durationMs)} ms`).join(", ");
  return {
    ok: false,
    message: `${slow.length} answer${slow.length === 1 ? "" : "s"} over ${budgetMs} ms (${list}); Xsolla recommends answering within 3 s or it may resend`,
  };
}
