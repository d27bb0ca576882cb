// Forwarding a delivery to another handler (`listen --forward-to`): what goes on to the next hop, and what came back.
// Pure: the receiver and the forwarding runner share these shapes.

// Connection-level headers (RFC 9110 §7.6.1) describe one hop: the client sets its own for the next.
import { CONNECTION_HEADERS } from "./replay.js";

export interface IncomingDelivery {
  method: string;
  /** Header names and values as they arrived: [name, value, name, value, ...]. */
  rawHeaders: readonly string[];
  body: Uint8Array;
  /** The sender's address and the Host it asked for, passed on as X-Forwarded-For / X-Forwarded-Host. */
  remoteAddress?: string | undefined;
  host?: string | undefined;
}

export interface ForwardOutcome {
  /** The handler's URL, with any password masked. */
  url: string;
  /** The handler's status; null when it gave no answer. */
  status: number | null;
  latencyMs: number;
  outcome: "answered" | "unreachable" | "timeout";
  /** Why there was no usable answer (refused, reset, timed out, answer too large). */
  detail?: string | undefined;
  /** What the sender got: the handler's status, or 502/504. */
  answeredWith: number;
}

export interface ForwardedAnswer {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
  forward: ForwardOutcome;
}

export type Forwarder = (delivery: IncomingDelivery) => Promise<ForwardedAnswer>;

/** The request's end-to-end headers, names as sent; a repeated header is joined with ", " as HTTP allows. */
export function forwardedHeaders(delivery: IncomingDelivery): Record<string, string> {
  const headers: Record<string, string> = {};
  const nameOf = new Map<string, string>();
  for (let i = 0; i + 1 < delivery.rawHeaders.length; i += 2) {
    const name = delivery.rawHeaders[i] as string;
    const value = delivery.rawHeaders[i + 1] as string;
    const lower = name.toLowerCase();
    if (CONNECTION_HEADERS.has(lower) || lower.startsWith("x-forwarded-")) continue;
    const known = nameOf.get(lower);
    if (known === undefined) {
      nameOf.set(lower, name);
      headers[name] = value;
    } else headers[known] = `${headers[known]}, ${value}`;
  }
  const previousFor = headerValue(delivery.rawHeaders, "x-forwarded-for");
  if (delivery.remoteAddress)
    headers["X-Forwarded-For"] = previousFor ? `${previousFor}, ${delivery.remoteAddress}` : delivery.remoteAddress;
  const host = headerValue(delivery.rawHeaders, "x-forwarded-host") ?? delivery.host;
  if (host) headers["X-Forwarded-Host"] = host;
  headers["X-Forwarded-Proto"] = headerValue(delivery.rawHeaders, "x-forwarded-proto") ?? "http";
  return headers;
}

function headerValue(rawHeaders: readonly string[], lowerName: string): string | undefined {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) if ((rawHeaders[i] as string).toLowerCase() === lowerName) return rawHeaders[i + 1];
  return undefined;
}
