// The reference receiver behind `listen` and `demo`: a node:http server that reads the raw body
// first, then lets respond.ts decide. Binds 127.0.0.1 unless told otherwise.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listenOn, readBody } from "./listen.js";
import { XSOLLA_NOTIFICATION_TYPES } from "../core/fixtures/known-types.js";
import { createReceiverState, respondToWebhook, type ReceiverState, type RespondOptions, type ReceiverReply } from "./respond.js";
import type { ForwardOutcome, Forwarder } from "../core/delivery/forwarding.js";
import { serializeCapturedRequest } from "../core/http-capture.js";

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface ReceivedRequest {
  /** 1-based arrival number. */
  number: number;
  receivedAt: Date;
  method: string;
  path: string;
  httpVersion: string;
  /** Header names and values as they arrived, in order: [name, value, name, value, ...]. */
  rawHeaders: string[];
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  answer:
    | ReceiverReply
    | {
        status: number;
        verdict: "rejected" | "dropped";
        reason: string;
        errorCode?: string;
        type?: undefined;
        summary?: undefined;
        deliveryCount?: undefined;
        deliveryCountComplete?: undefined;
      };
  /**
   * With forwarding: what the handler answered and what the sender got. `answer` is then this receiver's own verdict
   * (the signature check above all), recorded but not sent.
   */
  forward?: ForwardOutcome | undefined;
}

export interface ReceiverOptions extends Omit<RespondOptions, "knownTypes"> {
  knownTypes?: Iterable<string> | undefined;
  host?: string | undefined;
  port?: number | undefined;
  bodyLimit?: number | undefined;
  /** Wait this long before answering. */
  delayMs?: number | undefined;
  /** Close the connection without answering correctly signed deliveries. */
  drop?: boolean | undefined;
  onRequest?: ((request: ReceivedRequest) => void) | undefined;
  /** Full records (bodies included) kept in memory, newest last; older ones are dropped. Default 500. */
  history?: number | undefined;
  /** Transaction ids tracked for delivery counts. Default 100 000. */
  maxTrackedIds?: number | undefined;
  /**
   * Pass every delivery on to a handler and answer the sender with the handler's answer. The request is recorded
   * (and `onRequest` called) once the handler has answered, so the record holds both sides.
   */
  forward?: Forwarder | undefined;
}

export interface RunningReceiver {
  url: string;
  port: number;
  host: string;
  state: ReceiverState;
  /** The most recent requests, oldest first: at most `history` of them. */
  readonly requests: ReceivedRequest[];
  /** Every request since start, including those no longer in `requests`. */
  readonly total: number;
  close(): Promise<void>;
}

export const DEFAULT_HISTORY = 500;
const EMPTY_BODY = Buffer.alloc(0);
const DROPPED: ReceivedRequest["answer"] = { status: 0, verdict: "dropped", reason: "--drop: connection closed without an answer" };

