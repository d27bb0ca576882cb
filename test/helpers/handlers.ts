// Webhook handlers written for the tests, right and wrong in the ways real handlers are. They share
// no code with xsolla-hooks: signatures are checked here with node:crypto directly, and the known
// fields of each type are read straight from the fixture files.
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startLoopback, type LoopbackServer, type RecordedRequest } from "./loopback.js";

export interface HandlerFlaws {
  /** raw: hash the bytes received; reserialize: hash JSON.stringify(JSON.parse(body)), as Express code often does; none: accept any signature. */
  verify?: "raw" | "reserialize" | "none";
  /** Answer 409 to a transaction it has already processed, instead of the first answer again. */
  rejectDuplicates?: boolean;
  /** Answer 204 to user_validation for any user. */
  acceptUnknownUsers?: boolean;
  /** Refuse only user ids starting test_xsolla (no user store): the tester's prefix special-cased. */
  prefixOnlyUsers?: boolean;
  /** Wait this long before answering the first request. */
  slowFirstMs?: number;
  /** Rejection statuses: docs (400) or sdk (401/422). */
  statuses?: "docs" | "sdk";
  /** Answer 500 to every request (a handler broken by a missing environment variable, say). */
  alwaysFail?: boolean;
  /** Answer 500 to a notification_type it does not handle (a switch that throws in its default branch). */
  crashOnUnknownType?: boolean;
  /** Validate bodies against the fields it knows, refusing anything else (a strict schema). */
  strictSchema?: boolean;
  /** Build the body as text chunk by chunk (body += chunk), which corrupts characters split across reads. */
  concatenateChunksAsText?: boolean;
  /** Answer a body that is not JSON with a bare 400 and no body. */
  bareParseErrors?: boolean;
  /** Rejections as text/plain with an error.code but no error.message. */
  sloppyErrorBodies?: boolean;
  /** Credit every delivery, duplicates included, and still answer 204. */
  creditTwice?: boolean;
  /** Check "already processed?" and record it with a pause in between, so two deliveries at once both get through. */
  raceOnDuplicates?: boolean;
  /**
   * Keep a wallet per user in cents, as a game would: order_paid grants the order's amount, refund and order_canceled
   * take the purchase back (once), partial_refund takes back its amount; payment only records the transaction. The
   * state probe then reads the balance instead of a count of credits.
   */
  ledger?: boolean;
  /** With ledger: grants are kept by order.id, refunds looked up by transaction id, so no refund finds its purchase; "error" answers 400, "silent" 204. */
  mismatchedIds?: "error" | "silent";
  /** With ledger: acknowledge refunds and cancellations (204) without taking anything back. */
  refundsNoop?: boolean;
}

export interface TestHandler extends LoopbackServer {
  /** GET <stateUrl>?user=ID prints how many purchases were credited to that user. */
  stateUrl: string;
  /** The same count, kept in <stateDir>/<user id> (a cheap probe: cat). */
  stateDir: string;
}

const sha1 = (text: Buffer | string, secret: string) => createHash("sha1").update(text).update(secret).digest("hex");
const KNOWN_USERS = new Set(["sample_user_1"]);

/** Top-level fields of every type, as the catalog's fixtures show them. */
const KNOWN_FIELDS: Map<string, Set<string>> = (() => {
  const dir = new URL("../../fixtures/", import.meta.url);
  const fields = new Map<string, Set<string>>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".json"))) {
    const file = JSON.parse(readFileSync(new URL(name, dir), "utf8")) as { body: Record<string, unknown> };
    const type = String(file.body.notification_type);
    const known = fields.get(type) ?? new Set<string>();
    for (const key of Object.keys(file.body)) known.add(key);
    fields.set(type, known);
  }
  return fields;
})();

interface Purchase {
  cents: number;
  revoked: boolean;
  partlyRefunded: boolean;
}

interface Wallet {
  byOrder: Map<string, Purchase>;
  byTransaction: Map<string, Purchase>;
}

const cents = (amount: unknown) => Math.round(Number(amount ?? 0) * 100);

