// The shipped fixture catalog (fixtures/*.json): every file validates, the catalog is complete, each
// body carries what Xsolla's docs say its type carries, and broken copies are rejected by path.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { bodySchemaFor, resolvePath, validateFixtureFile } from "../../src/core/fixtures/schemas.js";

type Obj = Record<string, unknown>;

const FIXTURES_DIR = new URL("../../fixtures/", import.meta.url);

const EXPECTED_FILES = [
  "user_validation",
  "user_search",
  "payment",
  "refund",
  "partial_refund",
  "order_paid",
  "order_paid.separate",
  "order_canceled",
  "order_canceled.separate",
  "ps_declined",
  "afs_reject",
  "dispute",
  "create_subscription",
  "update_subscription",
  "cancel_subscription",
  "non_renewal_subscription",
  "user_balance_operation",
  "get_pincode",
  "redeem_key",
  "payment_account_add",
  "payment_account_remove",
  "partner_side_catalog",
].map((id) => `${id}.json`);

const RESPONSE_BODY_TYPES = ["user_search", "get_pincode", "partner_side_catalog"];
const RETRY_POLICY: Record<string, string> = {
  order_paid: "order",
  order_canceled: "order",
  payment: "payment",
  refund: "payment",
  partial_refund: "payment",
  user_validation: "none",
  user_search: "none",
  partner_side_catalog: "none",
  get_pincode: "none",
};
const NO_TRANSACTION_TYPES = ["user_validation", "user_search", "partner_side_catalog", "get_pincode"];

function readRaw(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, FIXTURES_DIR), "utf8")) as unknown;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

const files = readdirSync(fileURLToPath(FIXTURES_DIR))
  .filter((f) => f.endsWith(".json"))
  .sort();

interface Loaded {
  file: string;
  meta: Obj;
  body: Obj;
}

const loaded: Loaded[] = files.map((file) => {
  const raw = readRaw(file) as Obj;
  return { file, meta: raw["_meta"] as Obj, body: raw["body"] as Obj };
});

function fixture(file: string): Loaded {
  const found = loaded.find((f) => f.file === file);
  if (!found) throw new Error(`fixture ${file} not found`);
  return found;
}

function at(root: unknown, path: string): unknown {
  return resolvePath(root, path).value;
}

function errorsOf(value: unknown, file: string): string[] {
  const result = validateFixtureFile(value, file);
  return result.ok ? [] : result.errors;
}

/** Every string in a JSON value, with its path. */
function strings(value: unknown, path = ""): Array<[string, string]> {
  if (typeof value === "string") return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, path ? `${path}.${i}` : String(i)));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k));
  }
  return [];
}

describe("fixture catalog: completeness", () => {
  it("ships exactly the 22 expected files", () => {
    expect(files).toEqual([...EXPECTED_FILES].sort());
  });

  it("has a body schema for every shipped type", () => {
    for (const f of loaded) expect(bodySchemaFor(f.meta["type"] as string), f.file).toBeDefined();
  });
});

describe("fixture catalog: every file validates", () => {
  it.each(files)("%s", (file) => {
    const result = validateFixtureFile(readRaw(file), file);
    if (!result.ok) throw new Error(`${file} is invalid:\n  ${result.errors.join("\n  ")}`);
    expect(result.fixture.id).toBe(file.replace(/\.json$/, ""));
    expect(result.fixture.meta.type).toBe(result.fixture.body["notification_type"]);
  });
});