export async function startReceiver(options: ReceiverOptions): Promise<RunningReceiver> {
  const state = createReceiverState(options.maxTrackedIds);
  const history = createRing<ReceivedRequest>(options.history ?? DEFAULT_HISTORY);
  let total = 0;
  const respondOptions: RespondOptions = { ...options, knownTypes: new Set(options.knownTypes ?? XSOLLA_NOTIFICATION_TYPES) };
  const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const delayTimers = new Set<NodeJS.Timeout>();

  // The hot path is plain callbacks, synchronous from the body's last byte to the answer: at tens of thousands of
  // deliveries a second, a promise and a microtask per request are a measurable share of the work.
  const keep = (record: ReceivedRequest) => {
    history.push(record);
    options.onRequest?.(record);
  };

  const tooLargeAnswer: ReceivedRequest["answer"] = {
    status: 413,
    verdict: "rejected",
    reason: `body over ${limit} bytes`,
    errorCode: "INVALID_PARAMETER",
  };
  const refuseTooLarge = (res: ServerResponse) => {
    res.writeHead(413, { "content-type": "application/json", connection: "close" });
    res.end(JSON.stringify({ error: { code: "INVALID_PARAMETER", message: "Body too large" } }));
  };

  const answerWith = (res: ServerResponse, status: number, headers: Record<string, string>, body: string | Uint8Array) => {
    if (res.destroyed) return;
    res.writeHead(status, headers);
    if (body.length === 0) res.end();
    else res.end(body);
  };

  const forwardTo = async (forward: Forwarder, req: IncomingMessage, res: ServerResponse, record: ReceivedRequest): Promise<void> => {
    const forwarded = await forward({
      method: record.method,
      rawHeaders: record.rawHeaders,
      body: record.body,
      remoteAddress: req.socket.remoteAddress,
      host: req.headers.host,
    });
    record.forward = forwarded.forward;
    keep(record);
    answerWith(res, forwarded.status, forwarded.headers, forwarded.body);
  };

  const afterDelay = (delayMs: number, then: () => void) => {
    const timer = setTimeout(() => {
      delayTimers.delete(timer);
      then();
    }, delayMs);
    delayTimers.add(timer);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer | null): void => {
    const method = req.method ?? "";
    const answer = body === null ? undefined : respondToWebhook({ method, headers: req.headers, body }, respondOptions, state);
    // Xsolla only POSTs; anything else gets this receiver's 405 and goes no further.
    const forward = method === "POST" ? options.forward : undefined;
    const dropping = forward === undefined && options.drop === true && answer !== undefined && answer.verdict !== "rejected";
    // Field by field, like the answer in respond.ts: this runs once a delivery.
    const record: ReceivedRequest = {
      number: ++total,
      receivedAt: new Date(),
      method,
      path: req.url ?? "/",
      httpVersion: req.httpVersion,
      rawHeaders: req.rawHeaders,
      headers: req.headers,
      body: body ?? EMPTY_BODY,
      answer: answer === undefined ? tooLargeAnswer : dropping ? DROPPED : answer,
    };
    if (answer === undefined) {
      keep(record);
      return refuseTooLarge(res);
    }
    if (forward) {
      forwardTo(forward, req, res, record).catch(() => answerWith(res, 502, {}, ""));
      return;
    }
    keep(record);
    const reply = () => (dropping ? req.socket.destroy() : answerWith(res, answer.status, answer.headers, answer.body));
    if (options.delayMs) afterDelay(options.delayMs, reply);
    else reply();
  };

  const server = createServer((req, res) => {
    const answer = (body: Buffer | null) => {
      try {
        handle(req, res, body);
      } catch {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      }
    };
    // A declared length over the limit is answered at once, unread (and the connection closed).
    if (Number(req.headers["content-length"] ?? 0) > limit) answer(null);
    else readBody(req, limit, answer);
  });
  const host = options.host ?? "127.0.0.1";
  const listening = await listenOn(server, host, options.port ?? 0, () => {
    for (const timer of delayTimers) clearTimeout(timer);
  });
  return {
    url: `${listening.origin}/`,
    port: listening.port,
    host,
    state,
    get requests() {
      return history.items();
    },
    get total() {
      return total;
    },
    close: listening.close,
  };
}

/** A fixed-size ring: pushing past capacity overwrites the oldest. */
function createRing<T>(capacity: number): { push(item: T): void; items(): T[] } {
  const slots: T[] = [];
  let next = 0;
  return {
    push(item) {
      if (capacity <= 0) return;
      if (slots.length < capacity) slots.push(item);
      else slots[next] = item;
      next = (next + 1) % capacity;
    },
    items: () => (slots.length < capacity ? [...slots] : [...slots.slice(next), ...slots.slice(0, next)]),
  };
}

/** The request in the `listen --save` format: what --save writes, the inspector's download holds and a replay is rebuilt from. */
export function captureBytes(request: ReceivedRequest): Buffer {
  return serializeCapturedRequest({
    method: request.method,
    url: request.path,
    httpVersion: request.httpVersion,
    rawHeaders: request.rawHeaders,
    body: request.body,
  });
}
