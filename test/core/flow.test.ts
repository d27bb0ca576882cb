// Flow planning and the state-probe verdicts, pure: the story's values across steps, perturbations,
// `from` references, and what readings mean. Sending is tested end to end in test/e2e/flow.test.ts.
import { describe, expect, it } from "vitest";
import { loadBuiltinFixtures } from "../../src/adapters/fixtures-fs.js";
import { BUILTIN_FLOWS, createStory, findBuiltinFlow } from "../../src/core/flow/builtin.js";
import { customFlowDefinitions } from "../../src/core/flow/custom.js";
import { judgeEffects } from "../../src/core/flow/judge.js";
import { planFlow, type FlowPlan } from "../../src/core/flow/plan.js";
import type { FlowDefinition, FlowMode, Perturbations } from "../../src/core/flow/types.js";

const fixtures = loadBuiltinFixtures();
const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);
let seed = 1;
const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
const none: Perturbations = { duplicate: [], concurrent: [], swap: [], retry: false };

function plan(
  definition: FlowDefinition | string,
  mode: FlowMode = "combined",
  perturbations: Partial<Perturbations> = {},
  stateProbe = false,
) {
  const flow = typeof definition === "string" ? (findBuiltinFlow(definition) as FlowDefinition) : definition;
  return planFlow({
    definition: flow,
    mode,
    story: createStory({ now: NOW, rand }),
    perturbations: { ...none, ...perturbations },
    fixtures,
    fresh: { now: NOW, rand },
    stateProbe,
  });
}
const ids = (p: FlowPlan) => p.groups.flatMap((g) => g.deliveries.map((d) => d.id));
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read whatever JSON a step built
const body = (p: FlowPlan, id: string) => p.groups.flatMap((g) => g.deliveries).find((d) => d.id === id)?.body as Record<string, any>;

describe("one story across a flow's steps", () => {
  it("refund, separate: the user, transaction, invoice and order agree in every webhook; no subscription block", () => {
    const p = plan("refund", "separate");
    const { story } = p;
    expect(ids(p)).toEqual(["validate-1", "validate-2", "validate-3", "payment", "order_paid", "refund", "order_canceled"]);
    for (const id of ["validate-1", "payment", "refund"]) expect(body(p, id).user.id).toBe(story.userId);
    for (const id of ["order_paid", "order_canceled"]) {
      expect(body(p, id).user.external_id).toBe(story.userId);
      expect(body(p, id).order).toMatchObject({ id: story.orderId, invoice_id: String(story.transactionId) });
    }
    expect(body(p, "payment").transaction.id).toBe(story.transactionId);
    expect(body(p, "refund").transaction.id).toBe(story.transactionId);
    expect(body(p, "payment").purchase.subscription).toBeUndefined();
  });

  it("combined purchase and partial refund: billing carries the transaction; the refund is dated after the payment", () => {
    const p = plan("partial-refund");
    const paid = body(p, "order_paid");
    expect(paid.billing.transaction.id).toBe(p.story.transactionId);
    expect(paid.billing.purchase.subscription).toBeUndefined();
    expect(body(p, "partial_refund").transaction.id).toBe(p.story.transactionId);
    expect(Date.parse(String(body(p, "partial_refund").transaction.date))).toBeGreaterThan(
      Date.parse(String(paid.billing.transaction.payment_date)),
    );
  });

  it("subscription: one subscription id; the renewal charge has its own transaction, dated a month on", () => {
    const p = plan("subscription");
    const subscriptionIds = ["create", "renewal-update", "cancel"].map((id) => body(p, id).subscription.subscription_id);
    expect(new Set([...subscriptionIds, body(p, "renewal-payment").purchase.subscription.subscription_id])).toEqual(
      new Set([p.story.subscriptionId]),
    );
    expect(body(p, "renewal-payment").transaction.id).toBe(p.story.renewalTransactionId);
    const created = Date.parse(String(body(p, "create").subscription.date_create));
    expect(Date.parse(String(body(p, "renewal-payment").transaction.payment_date)) - created).toBe(30 * 86_400_000);
    expect(body(p, "create").subscription.is_gift).toBeUndefined();
  });

  it("failed-validation asks about an unknown user second, and only if the known one was answered", () => {
    const p = plan("failed-validation");
    expect(body(p, "validate-unknown").user.id).toBe(p.story.unknownUserId);
    expect(p.steps[1]).toMatchObject({ rejection: "INVALID_USER", dependsOn: "validate-known" });
  });
});

