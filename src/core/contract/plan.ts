// The contract suite as data: which requests each check sends, which earlier check it depends on, and
// how it judges what came back. Pure: fixtures, time and randomness come in; src/runners/suite.ts does
// the HTTP and the state probe.
//
// Three rules shape every judge here:
// - Evidence first: a message states what was observed (status, error.code) and names a cause only
//   when the observations show it (e.g. "re-serialises JSON" needs compact bodies accepted AND the
//   escaped body refused as INVALID_SIGNATURE).
// - No green for the wrong reason: a rejection check passes only on the right error.code, and only
//   once a correctly signed request of the same kind was accepted (its `dependsOn`); otherwise a
//   handler with the wrong secret would "reject" everything and pass.
// - Say what could not be seen: idempotency without a state probe says it only compared statuses.
import { checkResponseBody, errorCodeOf, parseStatusList, SIGNATURE_REJECTED, type StatusRule } from "../expectation.js";
import { buildPayload, type BuildOptions } from "../fixtures/payload.js";
import { findFixture } from "../fixtures/catalog.js";
import { getAtPath, setAtPath, type Json, type SetOverride } from "../fixtures/overrides.js";
import type { Fixture } from "../fixtures/types.js";
import type { SignatureMode } from "../delivery/request.js";
import type { Reply } from "../delivery/types.js";

export const DEFAULT_CONTRACT_TYPES = ["user_validation", "payment", "refund", "order_paid", "order_canceled"] as const;
export const IDEMPOTENCY_TYPES = ["order_paid", "payment"] as const;
export const DEFAULT_BUDGET_MS = 3_000;
/** A notification_type no handler can know yet: how a new Xsolla type looks to an old handler. */
export const UNKNOWN_TYPE = "xsolla_hooks_future_type";
const DOCS_REJECTION_STATUS = 400;

/** Every check by id (a `:<type>` suffix repeats it per type), with what it proves: for --help and the README. */
export const CHECK_CATALOG: readonly { id: string; description: string }[] = [
  {
    id: "accepts-signed:<type>",
    description: "a correctly signed webhook of each type gets a documented success (and the look-ups their body)",
  },
  { id: "accepts-unknown-fields", description: "a known type with fields the handler has never seen is still accepted" },
  {
    id: "tolerates-unknown-type",
    description: "a well-formed webhook of an unknown notification_type gets 2xx or 4xx INVALID_PARAMETER, never a 5xx",
  },
  {
    id: "accepts-raw-utf8-pieces",
    description: "a ~48 KiB body with raw UTF-8 text, written in pieces that split characters, is accepted",
  },
  {
    id: "hashes-raw-body",
    description: "a body written PHP-style (4-space indents, \\/ and \\u escapes) is accepted: the signature is over raw bytes",
  },
  { id: "rejects-bad-signature", description: "a body signed with another secret gets 4xx INVALID_SIGNATURE" },
  { id: "rejects-missing-signature", description: "no Authorization header gets 4xx INVALID_SIGNATURE" },
  { id: "rejects-tampered-body", description: "a body changed after signing gets 4xx INVALID_SIGNATURE" },
  { id: "rejects-unknown-user", description: "user_validation for an unknown user test_xsolla_<random> gets 4xx INVALID_USER" },
  {
    id: "rejects-unknown-user-neutral",
    description: "user_validation for an unknown user with an ordinary-looking id gets 4xx INVALID_USER",
  },
  { id: "rejects-malformed-json", description: "correctly signed bytes that are not JSON get 4xx INVALID_PARAMETER" },
  {
    id: "idempotent-redelivery:<type>",
    description: "the same order_paid / payment twice gets the same 2xx; with --state-probe, the state changes once",
  },
  {
    id: "idempotent-concurrent:<type>",
    description: "the same webhook twice at once gets the same 2xx; with a numeric --state-probe, it counts once",
  },
  {
    id: "error-body-shape",
    description: 'rejections carry JSON {"error":{"code","message"}} with a JSON content type (a note unless --strict)',
  },
  { id: "responds-in-time", description: "every answer within --budget (3 s, Xsolla's recommendation); no answers at all is a failure" },
];