describe("fixture catalog: _meta conventions", () => {
  it.each(files)("%s has the expected success, retryPolicy, variant and source", (file) => {
    const { meta, body } = fixture(file);
    const type = meta["type"] as string;
    expect(body["notification_type"]).toBe(type);
    expect(meta["version"]).toBe(1);

    const success = meta["success"] as Obj;
    if (RESPONSE_BODY_TYPES.includes(type)) {
      expect(success).toEqual({ statuses: [200], documented: 200, responseBody: type });
    } else {
      expect(success).toEqual({ statuses: [200, 201, 204], documented: 204, responseBody: null });
    }

    expect(meta["retryPolicy"]).toBe(RETRY_POLICY[type] ?? "generic");

    if (type === "order_paid" || type === "order_canceled") {
      expect(meta["variant"]).toBe(file.includes(".separate.") ? "separate" : "combined");
    } else {
      expect(meta).not.toHaveProperty("variant");
    }

    expect(meta["source"]).toMatch(/^https:\/\/(developers\.xsolla\.com|xsolla\.redoc(ly\.app|\.ly))\//);
    expect(String(meta["description"]).length).toBeGreaterThan(20);
  });

  it("leaves fresh empty for types that carry no transaction", () => {
    for (const type of NO_TRANSACTION_TYPES) expect(fixture(`${type}.json`).meta["fresh"], type).toEqual({});
  });

  it("gives every payment-family and order fixture a fresh transaction or order id", () => {
    const fresh = (file: string) => fixture(file).meta["fresh"] as Record<string, string>;
    for (const file of ["payment.json", "refund.json", "partial_refund.json", "ps_declined.json", "afs_reject.json", "dispute.json"]) {
      expect(fresh(file)["transaction.id"], file).toBe("transactionId");
    }
    expect(fresh("order_paid.json")).toMatchObject({
      "order.id": "orderId",
      "order.invoice_id": "invoiceId",
      "billing.transaction.id": "transactionId",
      "billing.transaction.payment_date": "now",
    });
    expect(fresh("order_paid.separate.json")).toEqual({ "order.id": "orderId", "order.invoice_id": "invoiceId" });
    expect(fresh("payment.json")["transaction.payment_date"]).toBe("now");
    expect(fresh("user_balance_operation.json")["id_operation"]).toBe("operationId");
    expect(fresh("create_subscription.json")["subscription.subscription_id"]).toBe("subscriptionId");
  });

  it("keeps paths that share a generator of one JSON type", () => {
    for (const { file, meta, body } of loaded) {
      const byGenerator = new Map<string, Set<string>>();
      for (const [path, generator] of Object.entries(meta["fresh"] as Record<string, string>)) {
        const kinds = byGenerator.get(generator) ?? new Set<string>();
        kinds.add(typeof at(body, path));
        byGenerator.set(generator, kinds);
      }
      for (const [generator, kinds] of byGenerator) expect(kinds.size, `${file} ${generator}`).toBe(1);
    }
  });
});

describe("fixture catalog: realistic, documented bodies", () => {
  it("never uses the tester's unknown-user prefix test_xsolla", () => {
    for (const { file, body } of loaded) {
      for (const [path, value] of strings(body)) expect(value.startsWith("test_xsolla"), `${file} ${path}`).toBe(false);
    }
  });

  it("identifies the user with a string id in every body", () => {
    for (const { file, body } of loaded) {
      const type = body["notification_type"];
      const id =
        type === "order_paid" || type === "order_canceled"
          ? at(body, "user.external_id")
          : type === "redeem_key"
            ? at(body, "user_id")
            : type === "partner_side_catalog"
              ? at(body, "user.user_id")
              : at(body, "user.id");
      expect(typeof id, file).toBe("string");
      expect(String(id).length, file).toBeGreaterThan(0);
    }
  });

  it("sends settings as numbers, except ps_declined whose documented sample uses strings", () => {
    for (const { file, body } of loaded) {
      if (body["settings"] === undefined) continue;
      const expected = body["notification_type"] === "ps_declined" ? "string" : "number";
      expect(typeof at(body, "settings.project_id"), file).toBe(expected);
      expect(typeof at(body, "settings.merchant_id"), file).toBe(expected);
    }
    expect(at(fixture("ps_declined.json").body, "settings.project_id")).toBe("18404");
  });

  it("payment: transaction, purchase.total and payment_details as documented", () => {
    const { body } = fixture("payment.json");
    expect(typeof at(body, "transaction.id")).toBe("number");
    expect(at(body, "transaction.dry_run")).toBe(1);
    expect(typeof at(body, "transaction.payment_date")).toBe("string");
    expect(typeof at(body, "transaction.external_id")).toBe("string");
    expect(typeof at(body, "purchase.total.amount")).toBe("number");
    expect(at(body, "purchase.total.currency")).toMatch(/^[A-Z]{3}$/);
    for (const key of [
      "payment",
      "payout",
      "xsolla_fee",
      "payment_method_fee",
      "vat",
      "sales_tax",
      "direct_wht",
      "repatriation_commission",
    ]) {
      expect(at(body, `payment_details.${key}`), key).toMatchObject({ currency: "USD", amount: expect.any(Number) });
    }
    expect(at(body, "payment_details.payout_currency_rate")).toBeDefined();
    expect(at(body, "user.id")).toBe("sample_user_1");
  });

  it("refund and partial_refund: integer refund codes from the documented lists", () => {
    const refund = fixture("refund.json").body;
    expect(at(refund, "transaction.dry_run")).toBe(1);
    const code = at(refund, "refund_details.code");
    expect(Number.isInteger(code)).toBe(true);
    expect(code).toBeGreaterThanOrEqual(1);
    expect(code).toBeLessThanOrEqual(13);
    expect(typeof at(refund, "refund_details.reason")).toBe("string");
    expect(at(refund, "payment_details.payout")).toBeDefined();

    const partial = fixture("partial_refund.json").body;
    expect([1, 3, 5, 7, 9, 10]).toContain(at(partial, "refund_details.code"));
    expect(at(partial, "transaction.dry_run")).toBe(1);
  });

  it("order_paid (combined): billing with payment data, string amounts, sandbox mode", () => {
    const { body } = fixture("order_paid.json");
    expect(at(body, "billing.notification_type")).toBe("payment");
    expect(typeof at(body, "billing.transaction.id")).toBe("number");
    expect(typeof at(body, "billing.transaction.payment_date")).toBe("string");
    expect(at(body, "billing.purchase.total")).toMatchObject({ amount: expect.any(Number), currency: "USD" });
    expect(at(body, "billing.settings")).toEqual({ project_id: 18404, merchant_id: 2340 });
    expect(at(body, "billing.payment_details.payout")).toBeDefined();
    expect(typeof at(body, "items.0.amount")).toBe("string");
    expect(typeof at(body, "order.amount")).toBe("string");
    expect(at(body, "order.mode")).toBe("sandbox");
    expect(at(body, "order.status")).toBe("paid");
    expect(typeof at(body, "order.id")).toBe("number");
    expect(typeof at(body, "user.external_id")).toBe("string");
    expect(at(body, "user.id")).toBeUndefined();
  });

  it("order totals add up to the item amounts", () => {
    for (const file of ["order_paid.json", "order_paid.separate.json", "order_canceled.json", "order_canceled.separate.json"]) {
      const { body } = fixture(file);
      const items = body["items"] as Obj[];
      const sum = items.reduce((total, item) => total + Number(item["amount"]), 0);
      expect(sum.toFixed(2), file).toBe(Number(at(body, "order.amount")).toFixed(2));
    }
  });

  it("separate order webhooks have no billing; combined ones do", () => {
    expect(fixture("order_paid.separate.json").body).not.toHaveProperty("billing");
    expect(fixture("order_canceled.separate.json").body).not.toHaveProperty("billing");
    expect(at(fixture("order_canceled.json").body, "billing.transaction.id")).toEqual(expect.any(Number));
    expect(at(fixture("order_canceled.json").body, "billing.refund_details.code")).toEqual(expect.any(Number));
    expect(typeof at(fixture("order_paid.separate.json").body, "items.0.amount")).toBe("string");
    expect(at(fixture("order_canceled.separate.json").body, "order.mode")).toBe("sandbox");
  });

  it("ps_declined keeps its documented string numbers", () => {
    const { body } = fixture("ps_declined.json");
    expect(typeof at(body, "transaction.id")).toBe("string");
    expect(at(body, "transaction.dry_run")).toBe("1");
    expect(typeof at(body, "refund_details.code")).toBe("string");
    expect(typeof at(body, "refund_details.reason_detail")).toBe("string");
  });

  it("dispute, subscriptions, balance, keys, accounts and catalog carry their key fields", () => {
    const dispute = fixture("dispute.json").body;
    expect(["adding", "updating"]).toContain(dispute["action"]);
    expect(at(dispute, "transaction.total")).toMatchObject({ amount: expect.any(Number), currency: expect.any(String) });
    expect(at(dispute, "dispute")).toMatchObject({
      incoming_date: expect.any(String),
      reason: expect.any(String),
      type: expect.any(String),
      status: "new",
    });

    for (const type of ["create_subscription", "update_subscription", "cancel_subscription", "non_renewal_subscription"]) {
      expect(at(fixture(`${type}.json`).body, "subscription.subscription_id"), type).toBeDefined();
      expect(at(fixture(`${type}.json`).body, "subscription.plan_id"), type).toEqual(expect.any(String));
    }
    expect(at(fixture("cancel_subscription.json").body, "subscription.date_end")).toEqual(expect.any(String));
    expect(at(fixture("non_renewal_subscription.json").body, "subscription.amount")).toEqual(expect.any(Number));

    const balance = fixture("user_balance_operation.json").body;
    for (const key of ["old_value", "new_value", "diff"]) {
      expect(typeof at(balance, `virtual_currency_balance.${key}`), key).toBe("string");
    }
    expect(balance["operation_type"]).toBe("inGamePurchase");

    expect(at(fixture("get_pincode.json").body, "pin_code")).toMatchObject({
      digital_content: expect.any(String),
      DRM: expect.any(String),
    });
    expect(fixture("redeem_key.json").body).toMatchObject({
      key: expect.any(String),
      sku: expect.any(String),
      user_id: expect.any(String),
    });
    for (const type of ["payment_account_add", "payment_account_remove"]) {
      expect(at(fixture(`${type}.json`).body, "payment_account.id"), type).toEqual(expect.any(String));
    }
    expect(at(fixture("partner_side_catalog.json").body, "user.user_id")).toEqual(expect.any(String));
  });
});

describe("validateFixtureFile rejects broken fixtures, naming the path", () => {
  const payment = readRaw("payment.json") as Obj;

  it("a payment without transaction", () => {
    const broken = clone(payment);
    delete (broken["body"] as Obj)["transaction"];
    const errors = errorsOf(broken, "payment.json");
    expect(errors).toContainEqual(expect.stringMatching(/^body\.transaction: missing/));
  });

  it("a transaction id that is not a number", () => {
    const broken = clone(payment);
    ((broken["body"] as Obj)["transaction"] as Obj)["id"] = "abc";
    expect(errorsOf(broken, "payment.json")).toContain("body.transaction.id: expected number or numeric string");
  });

  it("a user id that is not a string", () => {
    const broken = clone(payment);
    ((broken["body"] as Obj)["user"] as Obj)["id"] = 42;
    expect(errorsOf(broken, "payment.json")).toContainEqual(expect.stringMatching(/^body\.user\.id: expected string, got number 42/));
  });

  it("_meta.type that does not match body.notification_type", () => {
    const broken = clone(payment);
    (broken["_meta"] as Obj)["type"] = "refund";
    const errors = errorsOf(broken, "refund.json");
    expect(errors).toContain('_meta.type: "refund" does not match body.notification_type "payment"');
  });

  it("a file name that does not match the type", () => {
    const errors = errorsOf(clone(payment), "refund.json");
    expect(errors).toContainEqual(expect.stringMatching(/^\(file\): name "refund\.json" does not match _meta\.type "payment"/));
    expect(errorsOf(clone(payment), "/some/dir/payment.json")).toEqual([]);
  });

  it("a variant file name without the matching _meta.variant", () => {
    const separate = readRaw("order_paid.separate.json") as Obj;
    expect(errorsOf(separate, "order_paid.separate.json")).toEqual([]);
    expect(errorsOf(separate, "order_paid.json")).toEqual([]);
    expect(errorsOf(separate, "order_paid.split.json")).toContainEqual(
      expect.stringMatching(/^_meta\.variant: "separate" does not match the file name/),
    );
    expect(errorsOf(clone(payment), "payment.sandbox.json")).toContainEqual(expect.stringMatching(/^_meta\.variant: missing/));
  });

  it("a fresh path that is not in the body", () => {
    const broken = clone(payment);
    ((broken["_meta"] as Obj)["fresh"] as Obj)["transaction.nope"] = "transactionId";
    expect(errorsOf(broken, "payment.json")).toContainEqual(
      expect.stringMatching(/^_meta\.fresh\.transaction\.nope: path not found in body/),
    );
  });

  it("a fresh date path that does not hold a date", () => {
    const broken = clone(payment);
    ((broken["_meta"] as Obj)["fresh"] as Obj)["user.name"] = "now";
    expect(errorsOf(broken, "payment.json")).toContainEqual(expect.stringMatching(/^_meta\.fresh\.user\.name: now needs a date string/));
  });

  it("an unknown generator, retry policy, or meta key", () => {
    const broken = clone(payment);
    const meta = broken["_meta"] as Obj;
    (meta["fresh"] as Obj)["transaction.id"] = "uuid";
    meta["retryPolicy"] = "forever";
    meta["retry_policy"] = "payment";
    const errors = errorsOf(broken, "payment.json");
    expect(errors).toContainEqual(expect.stringMatching(/^_meta\.fresh\.transaction\.id: expected /));
    expect(errors).toContainEqual(expect.stringMatching(/^_meta\.retryPolicy: expected "order" or "payment"/));
    expect(errors).toContainEqual(expect.stringMatching(/^_meta: unknown key "retry_policy"/));
  });

  it("a documented status that is not among the success statuses", () => {
    const broken = clone(payment);
    ((broken["_meta"] as Obj)["success"] as Obj)["documented"] = 202;
    expect(errorsOf(broken, "payment.json")).toContain("_meta.success.documented: documented status must be one of statuses");
  });

  it("an order item amount sent as a JSON number", () => {
    const broken = clone(readRaw("order_paid.json")) as Obj;
    (((broken["body"] as Obj)["items"] as Obj[])[0] as Obj)["amount"] = 4.99;
    expect(errorsOf(broken, "order_paid.json")).toContainEqual(
      expect.stringMatching(/^body\.items\.0\.amount: expected string, got number 4\.99/),
    );
  });

  it("a combined order without billing, and a separate one with billing", () => {
    const combined = clone(readRaw("order_paid.json")) as Obj;
    delete (combined["body"] as Obj)["billing"];
    expect(errorsOf(combined, "order_paid.json")).toContainEqual(expect.stringMatching(/^body\.billing: missing/));

    const separate = clone(readRaw("order_paid.separate.json")) as Obj;
    (separate["body"] as Obj)["billing"] = (readRaw("order_paid.json") as { body: Obj }).body["billing"];
    expect(errorsOf(separate, "order_paid.separate.json")).toContainEqual(expect.stringMatching(/^body\.billing: present/));
  });

  it("a combined order whose billing lacks a transaction id", () => {
    const broken = clone(readRaw("order_paid.json")) as Obj;
    delete (((broken["body"] as Obj)["billing"] as Obj)["transaction"] as Obj)["id"];
    expect(errorsOf(broken, "order_paid.json")).toContainEqual(expect.stringMatching(/^body\.billing\.transaction\.id: missing/));
  });

  it("a refund without refund_details.code, and a dispute with an unknown action", () => {
    const refund = clone(readRaw("refund.json")) as Obj;
    delete ((refund["body"] as Obj)["refund_details"] as Obj)["code"];
    expect(errorsOf(refund, "refund.json")).toContainEqual(expect.stringMatching(/^body\.refund_details\.code: missing/));

    const dispute = clone(readRaw("dispute.json")) as Obj;
    (dispute["body"] as Obj)["action"] = "closing";
    expect(errorsOf(dispute, "dispute.json")).toContainEqual(expect.stringMatching(/^body\.action: expected "adding" or "updating"/));
  });

  it("something that is not a fixture at all", () => {
    expect(errorsOf([], "payment.json")).toEqual([expect.stringMatching(/^\(root\): expected an object/)]);
    expect(errorsOf({ _meta: payment["_meta"] as Obj }, "payment.json")).toContainEqual(expect.stringMatching(/^body: missing/));
    expect(errorsOf({ ...clone(payment), extra: 1 }, "payment.json")).toContain('(root): unknown key "extra"');
  });

  it("accepts Xsolla's number-or-string leniency and extra body fields", () => {
    const relaxed = clone(payment);
    const body = relaxed["body"] as Obj;
    body["settings"] = { project_id: "18404", merchant_id: "2340" };
    (body["transaction"] as Obj)["id"] = "1048275613";
    (body["transaction"] as Obj)["dry_run"] = "1";
    body["payment_account"] = { id: "123", name: "4111 11** **** 1111" };
    expect(errorsOf(relaxed, "payment.json")).toEqual([]);
  });

  it("accepts an unknown type from a user's own directory without body checks", () => {
    const custom = {
      _meta: {
        version: 1,
        type: "my_custom_event",
        description: "A webhook type this catalog does not know.",
        success: { statuses: [200, 201, 204], documented: 204, responseBody: null },
        retryPolicy: "generic",
        fresh: { "payload.id": "transactionId" },
        source: "./my-fixtures/my_custom_event.json",
      },
      body: { notification_type: "my_custom_event", payload: { id: 7 } },
    };
    const result = validateFixtureFile(custom, "my_custom_event.json");
    expect(result).toMatchObject({ ok: true, fixture: { id: "my_custom_event", body: { payload: { id: 7 } } } });
  });
});
