// Talking to a running mock (`xsolla-hooks events serve`) over its admin routes, for
// `events enqueue --base-url`. These routes exist only on our mock, never on Xsolla's API.
import { request, type Dispatcher } from "../adapters/undici.js";
import { ErrorCode, UsageError } from "../core/errors.js";
import { bodyExcerpt, networkError, type EventApiAuth } from "./client.js";
import { EventApiError } from "./errors.js";
import { EventSchema, formatIssuePath, type XsollaEvent } from "./schema.js";
import { z } from "zod";
import { readCappedBody } from "../adapters/http-read.js";

export interface AdminCallOptions {
  /** The mock's base URL, e.g. http://127.0.0.1:8787 */
  baseUrl: string;
  timeoutMs?: number | undefined;
  dispatcher?: Dispatcher | undefined;
  signal?: AbortSignal | undefined;
}

export const MockEventRecordSchema = EventSchema.extend({
  processed: z.boolean({ error: "expected a boolean" }),
  processed_at: z.string().nullable().optional(),
});
export type AdminEventRecord = z.output<typeof MockEventRecordSchema>;

const NO_AUTH: EventApiAuth = { kind: "token", token: "" };
const ADMIN_LIMIT = 16 * 1024 * 1024;

function adminUrl(baseUrl: string): URL {
  let base: URL;
  try {
    base = new URL(baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
  } catch {
    throw new UsageError(`the mock's base URL is not a URL: ${JSON.stringify(baseUrl)}`, { code: ErrorCode.BadInput });
  }
  if (base.protocol !== "http:" && base.protocol !== "https:")
    throw new UsageError(`the mock's base URL must be http(s), not ${base.protocol}`, { code: ErrorCode.BadInput });
  return new URL("_admin/events", base);
}

async function call(
  method: "GET" | "POST",
  options: AdminCallOptions,
  body?: string,
): Promise<{ status: number; json: unknown; raw: Buffer }> {
  const url = adminUrl(options.baseUrl);
  const what = `${method} /_admin/events`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let status: number;
  let raw: Buffer;
  try {
    const response = await request(url, {
      method,
      headers: body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
      ...(body === undefined ? {} : { body }),
      signal,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    const read = await readCappedBody(response.body, ADMIN_LIMIT);
    if (read.truncated) throw new EventApiError("bad-response", `${what}: the answer is over 16 MiB`, { status: response.statusCode });
    status = response.statusCode;
    raw = read.body;
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (error instanceof EventApiError) throw error;
    throw networkError(error, { what, auth: NO_AUTH }, timeout.aborted ? timeoutMs : null);
  }
  if (status === 404) {
    throw new EventApiError("not-found", `${what}: HTTP 404 from ${url.origin}`, {
      status,
      hint: "admin routes exist only on xsolla-hooks' mock (events serve), not on Xsolla's Event API",
    });
  }
  if (status < 200 || status >= 300) {
    const excerpt = bodyExcerpt(raw, []);
    throw new EventApiError(status >= 500 ? "server" : "rejected", `${what}: HTTP ${status}${excerpt ? `: ${excerpt}` : ""}`, {
      status,
      bodyExcerpt: excerpt,
    });
  }
  try {
    return { status, json: JSON.parse(raw.toString("utf8")), raw };
  } catch {
    throw new EventApiError("bad-response", `${what}: the answer is not JSON`, { status, bodyExcerpt: bodyExcerpt(raw, []) });
  }
}

function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
}

/** `POST /_admin/events` with a webhook body: the mock enqueues it and answers the new event. */
export async function enqueueRemote(data: object, options: AdminCallOptions): Promise<XsollaEvent> {
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw new UsageError("an event's data must be a JSON object (a webhook body)", { code: ErrorCode.BadInput });
  const { json, status } = await call("POST", options, JSON.stringify(data));
  const parsed = EventSchema.safeParse(json);
  if (!parsed.success) {
    const problems = problemsOf(parsed.error);
    throw new EventApiError("bad-response", `POST /_admin/events: the answer has the wrong shape: ${problems.slice(0, 5).join("; ")}`, {
      status,
      problems,
    });
  }
  return parsed.data;
}

/** `GET /_admin/events`: every event on the mock with its processed flag. */
export async function listRemote(options: AdminCallOptions): Promise<AdminEventRecord[]> {
  const { json, status } = await call("GET", options);
  const parsed = z.object({ events: z.array(MockEventRecordSchema) }).safeParse(json);
  if (!parsed.success) {
    const problems = problemsOf(parsed.error);
    throw new EventApiError("bad-response", `GET /_admin/events: the answer has the wrong shape: ${problems.slice(0, 5).join("; ")}`, {
      status,
      problems,
    });
  }
  return parsed.data.events;
}