export interface ContractSettings {
  /** Catalog entries to test: a type (its default fixture) or a fixture id with a variant (order_paid.separate). */
  types: readonly string[];
  strict: boolean;
  budgetMs: number;
  /** valid: a user the handler knows; unknown: one with the tester's prefix; neutral: an unknown id with no prefix. */
  users: { valid?: string | undefined; unknown: string; neutral: string };
  /** Per-type --set overrides, applied to every body of that type. */
  overrides: Readonly<Record<string, readonly SetOverride[]>>;
  /** Per-type expected success statuses for accepts-signed (replaces the documented ones). */
  expectations: Readonly<Record<string, string>>;
  /** Whether a state probe will be read around the idempotency checks. */
  stateProbe: boolean;
}

export interface PlannedRequest {
  bytes: Buffer;
  /** Sign these bytes instead of `bytes` (tampered body: the signature of the original). */
  signBytes?: Buffer;
  signature: SignatureMode;
  /** Write the body in pieces of this size with a pause between them (so the handler reads it in several parts). */
  pacing?: { pieceBytes: number; pauseMs: number };
  /** Requests of the same group go out at the same time; groups go in order. */
  group: number;
  /** For the evidence, and for the state probe's environment. */
  notificationType: string | null;
  transactionId: string | null;
  userId: string | null;
}

/** What a check looks at in a handler's reply. */
export type CheckReply = Pick<Reply, "status" | "headers" | "body" | "durationMs">;

/** State probe output before the first group and after each group; `error` when the probe itself failed. */
export type ProbeReadings = { readings: string[] } | { error: string };

export interface CheckVerdict {
  ok: boolean;
  message: string;
  /** A passing answer that differs from Xsolla's docs (e.g. 401 instead of 400), for the report. */
  note?: string | undefined;
  /** Which reply is the evidence (default: the last). */
  evidenceIndex?: number | undefined;
  /** The check could not judge at all; reported as not run, with `message` as the reason. */
  notRun?: boolean | undefined;
}

export interface JudgeInput {
  replies: readonly CheckReply[];
  /** Present when the check asked for the state probe and one is configured. */
  probe?: ProbeReadings | undefined;
}

export interface PlannedCheck {
  id: string;
  title: string;
  expected: string;
  requests: PlannedRequest[];
  /** When this check failed on a reply, this one is not run (its cause would be the same). */
  dependsOn?: string | undefined;
  /** Read the state probe before the first group and after each group. */
  probeState?: boolean | undefined;
  judge(input: JudgeInput): CheckVerdict;
}

// ---------------------------------------------------------------------------------------------
// Describing replies: observations, never causes.

function contentType(reply: CheckReply): string | null {
  return reply.headers["content-type"] ?? null;
}

/** `400 INVALID_USER`, `500`, `204`: a status with the error.code it carried. */
export function describeReply(reply: CheckReply): string {
  const code = errorCodeOf(reply.body);
  return `${reply.status}${code ? ` ${code}` : ""}`;
}

const is2xx = (status: number) => status >= 200 && status < 300;
const is4xx = (status: number) => status >= 400 && status < 500;

/** A rejection: a 4xx (exactly 400 when strict) carrying the right Xsolla error code. Messages say what came back. */
function judgeRejection(reply: CheckReply | undefined, code: string, strict: boolean, what: string): CheckVerdict {
  if (!reply) return { ok: false, message: "no answer" };
  const got = errorCodeOf(reply.body);
  const expected = strict ? `400 with error.code ${code}` : `a 4xx with error.code ${code}`;
  const statusOk = strict ? reply.status === DOCS_REJECTION_STATUS : is4xx(reply.status);
  if (statusOk && got === code) {
    const note =
      reply.status !== DOCS_REJECTION_STATUS
        ? `answered ${reply.status}; Xsolla's docs say 400 (Xsolla's PHP SDK uses ${code === SIGNATURE_REJECTED ? 401 : 422}); --strict fails this`
        : undefined;
    return { ok: true, message: `rejected with ${reply.status} ${code}`, note };
  }
  let observed: string;
  if (is2xx(reply.status)) observed = `accepted ${what} (${reply.status})`;
  else if (reply.status >= 500) observed = `answered ${reply.status} to ${what}: Xsolla treats a 5xx as a failed delivery and resends`;
  else if (got === undefined) observed = `answered ${reply.status} with no error.code in the body`;
  else if (got === SIGNATURE_REJECTED && code !== SIGNATURE_REJECTED)
    observed = `answered ${reply.status} ${got}: it refused the signature of ${what}, not the request itself`;
  else observed = `answered ${describeReply(reply)}`;
  return { ok: false, message: `${observed}; expected ${expected}` };
}

