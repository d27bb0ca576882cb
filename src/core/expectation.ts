// What a handler's answer should be, and whether it was. Pure: takes the status and body bytes.
import { UsageError } from "./errors.js";
import type { Fixture, ResponseBodyKind } from "./fixtures/types.js";
import type { SignatureMode } from "./delivery/request.js";

export interface StatusRule {
  /** Inclusive range: 204 is [204,204], 4xx is [400,499]. */
  min: number;
  max: number;
  label: string;
  /** `4xx:INVALID_USER`: the reply must also carry this `error.code`. */
  errorCode?: string | undefined;
}

export interface Expectation {
  statuses: StatusRule[];
  /** A documented response body the handler must return (user_search, get_pincode, partner_side_catalog). */
  responseBody?: ResponseBodyKind | undefined;
  /** The `error.code` every rejection must carry, e.g. INVALID_SIGNATURE. */
  errorCode?: string | undefined;
  /**
   * The request carried a correct signature. An INVALID_SIGNATURE reply then never meets a rule that does not name that
   * code: a bad secret must not make "--expect 4xx" (meant for an unknown user, say) pass.
   */
  signedCorrectly?: boolean | undefined;
}

export interface CheckResult {
  ok: boolean;
  /** Why not, one short sentence per problem. Empty when ok. */
  problems: string[];
}

const ERROR_CODE = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** `204`, `4xx`, `200,204`, `2xx,409`, `4xx:INVALID_USER`, `400:INVALID_SIGNATURE` → rules. */
export function parseStatusList(text: string, flag = "--expect"): StatusRule[] {
  const items = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0)
    throw new UsageError(`invalid ${flag} "${text}": give status codes or classes, e.g. 204 or 2xx or 4xx:INVALID_USER`);
  return items.map((item) => {
    const [statusPart = "", code, ...extra] = item.split(":").map((s) => s.trim());
    if (extra.length > 0 || (code !== undefined && !ERROR_CODE.test(code))) {
      throw new UsageError(`invalid ${flag} "${text}": "${item}" should be <status or class>[:<ERROR_CODE>], e.g. 4xx:INVALID_USER`);
    }
    const withCode = (rule: StatusRule): StatusRule =>
      code === undefined ? rule : { ...rule, errorCode: code, label: `${rule.label}:${code}` };
    const cls = /^([1-5])xx$/i.exec(statusPart);
    if (cls) {
      const base = Number(cls[1]) * 100;
      return withCode({ min: base, max: base + 99, label: `${cls[1]}xx` });
    }
    if (/^[1-5]\d\d$/.test(statusPart)) return withCode({ min: Number(statusPart), max: Number(statusPart), label: statusPart });
    throw new UsageError(`invalid ${flag} "${text}": "${statusPart}" is not a status code (100-599) or class (2xx)`);
  });
}

export function describeExpectation(expectation: Expectation): string {
  const withCodes = expectation.statuses.some((r) => r.errorCode !== undefined);
  const statuses = withCodes
    ? expectation.statuses
        .map((r) => (r.errorCode ? `${r.label.replace(/:.*$/, "")} with error.code ${r.errorCode}` : r.label))
        .join(" or ")
    : expectation.statuses.map((r) => r.label).join("/");
  const extra = expectation.errorCode
    ? ` with error.code ${expectation.errorCode}`
    : expectation.responseBody
      ? ` with a ${expectation.responseBody} body`
      : "";
  return `${statuses}${extra}`;
}

