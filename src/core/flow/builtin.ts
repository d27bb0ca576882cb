// The built-in flows, and the values one run's webhooks share (its "story"). Facts come from
// docs/xsolla-contract.md; where Xsolla publishes no sequence, `basis` says MODEL.
import { formatLike } from "../fixtures/fresh.js";
import { getAtPath, type Json, type SetOverride } from "../fixtures/overrides.js";
import type { FlowDefinition, FlowMode, FlowStepSpec, FlowStory, StepValue } from "./types.js";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** When each event of the story happens, from the checkout on. */
export const STORY_TIMES = {
  paid: MINUTE,
  refunded: 2 * DAY,
  renewed: 30 * DAY,
  nextCharge: 30 * DAY,
  secondCharge: 60 * DAY,
} as const;

export interface StoryRandom {
  now: number;
  /** Uniform in [0, 1). */
  rand: () => number;
}

function digits(count: number, rand: () => number): string {
  let out = String(1 + Math.floor(rand() * 9));
  while (out.length < count) out += String(Math.floor(rand() * 10));
  return out;
}

/** Fresh ids for one run, so a handler's idempotency check does not swallow the next run's purchase. */
export function createStory(random: StoryRandom, users: { user?: string | undefined; unknownUser?: string | undefined } = {}): FlowStory {
  const transactionId = Number(digits(10, random.rand));
  return {
    userId: users.user ?? "sample_user_1",
    // An ordinary-looking id: a handler must look users up, not special-case a tester's prefix.
    unknownUserId: users.unknownUser ?? `player_${digits(12, random.rand)}`,
    transactionId,
    renewalTransactionId: Number(digits(10, random.rand)),
    orderId: Number(digits(8, random.rand)),
    invoiceId: String(transactionId),
    subscriptionId: digits(8, random.rand),
    startAt: random.now,
  };
}

/**
 * The story's values for a body of this type, for the paths the body has: who, which transaction, which order,
 * when. Built-in and custom flows both start here, so every step of one run agrees.
 */
export function storySets(type: string, body: Json, story: FlowStory): SetOverride[] {
  const sets: SetOverride[] = [];
  const put = (path: string, value: Json) => {
    if (getAtPath(body, path) !== undefined) sets.push({ path, value });
  };
  const date = (path: string, offsetMs: number) => {
    const original = getAtPath(body, path);
    if (typeof original === "string") sets.push({ path, value: formatLike(original, story.startAt + offsetMs) });
  };
  put("user.id", story.userId);
  put("user.external_id", story.userId);
  const external = `flow-${story.orderId}`;
  for (const prefix of ["", "billing."]) {
    put(`${prefix}transaction.id`, story.transactionId);
    put(`${prefix}transaction.external_id`, external);
    date(`${prefix}transaction.payment_date`, STORY_TIMES.paid);
  }
  put("order.id", story.orderId);
  put("order.invoice_id", story.invoiceId);
  if (type === "partial_refund") date("transaction.date", STORY_TIMES.refunded);
  for (const prefix of ["subscription.", "purchase.subscription.", "billing.purchase.subscription."]) {
    put(`${prefix}subscription_id`, story.subscriptionId);
    date(`${prefix}date_create`, 0);
    date(`${prefix}date_next_charge`, STORY_TIMES.nextCharge);
  }
  return sets;
}

const VALIDATIONS: readonly [string, string][] = [
  ["validate-1", "user check as the payment method is chosen"],
  ["validate-2", "user check as the payment form is filled in"],
  ["validate-3", 'user check on "Pay now"'],
];

/**
 * A separate-mode payment (or refund) for a store order names that order and its items under purchase.order, as
 * Xsolla's own SDK reads them (docs/xsolla-contract.md §5): the same order and items as the order_paid that follows.
 */
function orderOfPayment(story: FlowStory): Record<string, StepValue> {
  const price = (amount: number) => ({ amount, currency: "USD" });
  return {
    "purchase.order": {
      id: story.orderId,
      lineitems: [
        { sku: "crystal_sword", quantity: 1, price: price(4.99), price_before_discount: price(5.99) },
        { sku: "gold_pack_500", quantity: 1, price: price(5), price_before_discount: price(5) },
      ],
    },
  };
}

function purchaseSteps(mode: FlowMode, story: FlowStory): FlowStepSpec[] {
  const checks: FlowStepSpec[] = VALIDATIONS.map(([id, title]) => ({ id, fixture: "user_validation", title, effect: "none" }));
  // A store order carries no subscription block (the fixtures keep the one from Xsolla's documented sample).
  if (mode === "combined")
    return [
      ...checks,
      {
        id: "order_paid",
        fixture: "order_paid",
        title: "the order is paid: items to grant, payment data under billing",
        effect: "grant",
        drop: ["billing.purchase.subscription"],
      },
    ];
  return [
    ...checks,
    {
      id: "payment",
      fixture: "payment",
      title: "the payment went through: the transaction, naming the order",
      effect: "grant",
      drop: ["purchase.subscription"],
      sets: orderOfPayment(story),
    },
    { id: "order_paid", fixture: "order_paid.separate", title: "the same purchase as an order: the items to grant", effect: "grant" },
  ];
}

function refundSteps(mode: FlowMode, story: FlowStory): FlowStepSpec[] {
  if (mode === "combined")
    return [
      {
        id: "order_canceled",
        fixture: "order_canceled",
        title: "the order is cancelled: take back what it granted (refund data under billing)",
        effect: "revoke",
        drop: ["billing.purchase.subscription"],
      },
    ];
  return [
    {
      id: "refund",
      fixture: "refund",
      title: "the payment is refunded: the transaction, naming the order",
      effect: "revoke",
      drop: ["purchase.subscription"],
      sets: orderOfPayment(story),
    },
    {
      id: "order_canceled",
      fixture: "order_canceled.separate",
      title: "the same refund as an order: the items to take back",
      effect: "revoke",
    },
  ];
}