function successRules(fixture: Fixture, expected: string | undefined): StatusRule[] {
  if (expected) return parseStatusList(expected);
  // Strict is docs-exact for errors only: every documented success (200, 201, 204) counts for notifications, and
  // the look-ups that return a body need their 200.
  return fixture.meta.success.statuses.map((s) => ({ min: s, max: s, label: String(s) }));
}

function judgeSuccess(reply: CheckReply | undefined, fixture: Fixture, expected: string | undefined, what: string): CheckVerdict {
  if (!reply) return { ok: false, message: "no answer" };
  const rules = successRules(fixture, expected);
  if (!rules.some((r) => reply.status >= r.min && reply.status <= r.max)) {
    const code = errorCodeOf(reply.body);
    const refusedSignature =
      code === SIGNATURE_REJECTED
        ? ": the handler refused the signature of a correctly signed body (its secret differs from --secret, or it hashes something other than the raw bytes)"
        : "";
    return {
      ok: false,
      message: `got ${describeReply(reply)}, expected ${rules.map((r) => r.label).join("/")} for ${what}${refusedSignature}`,
    };
  }
  const kind = fixture.meta.success.responseBody;
  const problems = kind ? checkResponseBody(kind, reply.body) : [];
  if (problems.length) return { ok: false, message: problems.join("; ") };
  return { ok: true, message: `accepted with ${reply.status}` };
}