function parseJson(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(Buffer.from(bytes).toString("utf8")) };
  } catch {
    return { ok: false };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Problems with a documented response body, or [] when it has the documented shape. */
export function checkResponseBody(kind: ResponseBodyKind, bytes: Uint8Array): string[] {
  const parsed = parseJson(bytes);
  if (!parsed.ok) return [`the ${kind} response must be JSON`];
  const value = parsed.value;
  switch (kind) {
    case "user_search":
      return isObject(value) && isObject(value.user) && typeof value.user.id === "string" && value.user.id.length > 0
        ? []
        : ['user_search must answer {"user":{"id":"..."}} (user.id a non-empty string)'];
    case "get_pincode":
      return isObject(value) && typeof value.pin_code === "string" && value.pin_code.length > 0
        ? []
        : ['get_pincode must answer {"pin_code":"..."} (a non-empty string)'];
    case "partner_side_catalog": {
      if (!Array.isArray(value)) return ['partner_side_catalog must answer a JSON array of {"sku", "quantity"}'];
      const bad = value.findIndex(
        (item) =>
          !isObject(item) ||
          typeof item.sku !== "string" ||
          !(item.quantity === undefined || item.quantity === null || (typeof item.quantity === "number" && item.quantity >= 0)),
      );
      return bad === -1 ? [] : [`partner_side_catalog item ${bad} needs a string sku and a quantity that is a number >= 0 or null`];
    }
  }
}

/** The `error.code` of an Xsolla error body `{"error":{"code":...}}`, if there is one. */
export function errorCodeOf(bytes: Uint8Array): string | undefined {
  const parsed = parseJson(bytes);
  if (!parsed.ok || !isObject(parsed.value) || !isObject(parsed.value.error)) return undefined;
  const code = parsed.value.error.code;
  return typeof code === "string" ? code : undefined;
}

/** Does one rule accept this reply? `code` is the reply's error.code, if any. */
function ruleMatches(rule: StatusRule, status: number, code: string | undefined, expectation: Expectation): boolean {
  if (status < rule.min || status > rule.max) return false;
  const wanted = rule.errorCode ?? expectation.errorCode;
  if (wanted !== undefined) return code === wanted;
  // A correctly signed request refused for its signature is never the rejection a bare status class was meant for.
  return !(expectation.signedCorrectly && code === SIGNATURE_REJECTED);
}

export const SIGNATURE_REJECTED = "INVALID_SIGNATURE";

export function checkResponse(status: number, body: Uint8Array, expectation: Expectation): CheckResult {
  const problems: string[] = [];
  const code = errorCodeOf(body);
  const labels = expectation.statuses.map((r) => r.label).join("/");
  const inRange = expectation.statuses.filter((rule) => status >= rule.min && status <= rule.max);
  if (!expectation.statuses.some((rule) => ruleMatches(rule, status, code, expectation))) {
    if (inRange.length === 0) problems.push(`status ${status}${code ? ` ${code}` : ""}, expected ${labels}`);
    else if (
      expectation.signedCorrectly &&
      code === SIGNATURE_REJECTED &&
      inRange.every((r) => (r.errorCode ?? expectation.errorCode) === undefined)
    ) {
      problems.push(
        `status ${status} ${code}: the handler rejected the signature of a correctly signed request, so this is not the ${labels} you expected (is its secret the one you passed? xsolla-hooks verify explains a mismatch)`,
      );
    } else if (expectation.errorCode === undefined) {
      const wanted = [...new Set(inRange.map((r) => r.errorCode).filter((c): c is string => c !== undefined))].join(" or ");
      problems.push(`status ${status} with error.code ${code ?? "(none)"}, expected error.code ${wanted}`);
    }
  }
  if (expectation.responseBody && status >= 200 && status < 300) problems.push(...checkResponseBody(expectation.responseBody, body));
  if (expectation.errorCode && code !== expectation.errorCode)
    problems.push(`error.code ${code ?? "(none)"}, expected ${expectation.errorCode}`);
  return { ok: problems.length === 0, problems };
}

export function successExpectation(success: { statuses: number[]; responseBody: ResponseBodyKind | null }): Expectation {
  return {
    statuses: success.statuses.map((s) => ({ min: s, max: s, label: String(s) })),
    responseBody: success.responseBody ?? undefined,
  };
}

/** What `send` expects: --expect wins; a deliberately bad signature expects a rejection; else the type's documented success. */
export function expectationForSend(
  flag: string | undefined,
  mode: SignatureMode,
  fixture: Fixture | undefined,
  signedCorrectly = mode === "valid",
): Expectation {
  if (flag !== undefined) return { statuses: parseStatusList(flag), signedCorrectly };
  if (mode !== "valid") return { statuses: parseStatusList("4xx"), errorCode: SIGNATURE_REJECTED };
  return { ...successExpectation(fixture?.meta.success ?? { statuses: [200, 201, 204], responseBody: null }), signedCorrectly };
}
