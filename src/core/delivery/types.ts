// The seams of delivery: time and HTTP come in as interfaces, so the engine is testable with a
// fake clock and real loopback servers, and the CLI can swap a virtual clock for a real one.

export interface Clock {
  now(): number;
  /** Resolves after `ms` (virtually or really); rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface OutgoingRequest {
  url: string;
  method: "POST";
  headers: Record<string, string>;
  body: Uint8Array;
  /** Write the body in pieces with a pause between them, so the peer reads it in several parts. */
  pacing?: { pieceBytes: number; pauseMs: number } | undefined;
}

export type TransportErrorKind = "refused" | "dns" | "timeout" | "reset" | "tls" | "bad-response" | "interrupted" | "other";

export interface Reply {
  kind: "reply";
  status: number;
  headers: Record<string, string>;
  /** At most the transport's body limit; `truncated` says when more was sent. */
  body: Uint8Array;
  truncated: boolean;
  durationMs: number;
}

export interface NoReply {
  kind: "no-reply";
  error: { kind: TransportErrorKind; message: string };
  durationMs: number;
}

/** What one attempt produced: a reply, or no reply at all (refused, DNS, timeout, reset, not HTTP). */
export type SendResult = Reply | NoReply;

/** What a retry policy makes of one attempt's result. */
export type PolicyDecision = "success" | "retry" | "final";

/** A policy's decision, or "interrupted": Ctrl-C or SIGTERM came while the attempt was in flight. */
export type AttemptDecision = PolicyDecision | "interrupted";

export interface AttemptRecord {
  attempt: number;
  /** Clock time the attempt started (virtual when the clock is). */
  at: number;
  offsetMs: number;
  result: SendResult;
  decision: AttemptDecision;
}

export type DeliveryOutcome = "delivered" | "final" | "exhausted" | "interrupted";

export interface DeliveryReport {
  outcome: DeliveryOutcome;
  attempts: AttemptRecord[];
  startedAt: number;
}

export interface Transport {
  send(request: OutgoingRequest, options: { timeoutMs: number; signal?: AbortSignal | undefined }): Promise<SendResult>;
}