/** PHP json_encode's default output style: 4-space indents, `\/` and `\uXXXX` escapes. */
export function phpStyleJson(body: Json): Buffer {
  const pretty = JSON.stringify(body, null, 4)
    .replace(/\//g, "\\/")
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return Buffer.from(pretty, "utf8");
}

/** A long run of text in several scripts: every character 2 to 4 bytes in UTF-8. */
function multibyteText(minBytes: number): string {
  const unit = "Награда за покупку ✓ 購入の報酬 💎 Ödül — ";
  const unitBytes = Buffer.byteLength(unit, "utf8");
  return unit.repeat(Math.ceil(minBytes / unitBytes));
}

// Under Express's default 100 kB body limit, above one 16 kB read: a correct handler reads it in several parts.
const RAW_UTF8_BODY_BYTES = 48 * 1024;
// An odd piece size, so piece boundaries fall inside multi-byte characters.
const RAW_UTF8_PACING = { pieceBytes: 1021, pauseMs: 2 };

export interface PlanContext {
  fixtures: readonly Fixture[];
  build: BuildOptions["context"];
}

/** Numbers in a probe's output (a count, a balance), or undefined when it prints something else. */
function asNumber(reading: string | undefined): number | undefined {
  if (reading === undefined) return undefined;
  const n = Number(reading.trim());
  return reading.trim() !== "" && Number.isFinite(n) ? n : undefined;
}

const NO_PROBE_NOTE = "statuses only: side effects were not observed (add --state-probe)";
const NO_PROBE =
  "side effects were not observed (no --state-probe): a handler that credits twice but answers the same status passes this; add --state-probe to see it";

export function planContractSuite(settings: ContractSettings, context: PlanContext): PlannedCheck[] {
  const { strict } = settings;
  const fixtureOf = (name: string) => {
    const [type = name, variant] = name.split(".");
    return findFixture(context.fixtures, type, variant);
  };
  const bodyOf = (name: string, extra: SetOverride[] = []) => {
    const fixture = fixtureOf(name);
    const sets = [...(settings.overrides[fixture.meta.type] ?? [])];
    if (fixture.meta.type === "user_validation" && settings.users.valid !== undefined)
      sets.unshift({ path: "user.id", value: settings.users.valid });
    // Compact bodies everywhere but the checks about bytes, so a handler that re-serializes JSON fails those alone.
    return buildPayload(fixture, { sets: [...sets, ...extra], format: "compact", context: context.build });
  };
  const idOf = (body: Json): string | null =>
    text(getAtPath(body, "transaction.id") ?? getAtPath(body, "order.id") ?? getAtPath(body, "billing.transaction.id"));
  const text = (value: Json | undefined): string | null =>
    value === undefined || value === null ? null : typeof value === "string" ? value : JSON.stringify(value);
  const request = (body: Json, bytes: Buffer, signature: SignatureMode = "valid", extra: Partial<PlannedRequest> = {}): PlannedRequest => ({
    bytes,
    signature,
    group: 0,
    notificationType: text(getAtPath(body, "notification_type")),
    transactionId: idOf(body),
    userId: text(getAtPath(body, "user.id") ?? getAtPath(body, "user.external_id")),
    ...extra,
  });
  const checks: PlannedCheck[] = [];
  const rejectionExpected = strict ? "400 with error.code" : "4xx with error.code";

  for (const name of settings.types) {
    const fixture = fixtureOf(name);
    const payload = bodyOf(name);
    const expected = settings.expectations[name] ?? settings.expectations[fixture.meta.type];
    checks.push({
      id: `accepts-signed:${name}`,
      title: `accepts a correctly signed ${name}`,
      expected:
        (expected ?? fixture.meta.success.statuses.join("/")) +
        (fixture.meta.success.responseBody ? ` with a ${fixture.meta.success.responseBody} body` : ""),
      requests: [request(payload.body, payload.bytes)],
      judge: ({ replies: [reply] }) => judgeSuccess(reply, fixture, expected, `a correctly signed ${name}`),
    });
  }

  // The checks about bodies and signatures use one type the handler is tested for: payment when it is.
  const probeName = settings.types.includes("payment")
    ? "payment"
    : (settings.types.find((t) => !t.startsWith("user_validation")) ?? settings.types[0] ?? "payment");
  const probeFixture = fixtureOf(probeName);
  const baseline = `accepts-signed:${probeName}`;
  const successLabels = probeFixture.meta.success.statuses.join("/");

  const extraFields = bodyOf(probeName, [
    { path: "xsolla_hooks_new_field", value: { added_by: "xsolla-hooks", reason: "Xsolla adds fields to webhooks" } },
    { path: "user.xsolla_hooks_new_field", value: "a field this handler has never seen" },
  ]);
  checks.push({
    id: "accepts-unknown-fields",
    title: `accepts a ${probeName} with fields it has never seen`,
    expected: successLabels,
    dependsOn: baseline,
    requests: [request(extraFields.body, extraFields.bytes)],
    judge: ({ replies: [reply] }) => {
      const verdict = judgeSuccess(reply, probeFixture, undefined, `a ${probeName} with two extra fields`);
      return verdict.ok
        ? verdict
        : {
            ...verdict,
            message: `${verdict.message}; the same ${probeName} without them was accepted, so the new fields made the difference`,
          };
    },
  });

  const unknownType = bodyOf(probeName, [{ path: "notification_type", value: UNKNOWN_TYPE }]);
  checks.push({
    id: "tolerates-unknown-type",
    title: `answers a correctly signed webhook of a type it does not know (${UNKNOWN_TYPE}) without a 5xx`,
    expected: `2xx, or ${strict ? "400" : "a 4xx"} with error.code INVALID_PARAMETER`,
    dependsOn: baseline,
    requests: [request(unknownType.body, unknownType.bytes)],
    judge: ({ replies: [reply] }) => {
      if (!reply) return { ok: false, message: "no answer" };
      if (is2xx(reply.status)) return { ok: true, message: `accepted with ${reply.status}` };
      const code = errorCodeOf(reply.body);
      const statusOk = strict ? reply.status === DOCS_REJECTION_STATUS : is4xx(reply.status);
      if (statusOk && code === "INVALID_PARAMETER") return { ok: true, message: `refused with ${reply.status} INVALID_PARAMETER` };
      if (reply.status >= 500)
        return {
          ok: false,
          message: `answered ${describeReply(reply)}: Xsolla resends after a 5xx for hours, so a type added later would never stop arriving; answer 2xx (ignore it) or 400 INVALID_PARAMETER`,
        };
      return {
        ok: false,
        message: `answered ${describeReply(reply)}; expected 2xx or ${strict ? "400" : "a 4xx"} with error.code INVALID_PARAMETER`,
      };
    },
  });

  const utf8 = bodyOf(probeName, [{ path: "custom_parameters.xsolla_hooks_note", value: multibyteText(RAW_UTF8_BODY_BYTES) }]);
  checks.push({
    id: "accepts-raw-utf8-pieces",
    title: `accepts a ${probeName} of ${Math.round(utf8.bytes.length / 1024)} KiB with raw UTF-8 text, written in small pieces that split characters`,
    expected: successLabels,
    dependsOn: baseline,
    requests: [request(utf8.body, utf8.bytes, "valid", { pacing: RAW_UTF8_PACING })],
    judge: ({ replies: [reply] }) => {
      const verdict = judgeSuccess(reply, probeFixture, undefined, `a correctly signed ${probeName} with raw UTF-8 text`);
      if (verdict.ok || !reply) return verdict;
      if (errorCodeOf(reply.body) === SIGNATURE_REJECTED) {
        return {
          ok: false,
          message: `got ${describeReply(reply)} for a correctly signed body whose multi-byte characters were split across reads, while compact ASCII-only bodies were accepted: the handler most likely decodes each piece to text on its own (body += chunk); collect the raw bytes and hash them whole`,
        };
      }
      if (reply.status === 413)
        return { ok: false, message: `got 413: the handler refuses a ${Math.round(utf8.bytes.length / 1024)} KiB body` };
      return verdict;
    },
  });

  const raw = bodyOf(probeName, [{ path: "custom_parameters.xsolla_hooks_note", value: "Награда/reward ✓" }]);
  checks.push({
    id: "hashes-raw-body",
    title: `accepts a ${probeName} signed over PHP-style bytes (4-space indents, \\/ and \\u escapes)`,
    expected: successLabels,
    dependsOn: baseline,
    requests: [request(raw.body, phpStyleJson(raw.body))],
    judge: ({ replies: [reply] }) => {
      if (!reply) return { ok: false, message: "no answer" };
      if (is2xx(reply.status)) return { ok: true, message: `accepted with ${reply.status}` };
      // The baseline passed, so compact bytes of the same type were accepted: only the byte form differs here.
      if (errorCodeOf(reply.body) === SIGNATURE_REJECTED) {
        return {
          ok: false,
          message: `got ${describeReply(reply)} for these correctly signed bytes, while the same ${probeName} as compact JSON was accepted: the handler most likely re-serializes the JSON before hashing; hash the raw request bytes instead`,
        };
      }
      return {
        ok: false,
        message: `got ${describeReply(reply)} for a correctly signed ${probeName} written PHP-style; expected ${successLabels}`,
      };
    },
  });

  const probe = bodyOf(probeName);
  checks.push({
    id: "rejects-bad-signature",
    title: `rejects a ${probeName} signed with another secret`,
    expected: `${rejectionExpected} INVALID_SIGNATURE`,
    dependsOn: baseline,
    requests: [request(probe.body, probe.bytes, "wrong-secret")],
    judge: ({ replies: [reply] }) => {
      const verdict = judgeRejection(reply, SIGNATURE_REJECTED, strict, "a body signed with another secret");
      return reply && is2xx(reply.status)
        ? {
            ...verdict,
            message: `${verdict.message}: it did not check the signature, and the handler must check the signature against the project's secret`,
          }
        : verdict;
    },
  });
  const unsigned = bodyOf(probeName);
  checks.push({
    id: "rejects-missing-signature",
    title: `rejects a ${probeName} with no Authorization header`,
    expected: `${rejectionExpected} INVALID_SIGNATURE`,
    dependsOn: baseline,
    requests: [request(unsigned.body, unsigned.bytes, "none")],
    judge: ({ replies: [reply] }) => {
      const verdict = judgeRejection(reply, SIGNATURE_REJECTED, strict, "a request with no Authorization header");
      return reply && is2xx(reply.status)
        ? { ...verdict, message: `${verdict.message}: the handler must check the signature, and a missing one must be refused` }
        : verdict;
    },
  });
  const original = bodyOf(probeName);
  const tampered = tamper(original.body);
  checks.push({
    id: "rejects-tampered-body",
    title: `rejects a ${probeName} changed after signing (${tampered.what})`,
    expected: `${rejectionExpected} INVALID_SIGNATURE`,
    dependsOn: baseline,
    requests: [request(tampered.body, Buffer.from(JSON.stringify(tampered.body)), "valid", { signBytes: original.bytes })],
    judge: ({ replies: [reply] }) => {
      const verdict = judgeRejection(reply, SIGNATURE_REJECTED, strict, "a body changed after it was signed");
      return reply && is2xx(reply.status)
        ? { ...verdict, message: `${verdict.message}: the signature must be checked against the exact body received` }
        : verdict;
    },
  });

  const validation = settings.types.find((t) => t === "user_validation" || t.startsWith("user_validation."));
  if (validation) {
    const unknownUsers = [
      ["rejects-unknown-user", settings.users.unknown, "with the tester's prefix"],
      ["rejects-unknown-user-neutral", settings.users.neutral, "that looks like any other id"],
    ] as const;
    for (const [id, user, how] of unknownUsers) {
      const body = bodyOf(validation, [{ path: "user.id", value: user }]);
      checks.push({
        id,
        title: `rejects user_validation for an unknown user ${how} (${user})`,
        expected: `${rejectionExpected} INVALID_USER`,
        dependsOn: `accepts-signed:${validation}`,
        requests: [request(body.body, body.bytes)],
        judge: ({ replies: [reply] }) => {
          const verdict = judgeRejection(reply, "INVALID_USER", strict, `an unknown user (${user})`);
          if (verdict.ok || !reply || !is2xx(reply.status)) return verdict;
          const why =
            id === "rejects-unknown-user-neutral"
              ? ": unknown users must get INVALID_USER whatever their id looks like"
              : ": unknown users must get INVALID_USER, or Xsolla lets the payment go on";
          return { ...verdict, message: `${verdict.message}${why}` };
        },
      });
    }
  }

  checks.push({
    id: "rejects-malformed-json",
    title: "rejects correctly signed bytes that are not JSON",
    expected: `${strict ? "400" : "4xx"} with error.code INVALID_PARAMETER`,
    dependsOn: baseline,
    requests: [request({ notification_type: "payment" }, Buffer.from('{"notification_type": "payment", "transaction": {'))],
    judge: ({ replies: [reply] }) => judgeRejection(reply, "INVALID_PARAMETER", strict, "a correctly signed body that is not JSON"),
  });

  for (const type of IDEMPOTENCY_TYPES.filter((t) => settings.types.includes(t))) {
    checks.push(idempotentRedelivery(type, bodyOf(type), settings.stateProbe, request));
    checks.push(idempotentConcurrent(type, bodyOf(type), bodyOf(type), settings.stateProbe, request));
  }
  return checks;
}

type RequestMaker = (body: Json, bytes: Buffer, signature?: SignatureMode, extra?: Partial<PlannedRequest>) => PlannedRequest;
type Built = { body: Json; bytes: Buffer };

/** Both replies a success with the same status, or the verdict on what differed (a refused first delivery is not run). */
function sameSuccess(type: string, replies: readonly CheckReply[]): CheckVerdict | undefined {
  const [first, ...rest] = replies;
  if (!first || rest.length === 0) return { ok: false, message: "no answer" };
  if (!is2xx(first.status))
    return {
      ok: false,
      notRun: true,
      message: `the first delivery was refused (${describeReply(first)}), so a redelivery could not be judged`,
      evidenceIndex: 0,
    };
  const differing = rest.findIndex((r) => !is2xx(r.status) || r.status !== first.status);
  if (differing === -1) return undefined;
  const other = rest[differing] as CheckReply;
  return {
    ok: false,
    evidenceIndex: differing + 1,
    message: `answered ${describeReply(first)} then ${describeReply(other)}: Xsolla resends after timeouts, so a repeat of a processed ${type} must get the same success answer (and must not credit twice)`,
  };
}

function idempotentRedelivery(type: string, once: Built, withProbe: boolean, request: RequestMaker): PlannedCheck {
  return {
    id: `idempotent-redelivery:${type}`,
    title: `answers an identical ${type} redelivery the same way${withProbe ? " and leaves the state unchanged" : " (statuses only: no state probe)"}`,
    expected: withProbe ? "2xx twice, same status; state changed by the first delivery only" : "2xx twice, same status",
    dependsOn: `accepts-signed:${type}`,
    probeState: withProbe,
    requests: [request(once.body, once.bytes), request(once.body, once.bytes, "valid", { group: 1 })],
    judge: ({ replies, probe }) => {
      const status = sameSuccess(type, replies);
      if (status) return status;
      const answered = `answered ${(replies[0] as CheckReply).status} both times`;
      if (!probe) return { ok: true, message: `${answered}; ${NO_PROBE}`, note: NO_PROBE_NOTE };
      if ("error" in probe) return { ok: false, message: `${answered}, but the state probe failed: ${probe.error}` };
      const [before, afterFirst, afterSecond] = probe.readings;
      if (afterSecond !== afterFirst) {
        return {
          ok: false,
          message: `${answered}, but the redelivery changed the state (probe: ${JSON.stringify(before)} → ${JSON.stringify(afterFirst)} → ${JSON.stringify(afterSecond)}): the same transaction was processed twice`,
        };
      }
      if (afterFirst === before) {
        return {
          ok: true,
          message: `${answered}; the state did not change at all (probe printed ${JSON.stringify(before)} each time), so the probe may not observe ${type}: side effects were not seen`,
          note: "the state probe saw no change from the first delivery",
        };
      }
      return {
        ok: true,
        message: `${answered}; the state changed once (${JSON.stringify(before)} → ${JSON.stringify(afterFirst)}) and not again`,
      };
    },
  };
}

function idempotentConcurrent(type: string, single: Built, twice: Built, withProbe: boolean, request: RequestMaker): PlannedCheck {
  return {
    id: `idempotent-concurrent:${type}`,
    title: `answers the same ${type} delivered twice at once the same way${withProbe ? " and processes it once" : " (statuses only: no state probe)"}`,
    expected: withProbe ? "2xx twice, same status; the pair changes the state as much as one delivery" : "2xx twice, same status",
    dependsOn: `accepts-signed:${type}`,
    probeState: withProbe,
    // One delivery alone first, to measure what one delivery does to the state; then a new one twice at once.
    requests: [
      request(single.body, single.bytes),
      request(twice.body, twice.bytes, "valid", { group: 1 }),
      request(twice.body, twice.bytes, "valid", { group: 1 }),
    ],
    judge: ({ replies, probe }) => {
      const [alone, ...pair] = replies;
      if (!alone) return { ok: false, message: "no answer" };
      if (!is2xx(alone.status))
        return {
          ok: false,
          notRun: true,
          message: `a single ${type} was refused (${describeReply(alone)}), so a concurrent pair could not be judged`,
          evidenceIndex: 0,
        };
      const status = sameSuccess(type, pair);
      if (status)
        return {
          ...status,
          evidenceIndex: status.evidenceIndex === undefined ? undefined : status.evidenceIndex + 1,
          message: status.message.replace("then", "and, at the same time,"),
        };
      const answered = `answered ${(pair[0] as CheckReply).status} to both`;
      if (!probe) return { ok: true, message: `${answered}; ${NO_PROBE}`, note: NO_PROBE_NOTE };
      if ("error" in probe) return { ok: false, message: `${answered}, but the state probe failed: ${probe.error}` };
      const [before, afterOne, afterPair] = probe.readings.map(asNumber);
      if (before === undefined || afterOne === undefined || afterPair === undefined) {
        return {
          ok: true,
          message: `${answered}; the state probe does not print a number, so the effect of two deliveries at once could not be compared with one: side effects were not judged`,
          note: "state probe output is not a number",
        };
      }
      const one = afterOne - before;
      const both = afterPair - afterOne;
      if (one === 0)
        return {
          ok: true,
          message: `${answered}; one delivery did not change the probe's number (${before}), so the probe may not observe ${type}`,
          note: "the state probe saw no change from one delivery",
        };
      if (both !== one) {
        return {
          ok: false,
          message: `${answered}, but two deliveries at once changed the state by ${both} where one delivery changes it by ${one} (probe: ${before} → ${afterOne} → ${afterPair}): the handler processed the same transaction twice`,
        };
      }
      return { ok: true, message: `${answered}; the pair changed the state by ${both}, as one delivery does` };
    },
  };
}

/** A plausible in-transit change: the amount, else the user, else a new field. */
function tamper(body: Json): { body: Json; what: string } {
  const candidates: [string, (v: Json) => Json][] = [
    ["purchase.total.amount", (v) => (typeof v === "number" ? v + 100 : v)],
    ["order.amount", (v) => (typeof v === "string" ? `${Number(v) + 100}` : v)],
    ["user.id", (v) => (typeof v === "string" ? `${v}_x` : v)],
  ];
  for (const [path, change] of candidates) {
    const value = getAtPath(body, path);
    if (value !== undefined && change(value) !== value) return { body: setAtPath(body, path, change(value)), what: `${path} changed` };
  }
  return { body: setAtPath(body, "tampered", true), what: "a field added" };
}

/** Aggregate timing check over every answer of the run. */
export function judgeTiming(answers: readonly { checkId: string; durationMs: number }[], budgetMs: number): CheckVerdict {
  if (answers.length === 0) return { ok: false, message: "no request got an answer, so timing could not be judged" };
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

/** What a rejection's body should be: JSON with error.code and error.message, sent as JSON. Problems, or [] when right. */
export function errorBodyProblems(reply: CheckReply): string[] {
  const problems: string[] = [];
  const type = contentType(reply) ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type))
    problems.push(`content-type ${type ? JSON.stringify(type) : "missing"}, not JSON`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(reply.body).toString("utf8"));
  } catch {
    problems.push("the body is not JSON");
    return problems;
  }
  const error =
    typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>).error : undefined;
  const fields = typeof error === "object" && error !== null ? (error as Record<string, unknown>) : undefined;
  if (typeof fields?.code !== "string") problems.push("no error.code string");
  if (typeof fields?.message !== "string") problems.push("no error.message string");
  return problems;
}

