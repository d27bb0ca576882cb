// The one place that speaks HTTP as a client. undici gives precise error codes (refused, DNS,
// timeouts, parser errors) that we turn into the exit codes users see.
import { Readable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { Agent, Client, request } from "./undici.js";
import { flattenHeaders, readCappedBody } from "./http-read.js";
import {
  classifyTransportError,
  describeTransportError,
  interruptedNoReply,
  TRANSPORT_FAILURE_TEXT,
} from "../core/delivery/transport-errors.js";
import type { NoReply, SendResult, OutgoingRequest, Transport } from "../core/delivery/types.js";

export const DEFAULT_RESPONSE_LIMIT = 1024 * 1024;

export interface HttpTransport extends Transport {
  close(): Promise<void>;
}

/** The body in pieces, a pause after each: what a slow network or a proxy does to a large body. */
async function* pacedBody(
  body: Uint8Array,
  pacing: { pieceBytes: number; pauseMs: number },
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < body.length; offset += pacing.pieceBytes) {
    if (offset > 0) await delay(pacing.pauseMs, undefined, { signal });
    yield body.subarray(offset, offset + pacing.pieceBytes);
  }
}

export function createHttpTransport(options: { responseLimit?: number } = {}): HttpTransport {
  const limit = options.responseLimit ?? DEFAULT_RESPONSE_LIMIT;
  // One agent per transport, closed by the command, so no socket outlives the run.
  const agent = new Agent({ connect: { rejectUnauthorized: true }, keepAliveTimeout: 4_000 });
  // Whether a connection was up while a request was in flight: what Ctrl-C reports as "sent".
  // Webhook bodies are small, so a request on an open connection has left the process.
  let openConnections = 0;
  let connectedDuringRequest = false;
  agent.on("connect", () => {
    openConnections++;
    connectedDuringRequest = true;
  });
  agent.on("disconnect", () => void (openConnections = Math.max(0, openConnections - 1)));
  return {
    async send(req: OutgoingRequest, { timeoutMs, signal }): Promise<SendResult> {
      const started = performance.now();
      connectedDuringRequest = openConnections > 0;
      const timeout = AbortSignal.timeout(timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      try {
        const response = await request(req.url, {
          method: req.method,
          // A paced body is a stream: say its length, so it is not sent chunked.
          headers: req.pacing ? { ...req.headers, "content-length": String(req.body.length) } : req.headers,
          body: req.pacing ? Readable.from(pacedBody(req.body, req.pacing, combined), { objectMode: false }) : req.body,
          signal: combined,
          dispatcher: agent,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        const { body, truncated } = await readCappedBody(response.body, limit);
        const headers = flattenHeaders(response.headers);
        return { kind: "reply", status: response.statusCode, headers, body, truncated, durationMs: performance.now() - started };
      } catch (error) {
        const durationMs = performance.now() - started;
        if (signal?.aborted) return interruptedNoReply(connectedDuringRequest, durationMs);
        const kind = timeout.aborted ? "timeout" : classifyTransportError(error);
        const detail = kind === "timeout" ? `no answer within ${timeoutMs} ms` : describeTransportError(error);
        const failure: NoReply = { kind: "no-reply", error: { kind, message: `${TRANSPORT_FAILURE_TEXT[kind]}: ${detail}` }, durationMs };
        return failure;
      }
    },
    close: () => agent.close(),
  };
}

export interface PooledHttpTransport extends HttpTransport {
  /** Connections opened so far: kept alive and reused, so `connections` at most unless the server closes some. */
  readonly connectionsOpened: number;
}

/**
 * Many requests to one origin over at most `connections` kept-alive sockets: what a burst needs. One undici Client per
 * connection, handed out from a stack of idle ones: undici's Pool looks for a free client on every request, which at
 * tens of thousands of requests a second costs a tenth of the client's CPU. Timeouts are undici's own (no timer per
 * request), and Ctrl-C (`signal`) destroys every client, so whatever is in flight ends at once.
 */
export function createPooledHttpTransport(options: {
  url: string;
  connections: number;
  signal?: AbortSignal | undefined;
  responseLimit?: number;
}): PooledHttpTransport {
  const limit = options.responseLimit ?? DEFAULT_RESPONSE_LIMIT;
  const target = new URL(options.url);
  const path = `${target.pathname}${target.search}`;
  const clients: Client[] = [];
  const idle: Client[] = [];
  // Requests beyond `connections` at once wait here for a client to come free (or for Ctrl-C: undefined).
  const waiting: ((client: Client | undefined) => void)[] = [];
  let connectionsOpened = 0;
  const acquire = (): Client | undefined => {
    const free = idle.pop();
    if (free || clients.length >= options.connections) return free;
    const client = new Client(target.origin, { pipelining: 1, keepAliveTimeout: 4_000 });
    client.on("connect", () => void connectionsOpened++);
    clients.push(client);
    return client;
  };
  const release = (client: Client) => {
    const next = waiting.shift();
    if (next) next(client);
    else idle.push(client);
  };
  const interrupt = () => {
    for (const client of clients) client.destroy().catch(() => {});
    for (const cancel of waiting.splice(0)) cancel(undefined);
  };
  options.signal?.addEventListener("abort", interrupt, { once: true });

  const dispatchOn = (client: Client, req: OutgoingRequest, timeoutMs: number, resolve: (result: SendResult) => void): void => {
    const started = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    let status = 0;
    let headers: Record<string, string> = {};
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      release(client);
      resolve(result);
    };
    const reply = (): SendResult => ({
      kind: "reply",
      status,
      headers,
      body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks),
      truncated,
      durationMs: performance.now() - started,
    });
    const fail = (error: unknown): void => {
      const durationMs = performance.now() - started;
      if (options.signal?.aborted) return finish(interruptedNoReply(true, durationMs));
      const kind = classifyTransportError(error);
      const detail = kind === "timeout" ? `no answer within ${timeoutMs} ms` : describeTransportError(error);
      finish({ kind: "no-reply", error: { kind, message: `${TRANSPORT_FAILURE_TEXT[kind]}: ${detail}` }, durationMs });
    };
    try {
      // The raw dispatch API: no stream per answer, which a burst of small answers would pay for on every request.
      client.dispatch(
        { path, method: req.method, headers: req.headers, body: req.body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs },
        {
          // undici takes a handler in this (current) shape only when it has onRequestStart.
          onRequestStart() {},
          onResponseStart(_controller, statusCode, responseHeaders) {
            status = statusCode;
            headers = flattenHeaders(responseHeaders);
          },
          onResponseData(controller, chunk) {
            if (truncated) return;
            if (size + chunk.length > limit) {
              chunks.push(chunk.subarray(0, limit - size));
              truncated = true;
              // Enough read: the answer so far is the evidence; the rest is not waited for.
              finish(reply());
              controller.abort(new Error("response over the limit"));
              return;
            }
            chunks.push(chunk);
            size += chunk.length;
          },
          onResponseEnd() {
            finish(reply());
          },
          onResponseError(_controller, error) {
            fail(error);
          },
        },
      );
    } catch (error) {
      fail(error);
    }
  };

  return {
    get connectionsOpened() {
      return connectionsOpened;
    },
    send(req: OutgoingRequest, { timeoutMs }): Promise<SendResult> {
      return new Promise<SendResult>((resolve) => {
        if (options.signal?.aborted) return resolve(interruptedNoReply(false, 0));
        const client = acquire();
        if (client) dispatchOn(client, req, timeoutMs, resolve);
        else waiting.push((free) => (free ? dispatchOn(free, req, timeoutMs, resolve) : resolve(interruptedNoReply(false, 0))));
      });
    },
    async close() {
      options.signal?.removeEventListener("abort", interrupt);
      await Promise.all(clients.filter((client) => !client.destroyed).map((client) => client.close().catch(() => {})));
    },
  };
}
