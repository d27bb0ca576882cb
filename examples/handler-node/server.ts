// A minimal, correct Xsolla webhook handler on plain node:http. Copy it and replace the in-memory tables with your
// database. It passes `xsolla-hooks test --strict --types all` with the state probe (see README.md next to it).
//
// Run:  XSOLLA_WEBHOOK_SECRET=... npx tsx server.ts        (or `node server.ts` on Node 22.18+ / 24)
// Env:  PORT (default 3000; 0 picks a free port), HOST (default 127.0.0.1), KNOWN_USERS (extra user ids, comma-separated)
//
// What a correct handler does, and where real ones break:
// 1. Verify the signature over the raw body bytes, before parsing, in constant time (xsolla-hooks/verify).
// 2. Answer 400 with {"error":{"code","message"}} and a JSON content type for every rejection.
// 3. Grant once per transaction: Xsolla resends until it gets a 2xx, and may send the same webhook twice at once.
// 4. Take back what a refund or a canceled order refers to; a partial refund takes back part of it.
// 5. Answer fast (Xsolla's recommendation: within 3 s) and 2xx for types you do not handle, or Xsolla retries for hours.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import { verifyXsollaSignature, xsollaErrorBody } from "xsolla-hooks/verify";
import type {
  OrderCanceledWebhook,
  OrderPaidWebhook,
  PartialRefundWebhook,
  PaymentWebhook,
  RefundWebhook,
  XsollaWebhook,
} from "xsolla-hooks/types";

const SECRET = process.env.XSOLLA_WEBHOOK_SECRET ?? "";
if (SECRET === "") {
  console.error("error: set XSOLLA_WEBHOOK_SECRET to your project's webhook secret");
  process.exit(2);
}
const BODY_LIMIT = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// The game's state. In production these are tables, and step 3 is a unique constraint on the grant key.

interface Grant {
  /** "payment:<transaction id>" or "order:<order id>": one grant per key, ever. */
  key: string;
  userId: string;
  transactionId: string | null;
  orderId: string | null;
  /** What was paid and what was refunded so far, in cents. */
  paidCents: number;
  refundedCents: number;
  gems: number;
  items: Record<string, number>;
  /** False for a payment whose items come with its order_paid (separate webhooks). */
  grantsSomething: boolean;
  status: "granted" | "partially_refunded" | "refunded" | "canceled";
}

interface Subscription {
  planId: string | null;
  status: "active" | "non_renewing" | "canceled";
  nextCharge: string | null;
  endsAt: string | null;
}

interface Account {
  gems: number;
  inventory: Record<string, number>;
  subscriptions: Record<string, Subscription>;
}

const accounts = new Map<string, Account>();
for (const id of ["sample_user_1", ...(process.env.KNOWN_USERS ?? "").split(",")].map((s) => s.trim()).filter(Boolean)) {
  accounts.set(id, { gems: 0, inventory: {}, subscriptions: {} });
}
const grants = new Map<string, Grant>();
/** Refunds by the exact bytes received: a redelivery is byte-identical, a second partial refund is not. */
const refundsSeen = new Set<string>();

// No constructor parameter properties: Node's type stripping (node server.ts) runs only erasable TypeScript.
class Rejection extends Error {
  readonly code: "INVALID_USER" | "INVALID_PARAMETER";
  constructor(code: "INVALID_USER" | "INVALID_PARAMETER", message: string) {
    super(message);
    this.code = code;
  }
}

function accountOf(userId: string | undefined | null): Account {
  const account = userId ? accounts.get(userId) : undefined;
  if (!account) throw new Rejection("INVALID_USER", "user not found");
  return account;
}

const cents = (amount: number | string | undefined): number => Math.round(Number(amount ?? 0) * 100);
const idOf = (id: number | string | null | undefined): string | null => (id === undefined || id === null ? null : String(id));

function addItems(account: Account, items: Record<string, number>, sign: 1 | -1): void {
  for (const [sku, quantity] of Object.entries(items)) {
    account.inventory[sku] = Math.max(0, (account.inventory[sku] ?? 0) + sign * quantity);
  }
}

// ---------------------------------------------------------------------------------------------
// Grants and take-backs

function grantPayment(webhook: PaymentWebhook): void {
  const account = accountOf(webhook.user.id);
  const key = `payment:${String(webhook.transaction.id)}`;
  if (grants.has(key)) return; // a redelivery: already granted, answer the same 204
  // A payment for a store order (separate webhooks): the items come with order_paid; grant nothing twice.
  const forOrder = webhook.purchase?.order?.id !== undefined;
  const paidCents = cents(webhook.payment_details.payment?.amount);
  const gems = forOrder ? 0 : paidCents; // this game: 1 gem per cent paid
  grants.set(key, {
    key,
    userId: webhook.user.id,
    transactionId: String(webhook.transaction.id),
    orderId: idOf(webhook.purchase?.order?.id),
    paidCents,
    refundedCents: 0,
    gems,
    items: {},
    grantsSomething: !forOrder,
    status: "granted",
  });
  account.gems += gems;
  const subscription = webhook.purchase?.subscription;
  if (subscription?.subscription_id !== undefined) {
    account.subscriptions[String(subscription.subscription_id)] = {
      planId: subscription.plan_id ?? null,
      status: "active",
      nextCharge: null,
      endsAt: null,
    };
  }
}

