import { describe, expect, it } from "vitest";
import { formatLike, generateFresh } from "../../src/core/fixtures/fresh.js";
import { applyFresh, buildPayload } from "../../src/core/fixtures/payload.js";
import { findFixture, closestName } from "../../src/core/fixtures/catalog.js";
import { loadBuiltinFixtures } from "../../src/adapters/fixtures-fs.js";
import { getAtPath } from "../../src/core/fixtures/overrides.js";
import { signBody } from "../../src/core/signature.js";

const NOW = Date.UTC(2026, 10, 21, 12, 30, 15, 250);
let seed = 0;
const rand = () => {
  seed = (seed * 9301 + 49297) % 233280;
  return seed / 233280;
};

describe("formatLike keeps the template's shape and offset", () => {
  it.each([
    ["2023-12-04T17:24:18+03:00", "2026-11-21T15:30:15+03:00"],
    ["2023-12-04T17:24:18-0500", "2026-11-21T07:30:15-0500"],
    ["2023-12-04T17:24:18Z", "2026-11-21T12:30:15Z"],
    ["2023-12-04T17:24:18.123Z", "2026-11-21T12:30:15.250Z"],
    ["2023-12-04 17:24:18", "2026-11-21 12:30:15"],
    ["2023-12-04", "2026-11-21"],
    ["not a date", "2026-11-21T12:30:15Z"],
  ])("%s", (template, expected) => {
    expect(formatLike(template, NOW)).toBe(expected);
  });
});

describe("fresh values", () => {
  it("keep the original type and digit count", () => {
    const asNumber = generateFresh("transactionId", 87654321, { now: NOW, rand });
    expect(typeof asNumber).toBe("number");
    expect(String(asNumber as number)).toHaveLength(8);
    const asString = generateFresh("invoiceId", "0123456789", { now: NOW, rand });
    expect(asString).toMatch(/^[1-9]\d{9}$/);
    expect(generateFresh("nextMonth", "2023-01-01", { now: NOW, rand })).toBe("2026-12-21");
  });

  it("share one value across paths with the same generator", () => {
    const body = { transaction: { id: 1111 }, billing: { transaction: { id: 2222 } }, order: { invoice_id: "555" } };
    const { body: out, values } = applyFresh(
      body,
      {
        "transaction.id": "transactionId",
        "billing.transaction.id": "transactionId",
        "order.invoice_id": "invoiceId",
        "missing.path": "orderId",
      },
      { now: NOW, rand },
    );
    expect(getAtPath(out, "transaction.id")).toBe(getAtPath(out, "billing.transaction.id"));
    expect(getAtPath(out, "transaction.id")).not.toBe(1111);
    expect(Object.keys(values).sort()).toEqual(["billing.transaction.id", "order.invoice_id", "transaction.id"]);
    expect(body.transaction.id).toBe(1111);
  });
});

describe("buildPayload over the built-in catalog", () => {
  const fixtures = loadBuiltinFixtures();

  it.each(fixtures.map((f) => [f.id, f] as const))(
    "%s: keep-ids gives the fixture's exact body, fresh changes every fresh path",
    (_id, fixture) => {
      const kept = buildPayload(fixture, { keepIds: true, context: { now: NOW, rand } });
      expect(JSON.parse(kept.bytes.toString("utf8"))).toEqual(fixture.body);
      const fresh = buildPayload(fixture, { context: { now: NOW, rand } });
      for (const [path, value] of Object.entries(fresh.fresh)) {
        expect(getAtPath(fresh.body, path)).toBe(value);
        expect(typeof value).toBe(typeof getAtPath(fixture.body, path));
      }
      expect(Object.keys(fresh.fresh).length).toBe(Object.keys(fixture.meta.fresh).length);
    },
  );

  it("applies merges, then sets in order; the bytes are exactly what gets signed", () => {
    const payment = findFixture(fixtures, "payment");
    const built = buildPayload(payment, {
      keepIds: true,
      format: "compact",
      merges: [{ user: { id: "merged", extra: 1 } }],
      sets: [
        { path: "user.id", value: "set-1" },
        { path: "user.id", value: "set-2" },
      ],
      context: { now: NOW, rand },
    });
    expect(getAtPath(built.body, "user.id")).toBe("set-2");
    expect(getAtPath(built.body, "user.extra")).toBe(1);
    expect(built.bytes.toString("utf8")).toBe(JSON.stringify(built.body));
    expect(signBody(built.bytes, "k")).toBe(signBody(JSON.stringify(built.body), "k"));
    expect(buildPayload(payment, { keepIds: true, context: { now: NOW, rand } }).bytes.toString()).toBe(
      JSON.stringify(payment.body, null, 2),
    );
  });
});

describe("catalog names", () => {
  const fixtures = loadBuiltinFixtures();
  it("finds variants both ways", () => {
    expect(findFixture(fixtures, "order_paid").id).toBe("order_paid");
    expect(findFixture(fixtures, "order_paid", "separate").id).toBe("order_paid.separate");
    expect(findFixture(fixtures, "order_paid.separate").id).toBe("order_paid.separate");
    expect(findFixture(fixtures, "order_paid").body).toHaveProperty("billing");
    expect(findFixture(fixtures, "order_paid.separate").body).not.toHaveProperty("billing");
  });

  it.each([
    ["paymnt", "payment"],
    ["order-paid", "order_paid"],
    ["user_validaton", "user_validation"],
    ["refnd", "refund"],
    ["zzzzzz", undefined],
  ])("suggests %s → %s", (typo, expected) => {
    const types = [...new Set(fixtures.map((f) => f.meta.type))];
    expect(closestName(typo, types)).toBe(expected);
  });

  it("names the closest type in the error", () => {
    expect(() => findFixture(fixtures, "paymnt")).toThrow(/unknown webhook type "paymnt"/);
    expect(() => findFixture(fixtures, "order_paid", "nope")).toThrow(/no variant "nope"/);
  });
});