const ORDER_BASIS =
  "Documented: user_validation is sent several times during checkout and never resent; combined accounts (since 2025-01-22) get order_paid/order_canceled with billing, older accounts get payment then order_paid and refund then order_canceled. Inferred: order.invoice_id is the payment's transaction.id; a separate-mode payment or refund for a store order names it under purchase.order {id, lineitems} (the field Xsolla's Unity SDK reads).";

export const BUILTIN_FLOWS: readonly FlowDefinition[] = [
  {
    name: "purchase",
    summary:
      "user_validation three times as during checkout, then order_paid with billing (combined) or payment then order_paid (separate)",
    modal: true,
    custom: false,
    basis: `${ORDER_BASIS} MODEL: three user checks (Xsolla names four moments; how many arrive varies).`,
    steps: (mode, story) => purchaseSteps(mode, story),
  },
  {
    name: "refund",
    summary:
      "a purchase, then order_canceled with billing (combined) or refund then order_canceled (separate); must take back the purchase",
    modal: true,
    custom: false,
    basis: `${ORDER_BASIS} Inferred: combined accounts get no separate refund webhook, as they get no separate payment.`,
    steps: (mode, story) => [...purchaseSteps(mode, story), ...refundSteps(mode, story)],
  },
  {
    name: "partial-refund",
    summary: "a purchase, then partial_refund of the gold pack (5.00 of 9.99); must take back part of the purchase",
    modal: true,
    custom: false,
    basis: `${ORDER_BASIS} MODEL: Xsolla publishes no partial_refund sample and does not say whether an order webhook follows it; this flow sends partial_refund alone, for the purchase's transaction.id.`,
    steps: (mode, story) => [
      ...purchaseSteps(mode, story),
      {
        id: "partial_refund",
        fixture: "partial_refund",
        title: "part of the payment is refunded: take back that part",
        effect: "partial",
        drop: ["purchase.subscription"],
      },
    ],
  },
  {
    name: "failed-validation",
    summary: "user_validation for a known user, then for an unknown one: it must be refused with INVALID_USER, and nothing else is sent",
    modal: false,
    custom: false,
    basis:
      "Documented: a refused user_validation is never resent; the user sees an error and payment/order_paid are not sent. The known-user check first shows the handler accepts validations at all, so a handler that refuses everyone cannot pass.",
    steps: (_mode, story) => [
      { id: "validate-known", fixture: "user_validation", title: "user check for the player (--user)", effect: "none" },
      {
        id: "validate-unknown",
        fixture: "user_validation",
        title: `user check for a user the game does not have (${story.unknownUserId})`,
        effect: "none",
        sets: { "user.id": story.unknownUserId },
        rejection: "INVALID_USER",
        dependsOn: "validate-known",
      },
    ],
  },
  {
    name: "subscription",
    summary: "create_subscription, a renewal (payment + update_subscription) a month later, then cancel_subscription",
    modal: false,
    custom: false,
    basis:
      "Documented: update_subscription is sent on every renewal. MODEL: the order (payment before update_subscription) and the dates (30-day trial, renewal at +30 d, access ending at +60 d after the cancellation); the renewal's payment webhook is the separate-mode one.",
    steps: (_mode, story) => [
      {
        id: "create",
        fixture: "create_subscription",
        title: "the subscription is created (30-day trial)",
        effect: "unjudged",
        drop: ["subscription.is_gift"],
      },
      {
        id: "renewal-payment",
        fixture: "payment",
        title: "the first charge after the trial: a payment for the subscription",
        effect: "unjudged",
        sets: {
          "transaction.id": story.renewalTransactionId,
          "transaction.payment_date": dateAt(story.startAt + STORY_TIMES.renewed),
          "purchase.subscription.date_next_charge": dateAt(story.startAt + STORY_TIMES.secondCharge),
        },
      },
      {
        id: "renewal-update",
        fixture: "update_subscription",
        title: "the subscription renewed: next charge a month on",
        effect: "unjudged",
        sets: { "subscription.date_next_charge": dateAt(story.startAt + STORY_TIMES.secondCharge) },
      },
      {
        id: "cancel",
        fixture: "cancel_subscription",
        title: "the subscription is cancelled: access ends at the end of the paid month",
        effect: "unjudged",
        sets: { "subscription.date_end": dateAt(story.startAt + STORY_TIMES.secondCharge) },
      },
    ],
  },
  {
    name: "non-renewal",
    summary: "create_subscription, then non_renewal_subscription: access stays until date_next_charge",
    modal: false,
    custom: false,
    basis:
      "Documented: non_renewal_subscription is sent when a subscription is set not to renew (enabled through your CSM). MODEL: the dates.",
    steps: () => [
      {
        id: "create",
        fixture: "create_subscription",
        title: "the subscription is created (30-day trial)",
        effect: "unjudged",
        drop: ["subscription.is_gift"],
      },
      {
        id: "non-renewal",
        fixture: "non_renewal_subscription",
        title: "the user turned renewal off: access until date_next_charge",
        effect: "unjudged",
      },
    ],
  },
];

/** A date for a step's sets, written like the fixtures' dates ("2025-06-12T14:03:25+03:00"). */
function dateAt(instant: number): string {
  return formatLike("2025-06-12T14:03:25+03:00", instant);
}

/** `non_renewal` is accepted for `non-renewal`: Xsolla's type names use underscores. */
export function findBuiltinFlow(name: string): FlowDefinition | undefined {
  const wanted = name.replaceAll("_", "-");
  return BUILTIN_FLOWS.find((f) => f.name === wanted);
}
