import { describe, expect, it } from "vitest";
import { checkResponse, checkResponseBody, errorCodeOf, parseStatusList, successExpectation } from "../../src/core/expectation.js";

const bytes = (text: string) => Buffer.from(text);

describe("parseStatusList", () => {
  it.each([
    ["204", [[204, 204]]],
    ["4xx", [[400, 499]]],
    [
      "200,204",
      [
        [200, 200],
        [204, 204],
      ],
    ],
    [
      " 2xx , 409 ",
      [
        [200, 299],
        [409, 409],
      ],
    ],
  ])("%s", (text, ranges) => {
    expect(parseStatusList(text).map((r) => [r.min, r.max])).toEqual(ranges);
  });

  it.each(["", "2xy", "600", "20", "abc", "6xx"])("rejects %j", (text) => {
    expect(() => parseStatusList(text)).toThrow(/--expect/);
  });
});

describe("checkResponse", () => {
  const success = successExpectation({ statuses: [200, 201, 204], responseBody: null });
  it.each([
    [204, "", true],
    [200, "ok", true],
    [202, "", false],
    [500, '{"error":{"code":"SERVER_ERROR"}}', false],
  ])("success expectation, status %i", (status, body, ok) => {
    expect(checkResponse(status, bytes(body), success).ok).toBe(ok);
  });

  it("requires the right error.code for a rejection", () => {
    const rejection = { statuses: parseStatusList("4xx"), errorCode: "INVALID_SIGNATURE" };
    expect(checkResponse(401, bytes('{"error":{"code":"INVALID_SIGNATURE","message":"x"}}'), rejection).ok).toBe(true);
    expect(checkResponse(400, bytes('{"error":{"code":"INVALID_USER"}}'), rejection).problems).toEqual([
      "error.code INVALID_USER, expected INVALID_SIGNATURE",
    ]);
    expect(checkResponse(204, bytes(""), rejection).problems).toHaveLength(2);
  });

  it("reads error codes only from Xsolla's error shape", () => {
    expect(errorCodeOf(bytes('{"error":{"code":"INVALID_USER"}}'))).toBe("INVALID_USER");
    expect(errorCodeOf(bytes('{"code":"INVALID_USER"}'))).toBeUndefined();
    expect(errorCodeOf(bytes("<html>"))).toBeUndefined();
  });
});

describe("documented response bodies", () => {
  it.each([
    ["user_search", '{"user":{"id":"u1","name":"N"}}', true],
    ["user_search", '{"user":{"name":"N"}}', false],
    ["user_search", "", false],
    ["get_pincode", '{"pin_code":"AAAA-BBBB"}', true],
    ["get_pincode", '{"pin_code":""}', false],
    ["get_pincode", '{"pin_code":123}', false],
    ["partner_side_catalog", '[{"sku":"a","quantity":null},{"sku":"b","quantity":1},{"sku":"c"}]', true],
    ["partner_side_catalog", "[]", true],
    ["partner_side_catalog", '{"sku":"a"}', false],
    ["partner_side_catalog", '[{"quantity":1}]', false],
    ["partner_side_catalog", '[{"sku":"a","quantity":-1}]', false],
  ] as const)("%s %s → %s", (kind, body, ok) => {
    expect(checkResponseBody(kind, bytes(body)).length === 0).toBe(ok);
  });

  it("checks the body only for a 2xx", () => {
    const expectation = successExpectation({ statuses: [200], responseBody: "get_pincode" });
    expect(checkResponse(200, bytes("{}"), expectation).ok).toBe(false);
    expect(checkResponse(500, bytes("{}"), expectation).problems).toEqual(["status 500, expected 200"]);
  });
});