/** One webhook's effect on the wallet; an answer when the handler refuses it, else undefined (204). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test handler pokes at whatever JSON arrives
function walletEntry(wallet: Wallet, type: string, body: Record<string, any>, flaws: HandlerFlaws, adjust: (delta: number) => void) {
  const transaction = String(body.transaction?.id ?? body.billing?.transaction?.id ?? body.order?.invoice_id ?? "");
  const order = String(body.order?.id ?? "");
  const notFound = () =>
    flaws.mismatchedIds === "silent"
      ? undefined
      : { status: 400, body: JSON.stringify({ error: { code: "INVALID_PARAMETER", message: "unknown transaction" } }) };
  // The flaw: purchases are filed by order id only, and every refund is looked up by transaction id.
  const find = (by: "order" | "transaction") =>
    flaws.mismatchedIds
      ? wallet.byTransaction.get(transaction)
      : by === "order"
        ? wallet.byOrder.get(order)
        : wallet.byTransaction.get(transaction);
  if (type === "payment" && !wallet.byTransaction.has(transaction))
    wallet.byTransaction.set(transaction, { cents: 0, revoked: false, partlyRefunded: false });
  if (type === "order_paid") {
    const purchase = wallet.byTransaction.get(transaction) ?? { cents: 0, revoked: false, partlyRefunded: false };
    purchase.cents = cents(body.order?.amount);
    wallet.byOrder.set(order, purchase);
    if (flaws.mismatchedIds) wallet.byTransaction.delete(transaction);
    else wallet.byTransaction.set(transaction, purchase);
    adjust(purchase.cents);
  }
  if (type === "refund" || type === "order_canceled") {
    const purchase = find(type === "refund" ? "transaction" : "order");
    if (!purchase) return notFound();
    if (!purchase.revoked && !flaws.refundsNoop) {
      purchase.revoked = true;
      adjust(-purchase.cents);
    }
  }
  if (type === "partial_refund") {
    const purchase = find("transaction");
    if (!purchase) return notFound();
    if (!purchase.partlyRefunded && !flaws.refundsNoop) {
      purchase.partlyRefunded = true;
      adjust(-cents(body.payment_details?.payment?.amount));
    }
  }
  return undefined;
}

export async function startHandler(secret: string, flaws: HandlerFlaws = {}): Promise<TestHandler> {
  const seen = new Set<string>();
  const wallet: Wallet = { byOrder: new Map(), byTransaction: new Map() };
  const credits = new Map<string, number>();
  const stateDir = mkdtempSync(join(tmpdir(), "xsolla-hooks-handler-state-"));
  const reject = (code: string) => ({
    status: flaws.statuses === "sdk" ? (code === "INVALID_SIGNATURE" ? 401 : 422) : 400,
    body: flaws.sloppyErrorBodies ? JSON.stringify({ error: { code } }) : JSON.stringify({ error: { code, message: code } }),
    type: flaws.sloppyErrorBodies ? "text/plain" : "application/json",
  });
  const handle = async (req: RecordedRequest, index: number): Promise<{ status: number; body: string; type?: string }> => {
    if (req.method === "GET" && req.url.startsWith("/state")) {
      const user = new URL(req.url, "http://x").searchParams.get("user") ?? "";
      return { status: 200, body: String(credits.get(user) ?? 0), type: "text/plain" };
    }
    if (index === 0 && flaws.slowFirstMs) await sleep(flaws.slowFirstMs);
    if (flaws.alwaysFail) return { status: 500, body: "<html><body>Internal Server Error</body></html>", type: "text/html" };
    const raw = flaws.concatenateChunksAsText ? Buffer.from(req.chunks.map((c) => c.toString("utf8")).join(""), "utf8") : req.body;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test handler pokes at whatever JSON arrives
    let parsed: Record<string, any> | undefined;
    try {
      parsed = JSON.parse(raw.toString("utf8"));
    } catch {
      parsed = undefined;
    }
    const header = /^Signature ([0-9a-f]{40})$/.exec(req.headers.authorization ?? "")?.[1];
    const verify = flaws.verify ?? "raw";
    if (verify !== "none") {
      if (verify === "reserialize" && !parsed) return reject("INVALID_PARAMETER");
      const hashed = verify === "raw" ? raw : Buffer.from(JSON.stringify(parsed));
      if (header !== sha1(hashed, secret)) return reject("INVALID_SIGNATURE");
    }
    if (!parsed) return flaws.bareParseErrors ? { status: 400, body: "" } : reject("INVALID_PARAMETER");
    const type = String(parsed.notification_type);
    const fields = KNOWN_FIELDS.get(type);
    if (!fields)
      return flaws.crashOnUnknownType
        ? { status: 500, body: `unhandled notification_type ${type}`, type: "text/plain" }
        : { status: 204, body: "" };
    if (flaws.strictSchema && Object.keys(parsed).some((key) => !fields.has(key))) return reject("INVALID_PARAMETER");
    if (type === "user_validation" && !flaws.acceptUnknownUsers) {
      const id = String(parsed.user?.id ?? "");
      if (flaws.prefixOnlyUsers ? id.startsWith("test_xsolla") : !KNOWN_USERS.has(id)) return reject("INVALID_USER");
    }
    const id = String(parsed.transaction?.id ?? parsed.order?.id ?? "");
    // A wallet deduplicates per webhook type: a refund carries the same transaction id as the payment it undoes.
    const key = id && flaws.ledger ? `${type}:${id}` : id;
    if (key && seen.has(key)) {
      if (flaws.rejectDuplicates)
        return { status: 409, body: '{"error":{"code":"DUPLICATE","message":"already processed"}}', type: "application/json" };
      if (!flaws.creditTwice) return { status: 204, body: "" };
    }
    // A database round trip between "is it new?" and "remember it": where concurrent duplicates slip through.
    if (flaws.raceOnDuplicates) await sleep(30);
    if (key) seen.add(key);
    const user = String(parsed.user?.id ?? parsed.user?.external_id ?? "");
    const adjust = (delta: number) => {
      credits.set(user, (credits.get(user) ?? 0) + delta);
      if (/^[\w.-]+$/.test(user)) writeFileSync(join(stateDir, user), String(credits.get(user)));
    };
    if (flaws.ledger) {
      const refused = walletEntry(wallet, type, parsed, flaws, adjust);
      if (refused) return refused;
    } else if (type === "payment" || type === "order_paid") adjust(1);
    if (type === "user_search")
      return { status: 200, body: JSON.stringify({ user: { id: String(parsed.user?.id ?? "u") } }), type: "application/json" };
    return { status: 204, body: "" };
  };
  const server = await startLoopback(async (req, res, index) => {
    const answer = await handle(req, index);
    res.writeHead(answer.status, answer.body ? { "content-type": answer.type ?? "application/json" } : {}).end(answer.body);
  });
  return {
    ...server,
    stateUrl: `http://127.0.0.1:${server.port}/state`,
    stateDir,
    close: async () => {
      await server.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
