// What a handler's answer should be, and whether it was. Pure: takes the status and body bytes.
import { UsageError } from "./errors.js";
import type { Fixture, ResponseBodyKind } from "./fixtures/types.js";
import type { SignatureMode } from "./delivery/request.js";

export interface StatusRule {
  /** Inclusive range: 204 is [204,204], 4xx is [400,499]. */
  min: number;
  max: number;
  label: string;
}

export interface Expectation {
  statuses: StatusRule[];
  /** A documented response body the handler must return (user_search, get_pincode, partner_side_catalog). */
  responseBody?: ResponseBodyKind | undefined;
  /** The `error.code` a rejection must carry, e.g. INVALID_SIGNATURE. */
  errorCode?: string | undefined;
}

export interface CheckResult {
  ok: boolean;
  /** Why not, one short sentence per problem. Empty when ok. */
  problems: string[];
}

/** `204`, `4xx`, `200,204`, `2xx,409` → rules. */
export function parseStatusList(text: string, flag = "--expect"): StatusRule[] {
  const items = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) throw new UsageError(`invalid ${flag} "${text}": give status codes or classes, e.g. 204 or 2xx or 200,204`);
  return items.map((item) => {
    const cls = /^([1-5])xx$/i.exec(item);
    if (cls) {
      const base = Number(cls[1]) * 100;
      return { min: base, max: base + 99, label: `${cls[1]}xx` };
    }
    if (/^[1-5]\d\d$/.test(item)) return { min: Number(item), max: Number(item), label: item };
    throw new UsageError(`invalid ${flag} "${text}": "${item}" is not a status code (100-599) or class (2xx)`);
  });
}

export function describeExpectation(expectation: Expectation): string {
  const statuses = expectation.statuses.map((r) => r.label).join("/");
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

export function checkResponse(status: number, body: Uint8Array, expectation: Expectation): CheckResult {
  const problems: string[] = [];
  if (!expectation.statuses.some((rule) => status >= rule.min && status <= rule.max)) {
    const code = errorCodeOf(body);
    problems.push(`status ${status}${code ? ` ${code}` : ""}, expected ${expectation.statuses.map((r) => r.label).join("/")}`);
  }
  if (expectation.responseBody && status >= 200 && status < 300) problems.push(...checkResponseBody(expectation.responseBody, body));
  if (expectation.errorCode) {
    const code = errorCodeOf(body);
    if (code !== expectation.errorCode) problems.push(`error.code ${code ?? "(none)"}, expected ${expectation.errorCode}`);
  }
  return { ok: problems.length === 0, problems };
}

export function successExpectation(success: { statuses: number[]; responseBody: ResponseBodyKind | null }): Expectation {
  return {
    statuses: success.statuses.map((s) => ({ min: s, max: s, label: String(s) })),
    responseBody: success.responseBody ?? undefined,
  };
}

/** What `send` expects: --expect wins; a deliberately bad signature expects a rejection; else the type's documented success. */
export function expectationForSend(flag: string | undefined, mode: SignatureMode, fixture: Fixture | undefined): Expectation {
  if (flag !== undefined) return { statuses: parseStatusList(flag) };
  if (mode !== "valid") return { statuses: parseStatusList("4xx"), errorCode: "INVALID_SIGNATURE" };
  return successExpectation(fixture?.meta.success ?? { statuses: [200, 201, 204], responseBody: null });
}