/** Aggregate over the rejections the run observed: their body shape (a note when lenient, a failure when strict). */
export function judgeErrorBodies(rejections: readonly { checkId: string; reply: CheckReply }[], strict: boolean): CheckVerdict {
  if (rejections.length === 0)
    return { ok: false, notRun: true, message: "no rejection was observed, so there was no error body to look at" };
  const bad = rejections.map((r) => ({ ...r, problems: errorBodyProblems(r.reply) })).filter((r) => r.problems.length > 0);
  if (bad.length === 0)
    return { ok: true, message: `all ${rejections.length} rejections had a JSON body with error.code and error.message` };
  const first = bad[0] as (typeof bad)[number];
  const summary = `${bad.length} of ${rejections.length} rejections: ${first.checkId}: ${first.problems.join(", ")}${bad.length > 1 ? ` (and ${bad.length - 1} more)` : ""}`;
  const index = rejections.findIndex((r) => r.checkId === first.checkId);
  if (strict) return { ok: false, message: `${summary}; Xsolla's docs show {"error":{"code","message"}} as JSON`, evidenceIndex: index };
  return {
    ok: true,
    message: "rejections seen",
    note: `${summary}; Xsolla's docs show {"error":{"code","message"}} as JSON; --strict fails this`,
    evidenceIndex: index,
  };
}