function grantOrder(webhook: OrderPaidWebhook): void {
  const account = accountOf(webhook.user.external_id);
  const key = `order:${String(webhook.order.id)}`;
  if (grants.has(key)) return;
  const items: Record<string, number> = {};
  for (const item of webhook.items) items[item.sku] = (items[item.sku] ?? 0) + Number(item.quantity);
  grants.set(key, {
    key,
    userId: webhook.user.external_id,
    // Combined webhooks carry the payment in billing; its transaction id is what a later refund names.
    transactionId: idOf(webhook.billing?.transaction.id),
    orderId: String(webhook.order.id),
    paidCents: cents(webhook.order.amount ?? undefined),
    refundedCents: 0,
    gems: 0,
    items,
    grantsSomething: true,
    status: "granted",
  });
  addItems(account, items, 1);
}

/** What a refund of this transaction takes back: with separate webhooks, the order its payment named. */
function grantByTransaction(transactionId: string): Grant | undefined {
  const named = [...grants.values()].filter((g) => g.transactionId === transactionId);
  for (const grant of named) {
    const order = grant.orderId === null ? undefined : grants.get(`order:${grant.orderId}`);
    if (order) return order;
  }
  return named[0];
}

/** Takes back `share` (0..1] of what is still granted. */
function takeBack(grant: Grant, share: number, status: Grant["status"]): void {
  const account = accounts.get(grant.userId);
  if (!account) return;
  const gems = Math.round(grant.gems * share);
  account.gems = Math.max(0, account.gems - gems);
  grant.gems -= gems;
  const items: Record<string, number> = {};
  for (const [sku, quantity] of Object.entries(grant.items)) items[sku] = share >= 1 ? quantity : Math.floor(quantity * share);
  addItems(account, items, -1);
  for (const [sku, quantity] of Object.entries(items)) grant.items[sku] = (grant.items[sku] ?? 0) - quantity;
  grant.status = status;
}

function refund(webhook: RefundWebhook, raw: Buffer): void {
  if (!remember(raw)) return;
  const grant = grantByTransaction(String(webhook.transaction.id));
  // Nothing granted for it (a purchase from before this handler existed): nothing to take back, and still a 2xx.
  if (!grant || grant.status === "refunded" || grant.status === "canceled") return;
  grant.refundedCents = grant.paidCents;
  takeBack(grant, 1, "refunded");
}

function partialRefund(webhook: PartialRefundWebhook, raw: Buffer): void {
  if (!remember(raw)) return;
  const grant = grantByTransaction(String(webhook.transaction.id));
  if (!grant || grant.status === "refunded" || grant.status === "canceled") return;
  // payment_details.payment carries the refunded part in xsolla-hooks' fixture; check it against your own deliveries.
  const refunded = Math.min(cents(webhook.payment_details.payment?.amount), grant.paidCents - grant.refundedCents);
  const remaining = grant.paidCents - grant.refundedCents;
  if (refunded <= 0 || remaining <= 0) return;
  grant.refundedCents += refunded;
  const done = grant.refundedCents >= grant.paidCents;
  takeBack(grant, done ? 1 : refunded / remaining, done ? "refunded" : "partially_refunded");
}

function cancelOrder(webhook: OrderCanceledWebhook): void {
  const grant = grants.get(`order:${String(webhook.order.id)}`);
  if (!grant || grant.status === "canceled" || grant.status === "refunded") return;
  takeBack(grant, 1, "canceled");
}

function remember(raw: Buffer): boolean {
  const digest = createHash("sha256").update(raw).digest("hex");
  if (refundsSeen.has(digest)) return false;
  refundsSeen.add(digest);
  return true;
}

// ---------------------------------------------------------------------------------------------
// One webhook: verified bytes in, status and body out

type Answer = { status: 204 } | { status: 200; body: unknown };