describe("perturbations", () => {
  it("swap, duplicate and stop-after reorder, repeat and cut; a concurrent grant gets a control only with a probe", () => {
    const p = plan("refund", "separate", { swap: [["payment", "order_paid"]], duplicate: ["refund"], stopAfter: "refund" });
    expect(ids(p)).toEqual(["validate-1", "validate-2", "validate-3", "order_paid", "payment", "refund", "refund:duplicate"]);
    expect(body(p, "refund:duplicate")).toEqual(body(p, "refund"));
    expect(p.perturbations).toEqual(["--duplicate refund", "--swap payment,order_paid", "--stop-after refund"]);

    const blind = plan("purchase", "combined", { concurrent: ["order_paid"] });
    expect(blind.groups.at(-1)?.deliveries.map((d) => d.id)).toEqual(["order_paid", "order_paid:concurrent"]);
    const probed = plan("purchase", "combined", { concurrent: ["order_paid"] }, true);
    expect(ids(probed)[0]).toBe("order_paid:control");
    expect(body(probed, "order_paid:control").order.id).not.toBe(body(probed, "order_paid").order.id);
  });

  it("refuses step names the flow does not have, and one step both duplicated and concurrent", () => {
    expect(() => plan("purchase", "separate", { duplicate: ["paymnet"] })).toThrow(/--duplicate: flow purchase has no step "paymnet"/);
    expect(() => plan("purchase", "combined", { swap: [["order_paid", "order_paid"]] })).toThrow(/two different steps/);
    expect(() => plan("purchase", "combined", { duplicate: ["order_paid"], concurrent: ["order_paid"] })).toThrow(/pick one per step/);
    expect(() => plan("purchase", "combined", { duplicate: ["order_paid"], stopAfter: "validate-2" })).toThrow(/never sent/);
  });
});

describe("custom flows", () => {
  const custom = (steps: unknown[]) => customFlowDefinitions({ mine: { steps } as never })[0] as FlowDefinition;

  it("take the story's values, then their own sets and `from` references to earlier steps", () => {
    const p = plan(
      custom([
        { id: "buy", type: "payment", set: { "purchase.total.amount": 1.5 } },
        { id: "undo", type: "refund", set: { "purchase.total": { from: "buy.purchase.total" } } },
      ]),
    );
    expect(body(p, "undo").purchase.total.amount).toBe(1.5);
    expect(body(p, "undo").transaction.id).toBe(body(p, "buy").transaction.id);
    expect(p.steps.map((s) => s.effect)).toEqual(["grant", "revoke"]);
  });

  it("refuse references forward or to nothing, repeated ids, and a built-in name", () => {
    expect(() =>
      plan(
        custom([
          { id: "a", type: "refund", set: { x: { from: "b.transaction.id" } } },
          { id: "b", type: "payment" },
        ]),
      ),
    ).toThrow(/"b" is not an earlier step/);
    expect(() =>
      plan(
        custom([
          { id: "a", type: "payment" },
          { id: "b", type: "refund", set: { x: { from: "a.nothing.here" } } },
        ]),
      ),
    ).toThrow(/step a's body has no nothing.here/);
    expect(() => plan(custom([{ type: "payment" }, { type: "payment" }]))).toThrow(/two steps are called "payment"/);
    expect(() => plan(custom([{ id: "x", type: "paymnet" }]))).toThrow(/flow mine step x: unknown webhook type "paymnet"/);
    expect(() => customFlowDefinitions({ refund: { steps: [{ type: "payment" }] } })).toThrow(/"refund" is a built-in flow/);
  });
});

describe("what the state probe's readings mean", () => {
  const refund = plan("refund", "separate", { duplicate: ["refund"] });
  // Groups: validate ×3, payment, order_paid, refund, refund:duplicate, order_canceled → 9 readings.
  const verdicts = (readings: string[]) => judgeEffects(refund, readings);

  it("a purchase granted once and a refund that takes it back pass", () => {
    const v = verdicts(["0", "0", "0", "0", "0", "5", "0", "0", "0"]);
    expect([...v.values()].every((x) => x.ok)).toBe(true);
    expect(v.get("order_canceled")?.message).toMatch(/took back the purchase/);
  });

  it("nothing granted, a duplicate that counts, a refund that takes back too much: each named at its step", () => {
    expect(verdicts(["0", "0", "0", "0", "0", "0", "0", "0", "0"]).get("order_paid")).toMatchObject({
      ok: false,
      message: expect.stringMatching(/the purchase did not change the state/),
    });
    const v = verdicts(["0", "0", "0", "0", "0", "5", "0", "-5", "-5"]);
    expect(v.get("refund:duplicate")).toMatchObject({ ok: false, message: expect.stringMatching(/processed refund twice/) });
    expect(v.get("order_canceled")?.message).toMatch(/took back more than the purchase granted/);
    expect(verdicts(["0", "1", "1", "1", "1", "2", "1", "1", "1"]).get("validate-1")?.message).toMatch(/a user check must change nothing/);
  });

  it("every built-in flow plans in both modes", () => {
    for (const flow of BUILTIN_FLOWS)
      for (const mode of ["combined", "separate"] as const) expect(plan(flow, mode).groups.length).toBeGreaterThan(0);
  });
});
