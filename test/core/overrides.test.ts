import { describe, expect, it } from "vitest";
import {
  deepMerge,
  getAtPath,
  jsonNestsDeeperThan,
  MAX_JSON_DEPTH,
  parseJsonDocument,
  parseSetArgument,
  setAtPath,
  type Json,
} from "../../src/core/fixtures/overrides.js";
import { UsageError } from "../../src/core/errors.js";

describe("parseSetArgument", () => {
  it.each([
    ["user.id=42", false, { path: "user.id", value: 42 }],
    ["user.id=sample_user", false, { path: "user.id", value: "sample_user" }],
    ['user.id="42"', false, { path: "user.id", value: "42" }],
    ["order.amount=9.99", false, { path: "order.amount", value: 9.99 }],
    ["order.amount=9.99", true, { path: "order.amount", value: "9.99" }],
    ["items.0.is_pre_order=true", false, { path: "items.0.is_pre_order", value: true }],
    ['custom_parameters={"a":[1,2]}', false, { path: "custom_parameters", value: { a: [1, 2] } }],
    ["order.comment=null", false, { path: "order.comment", value: null }],
    ["order.comment=", false, { path: "order.comment", value: "" }],
    ["user.email=a=b@example.com", false, { path: "user.email", value: "a=b@example.com" }],
  ])("%s (string: %s)", (arg, forceString, expected) => {
    expect(parseSetArgument(arg, forceString)).toEqual(expected);
  });

  it.each(["nopath", "=1", "a..b=1", ".a=1"])("rejects %s", (arg) => {
    expect(() => parseSetArgument(arg)).toThrow(UsageError);
  });
});

describe("setAtPath", () => {
  const body: Json = { user: { id: "u1" }, items: [{ sku: "a", quantity: 1 }, { sku: "b" }] };

  it("sets nested values without touching the input", () => {
    const out = setAtPath(body, "items.1.sku", "gold");
    expect(getAtPath(out, "items.1.sku")).toBe("gold");
    expect(getAtPath(body, "items.1.sku")).toBe("b");
    expect(getAtPath(out, "items.0")).toEqual({ sku: "a", quantity: 1 });
  });

  it("creates missing objects and appends at the end of arrays", () => {
    expect(getAtPath(setAtPath(body, "custom_parameters.level", 5), "custom_parameters")).toEqual({ level: 5 });
    expect(getAtPath(setAtPath(body, "items.2.sku", "c"), "items.2")).toEqual({ sku: "c" });
    expect(setAtPath({}, "list.0", 1)).toEqual({ list: [1] });
  });

  it.each([
    ["items.x.sku", /not an index/],
    ["items.5.sku", /past the end/],
    ["user.id.deeper", /is a string/],
  ])("refuses %s", (path, message) => {
    expect(() => setAtPath(body, path, 1)).toThrow(message);
  });
});

describe("deepMerge", () => {
  it.each([
    [{ a: 1, b: { c: 1, d: 2 } }, { b: { d: 3 } }, { a: 1, b: { c: 1, d: 3 } }],
    [{ a: [1, 2] }, { a: [3] }, { a: [3] }],
    [{ a: { b: 1 } }, { a: null }, { a: null }],
    [{ a: 1 }, { z: { y: 1 } }, { a: 1, z: { y: 1 } }],
  ] as [Json, Json, Json][])("%j + %j", (base, patch, expected) => {
    expect(deepMerge(base, patch)).toEqual(expected);
  });
});

describe("own keys: __proto__ and constructor are data, never the prototype", () => {
  it("setAtPath and getAtPath do not reach Object.prototype", () => {
    const out = setAtPath({}, "constructor.name", "x") as Record<string, unknown>;
    expect(out).toEqual({ constructor: { name: "x" } });
    expect(getAtPath({}, "constructor")).toBeUndefined();
    expect(getAtPath({}, "toString")).toBeUndefined();
    const proto = setAtPath({}, "__proto__.polluted", true) as Record<string, unknown>;
    expect(Object.hasOwn(proto, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("deepMerge keeps a __proto__ key of the patch as a key", () => {
    const patch = JSON.parse('{"__proto__":{"polluted":true},"toString":"s"}') as Json;
    const out = deepMerge({ a: 1 }, patch) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"a":1,"__proto__":{"polluted":true},"toString":"s"}');
  });
});

describe("parseJsonDocument", () => {
  it("skips a leading BOM", () => {
    expect(parseJsonDocument('\uFEFF{"a":1}', "stdin")).toEqual({ a: 1 });
  });

  it("refuses nesting past MAX_JSON_DEPTH without recursing, and counts brackets in strings as text", () => {
    const nested = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    expect(() => parseJsonDocument(nested(MAX_JSON_DEPTH), "x")).not.toThrow();
    expect(() => parseJsonDocument(nested(MAX_JSON_DEPTH + 1), "body file b.json")).toThrow(
      `body file b.json nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep`,
    );
    expect(() => parseJsonDocument(nested(1_000_000), "x")).toThrow(UsageError);
    expect(jsonNestsDeeperThan(`["${"[".repeat(500)}\\"${"{".repeat(500)}"]`, 2)).toBe(false);
  });

  it("names what is not JSON", () => {
    expect(() => parseJsonDocument("{", "--merge file m.json")).toThrow(/^--merge file m\.json is not valid JSON/);
  });
});