function handle(webhook: XsollaWebhook, raw: Buffer): Answer {
  switch (webhook.notification_type) {
    case "user_validation":
      accountOf(webhook.user.id);
      return { status: 204 };
    case "user_search": {
      const id = [...accounts.keys()].find((u) => u === webhook.user.id || u === webhook.user.public_id);
      if (!id) throw new Rejection("INVALID_USER", "user not found");
      return { status: 200, body: { user: { id, public_id: webhook.user.public_id ?? id } } };
    }
    case "payment":
      grantPayment(webhook);
      return { status: 204 };
    case "order_paid":
      grantOrder(webhook);
      return { status: 204 };
    case "refund":
      refund(webhook, raw);
      return { status: 204 };
    case "partial_refund":
      partialRefund(webhook, raw);
      return { status: 204 };
    case "order_canceled":
      cancelOrder(webhook);
      return { status: 204 };
    case "create_subscription":
    case "update_subscription":
    case "cancel_subscription":
    case "non_renewal_subscription": {
      const account = accountOf(webhook.user.id);
      const id = String(webhook.subscription.subscription_id);
      const current = account.subscriptions[id] ?? { planId: null, status: "active", nextCharge: null, endsAt: null };
      const sub = webhook.subscription;
      account.subscriptions[id] = {
        planId: sub.plan_id ?? current.planId,
        status:
          webhook.notification_type === "cancel_subscription"
            ? "canceled"
            : webhook.notification_type === "non_renewal_subscription"
              ? "non_renewing"
              : webhook.notification_type === "create_subscription"
                ? "active"
                : current.status,
        nextCharge: typeof sub.date_next_charge === "string" ? sub.date_next_charge : current.nextCharge,
        endsAt: typeof sub.date_end === "string" ? sub.date_end : current.endsAt,
      };
      return { status: 204 };
    }
    case "get_pincode":
      // A key for the game; derive it from the transaction in production and store it with the grant.
      return { status: 200, body: { pin_code: createHash("sha1").update(raw).digest("hex").slice(0, 16).toUpperCase() } };
    case "partner_side_catalog":
      return { status: 200, body: [{ sku: "gem_pack_100", quantity: null }] };
    default:
      // ps_declined, afs_reject, dispute, user_balance_operation, redeem_key, payment_account_*, and types Xsolla adds
      // later: acknowledge. A 4xx or 5xx here would make Xsolla resend for hours.
      return { status: 204 };
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP

function send(res: ServerResponse, status: number, body?: string): void {
  if (body === undefined) res.writeHead(status).end();
  else res.writeHead(status, { "content-type": "application/json" }).end(body);
}

function readRawBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) resolve(undefined);
      else chunks.push(chunk); // Buffers, never `text += chunk`: that breaks UTF-8 characters split across reads
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function onWebhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = await readRawBody(req);
  if (raw === undefined) return send(res, 413, xsollaErrorBody("INVALID_PARAMETER", "body too large"));
  // 1. The signature, over the exact bytes received.
  if (!verifyXsollaSignature(raw, req.headers.authorization, SECRET).ok)
    return send(res, 400, xsollaErrorBody("INVALID_SIGNATURE", "invalid signature"));
  let webhook: XsollaWebhook;
  try {
    // Signed by Xsolla, so the shape is theirs; `xsolla-hooks schema <type>` gives a JSON Schema to validate it against.
    webhook = JSON.parse(raw.toString("utf8")) as XsollaWebhook;
  } catch {
    return send(res, 400, xsollaErrorBody("INVALID_PARAMETER", "body is not JSON"));
  }
  if (typeof webhook !== "object" || webhook === null || typeof webhook.notification_type !== "string")
    return send(res, 400, xsollaErrorBody("INVALID_PARAMETER", "no notification_type"));
  try {
    // Synchronous from the check to the record: two deliveries at once cannot both grant.
    const answer = handle(webhook, raw);
    if (answer.status === 204) send(res, 204);
    else send(res, 200, JSON.stringify(answer.body));
  } catch (error) {
    if (error instanceof Rejection) return send(res, 400, xsollaErrorBody(error.code, error.message));
    // A field the handler reads is missing (reading a property of undefined): the body is not what the type says.
    if (error instanceof TypeError) return send(res, 400, xsollaErrorBody("INVALID_PARAMETER", "a required field is missing"));
    throw error;
  }
}

/** For `xsolla-hooks test --state-probe`: the value a user holds as a number, or the whole account with format=json. */
function onState(url: URL, res: ServerResponse): void {
  const userId = url.searchParams.get("user") ?? "";
  const account = accounts.get(userId);
  const userGrants = [...grants.values()].filter((g) => g.userId === userId);
  if (url.searchParams.get("format") === "json") {
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ user: userId, known: account !== undefined, ...account, grants: userGrants }));
    return;
  }
  // What the user still holds, in cents paid for it: a purchase adds its price once, a refund takes back what it
  // refunded. A payment for a store order grants nothing itself (its order_paid does), so it adds nothing.
  const held = userGrants
    .filter((g) => (g.status === "granted" || g.status === "partially_refunded") && g.grantsSomething)
    .reduce((sum, g) => sum + g.paidCents - g.refundedCents, 0);
  res.writeHead(200, { "content-type": "text/plain" }).end(`${held}\n`);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  const done = (error: unknown) => {
    console.error(error);
    if (!res.headersSent) send(res, 500, xsollaErrorBody("INTERNAL_ERROR", "internal error"));
  };
  if (url.pathname === "/webhook" && req.method === "POST") onWebhook(req, res).catch(done);
  // Keep this off the public internet: bind it to localhost, or put it behind your admin auth.
  else if (url.pathname === "/state" && req.method === "GET") onState(url, res);
  else send(res, 404, xsollaErrorBody("NOT_FOUND", "not found"));
});

server.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? "127.0.0.1", () => {
  const address = server.address();
  if (address && typeof address === "object") console.log(`listening on http://${address.address}:${address.port}/webhook`);
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
}
