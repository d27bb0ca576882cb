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
}

export type TransportErrorKind = "refused" | "dns" | "timeout" | "reset" | "tls" | "bad-response" | "other";

export interface HttpResponse {
  kind: "response";
  status: number;
  headers: Record<string, string>;
  /** At most the transport's body limit; `truncated` says when more was sent. */
  body: Uint8Array;
  truncated: boolean;
  durationMs: number;
}

export interface HttpFailure {
  kind: "failure";
  error: { kind: TransportErrorKind; message: string };
  durationMs: number;
}

export type HttpResult = HttpResponse | HttpFailure;

export interface Transport {
  send(request: OutgoingRequest, options: { timeoutMs: number; signal?: AbortSignal | undefined }): Promise<HttpResult>;
}
