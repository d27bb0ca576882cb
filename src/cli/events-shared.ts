// What every `events` command shares: credentials (flags over environment, never printed whole),
// the client, and how an event is shown.
import { ErrorCode, UsageError } from "../core/errors.js";
import { describeDistance, jwtExpiry, maskToken } from "../events-api/jwt.js";
import type { EventApiAuth, EventApiClient } from "../events-api/client.js";
import type { XsollaEvent } from "../events-api/schema.js";
import type { Io } from "../adapters/io.js";
import { readSecretFile } from "../adapters/secret-file.js";

export interface EventAuthFlags {
  jwt: string | undefined;
  /** A file holding the JWT (safer than --jwt, which `ps` shows to other users). */
  jwtFile: string | undefined;
  token: string | undefined;
  projectId: string | undefined;
  baseUrl: string | undefined;
}

export interface EventConnection {
  auth: EventApiAuth;
  /** Masked credential for messages. */
  shown: string;
  projectId: string | undefined;
  baseUrl: string | undefined;
}

export function resolveEventConnection(flags: EventAuthFlags, io: Io): EventConnection {
  if (flags.jwt !== undefined && flags.jwtFile !== undefined) throw new UsageError("use --jwt or --jwt-file, not both");
  if (flags.token !== undefined && (flags.jwt !== undefined || flags.jwtFile !== undefined))
    throw new UsageError(`use ${flags.jwt !== undefined ? "--jwt" : "--jwt-file"} or --token, not both`);
  const fromFile = flags.jwtFile === undefined ? undefined : readSecretFile(flags.jwtFile, io.cwd, "--jwt-file");
  const jwt = flags.jwt ?? fromFile ?? (flags.token === undefined ? io.env.XSOLLA_JWT : undefined);
  const token = flags.token ?? (jwt === undefined ? io.env.XSOLLA_PAYMENT_TOKEN : undefined);
  if (!jwt && !token) {
    throw new UsageError("missing Event API credentials", {
      code: ErrorCode.MissingSecret,
      hint: "set XSOLLA_JWT (or pass --jwt-file) with a user JWT, or --token (or XSOLLA_PAYMENT_TOKEN) with a payment token",
    });
  }
  const auth: EventApiAuth = jwt ? { kind: "jwt", jwt } : { kind: "token", token: token as string };
  return {
    auth,
    shown: `${auth.kind === "jwt" ? "JWT" : "token"} ${maskToken(jwt ?? (token as string))}`,
    projectId: flags.projectId ?? io.env.XSOLLA_PROJECT_ID,
    baseUrl: flags.baseUrl ?? io.env.XSOLLA_EVENT_API_URL,
  };
}

/** Warns before the first request when the JWT has already expired (the server has the last word). */
export function warnIfExpired(connection: EventConnection, io: Io, now = Date.now()): void {
  if (connection.auth.kind !== "jwt") return;
  const expiry = jwtExpiry(connection.auth.jwt);
  if (expiry && expiry.getTime() <= now)
    io.stderr.write(`warning: the JWT expired ${describeDistance(now, expiry.getTime())} (exp ${expiry.toISOString()}); expect a 401\n`);
}

export async function openClient(connection: EventConnection, timeoutMs?: number): Promise<EventApiClient> {
  const { createEventApiClient } = await import("../events-api/client.js");
  return createEventApiClient({
    auth: connection.auth,
    ...(connection.baseUrl ? { baseUrl: connection.baseUrl } : {}),
    ...(connection.projectId ? { projectId: connection.projectId } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
  });
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const at = (root: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((node, key) => (isObj(node) ? node[key] : undefined), root);
const text = (v: unknown): string => (typeof v === "string" || typeof v === "number" ? String(v) : "");

export function eventType(event: XsollaEvent): string {
  return text(at(event.data, "notification_type")) || "?";
}

export function eventToJson(event: XsollaEvent): Record<string, unknown> {
  return { id: event.id, type: eventType(event), status: event.status, created_at: event.created_at, data: event.data };
}

/** The purchase fields people look for: from `items` (order webhooks) or `purchase.order.lineitems` / totals (payment). */
export function eventRow(event: XsollaEvent): string[] {
  const data = event.data;
  const user = text(at(data, "user", "id")) || text(at(data, "user", "external_id"));
  // Order webhooks list `items`; payment webhooks `purchase.order.lineitems` or `purchase.virtual_items.items`.
  const list =
    [at(data, "items"), at(data, "purchase", "order", "lineitems"), at(data, "purchase", "virtual_items", "items")].find(Array.isArray) ??
    [];
  const sku = list
    .map((i) => text(at(i, "sku")))
    .filter(Boolean)
    .join(",");
  const quantity = list
    .map((i) => text(at(i, "quantity")) || text(at(i, "amount")))
    .filter(Boolean)
    .join(",");
  const amount =
    text(at(data, "order", "amount")) && text(at(data, "order", "currency"))
      ? `${text(at(data, "order", "amount"))} ${text(at(data, "order", "currency"))}`
      : text(at(data, "purchase", "total", "amount"))
        ? `${text(at(data, "purchase", "total", "amount"))} ${text(at(data, "purchase", "total", "currency"))}`
        : "";
  return [String(event.id), eventType(event), event.created_at ?? "", user, sku, quantity, amount];
}

export const EVENT_TABLE_HEADER = ["ID", "TYPE", "CREATED_AT", "USER", "SKU", "QTY", "AMOUNT"];
