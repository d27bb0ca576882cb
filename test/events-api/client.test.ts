// The client against the mock (real sockets on 127.0.0.1) and against scripted loopback peers for
// answers the mock never gives.
import { describe, expect, it } from "vitest";
import {
  createEventApiClient,
  parseRetryAfter,
  buildListUrl,
  resolveClientConfig,
  type EventApiClientOptions,
} from "../../src/events-api/client.js";
import { EventApiError } from "../../src/events-api/errors.js";
import { maskToken } from "../../src/events-api/jwt.js";
import { startMockEventApi, type MockEventApiOptions } from "../../src/events-api/mock-server.js";
import { ExitCode, UsageError } from "../../src/core/errors.js";
import { refusedPort, startLoopback, type Script } from "../helpers/loopback.js";
import { START, disposeLater, makeJwt, webhookBody } from "./helpers.js";

const JWT = makeJwt({ sub: "user-1", exp: Math.floor(START / 1000) + 86_400 });

async function mock(options: MockEventApiOptions = {}) {
  return disposeLater(await startMockEventApi({ now: () => START, ...options }));
}

function client(baseUrl: string, options: Partial<EventApiClientOptions> = {}) {
  return disposeLater(createEventApiClient({ baseUrl, auth: { kind: "jwt", jwt: JWT }, now: () => START, timeoutMs: 2_000, ...options }));
}

async function loopback(script: Script) {
  const server = disposeLater(await startLoopback(script));
  return { server, baseUrl: `http://127.0.0.1:${server.port}` };
}

async function failure(promise: Promise<unknown>): Promise<EventApiError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EventApiError);
  return error as EventApiError;
}

describe("listing and acknowledging against the mock", () => {
  it("lists unprocessed events in id order with the documented shape", async () => {
    const api = await mock();
    const a = api.enqueue(webhookBody("payment", 1));
    const b = api.enqueue(webhookBody("order_paid", 2));
    const events = await client(api.url).listEvents();
    expect(events.map((e) => e.id)).toEqual([a.id, b.id]);
    expect(events[0]).toEqual({ id: a.id, status: 0, created_at: new Date(START).toISOString(), data: webhookBody("payment", 1) });
    expect(events[1]?.data.notification_type).toBe("order_paid");
  });

  it("filters by types, sent as repeated types= parameters", async () => {
    const api = await mock();
    api.enqueue(webhookBody("payment"));
    api.enqueue(webhookBody("order_paid"));
    api.enqueue(webhookBody("refund"));
    api.enqueue(webhookBody("user_validation"));
    const events = await client(api.url).listEvents({ types: ["payment", "refund"] });
    expect(events.map((e) => e.data.notification_type)).toEqual(["payment", "refund"]);
    expect(api.requests().at(-1)?.query["types"]).toEqual(["payment", "refund"]);
  });

  it("lists only events after after_id", async () => {
    const api = await mock();
    for (let i = 0; i < 5; i++) api.enqueue({ notification_type: "payment", n: i });
    const events = await client(api.url).listEvents({ afterId: 3 });
    expect(events.map((e) => e.id)).toEqual([4, 5]);
    expect(await client(api.url).listEvents({ afterId: 5 })).toEqual([]);
  });

  it("does not list an event again once it is marked processed", async () => {
    const api = await mock();
    const first = api.enqueue(webhookBody("payment"));
    const second = api.enqueue(webhookBody("refund"));
    const c = client(api.url);
    await c.markProcessed(first.id);
    expect((await c.listEvents()).map((e) => e.id)).toEqual([second.id]);
    expect(api.isProcessed(first.id)).toBe(true);
    // Acknowledging twice is harmless (the first answer may have been lost).
    await c.markProcessed(first.id);
    expect(api.records()[0]?.acks).toBe(2);
  });

  it("gives not-found for an unknown event id", async () => {
    const api = await mock();
    const error = await failure(client(api.url).markProcessed(404));
    expect(error.kind).toBe("not-found");
    expect(error.status).toBe(404);
    expect(error.message).toMatch(/^POST \/events\/404\/processed: no such event \(HTTP 404\)/);
    expect(error.exitCode).toBe(ExitCode.Usage);
  });

  it("pages: at most pageSize events per answer", async () => {
    const api = await mock({ pageSize: 3 });
    for (let i = 0; i < 7; i++) api.enqueue({ notification_type: "payment" });
    expect((await client(api.url).listEvents()).map((e) => e.id)).toEqual([1, 2, 3]);
    expect((await client(api.url).listEvents({ afterId: 3 })).map((e) => e.id)).toEqual([4, 5, 6]);
  });
});

describe("credentials", () => {
  it("sends the JWT as a Bearer header and no token parameter", async () => {
    const { server, baseUrl } = await loopback(
      (_r, res) => void res.writeHead(200, { "content-type": "application/json" }).end('{"events":[]}'),
    );
    await client(baseUrl, { projectId: 12345 }).listEvents({ afterId: 0, types: ["payment", "order_paid"] });
    const request = server.requests[0];
    expect(request?.method).toBe("GET");
    expect(request?.headers.authorization).toBe(`Bearer ${JWT}`);
    expect(request?.url).toBe("/events?after_id=0&types=payment&types=order_paid&project_id=12345");
  });

  it("sends a payment token as token= and no Authorization header", async () => {
    const { server, baseUrl } = await loopback((_r, res) => void res.writeHead(204).end());
    const token = "pay_tok_ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    await client(baseUrl, { auth: { kind: "token", token } }).markProcessed(77);
    const request = server.requests[0];
    expect(request?.method).toBe("POST");
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.url).toBe(`/events/77/processed?token=${token}`);
    expect(request?.body.length).toBe(0);
  });

  it("the mock accepts any non-empty Bearer JWT or token when nothing is pinned", async () => {
    const api = await mock();
    api.enqueue({ notification_type: "payment" });
    expect(await client(api.url, { auth: { kind: "jwt", jwt: "anything" } }).listEvents()).toHaveLength(1);
    expect(await client(api.url, { auth: { kind: "token", token: "some-payment-token" } }).listEvents()).toHaveLength(1);
    expect(api.requests().map((r) => r.auth)).toEqual(["bearer", "token"]);
    // The mock's log never keeps a token whole.
    expect(api.requests()[1]?.query["token"]).toEqual([maskToken("some-payment-token")]);
  });

  it("a pinned JWT rejects another JWT and tokens, with a message that never holds them whole", async () => {
    const pinned = makeJwt({ sub: "the-one" });
    const other = makeJwt({ sub: "someone-else" });
    const api = await mock({ jwt: pinned });
    api.enqueue({ notification_type: "payment" });
    expect(await client(api.url, { auth: { kind: "jwt", jwt: pinned } }).listEvents()).toHaveLength(1);

    const error = await failure(client(api.url, { auth: { kind: "jwt", jwt: other } }).listEvents());
    expect(error.kind).toBe("auth");
    expect(error.status).toBe(401);
    expect(error.message).not.toContain(other);
    expect(error.message).toContain(maskToken(other));
    expect(error.exitCode).toBe(ExitCode.Usage);

    const token = "a-payment-token-that-is-long";
    const tokenError = await failure(client(api.url, { auth: { kind: "token", token } }).listEvents());
    expect(tokenError.kind).toBe("auth");
    expect(tokenError.message).not.toContain(token);
    expect(tokenError.hint).toMatch(/payment token/);
  });

  it("401 with an expired JWT says when it expired, never showing the JWT", async () => {
    const expired = makeJwt({ sub: "user-1", exp: Math.floor(START / 1000) - 3 * 3600 });
    const api = await mock();
    const error = await failure(client(api.url, { auth: { kind: "jwt", jwt: expired } }).listEvents());
    expect(error.kind).toBe("auth");
    expect(error.message).toBe(
      `GET /events: the Event API refused the JWT ${maskToken(expired)} (HTTP 401 unauthorized): it expired at 2025-01-15T09:00:00.000Z (3 h ago)`,
    );
    expect(error.expiredAt?.toISOString()).toBe("2025-01-15T09:00:00.000Z");
    expect(error.hint).toMatch(/fresh/);
    expect(JSON.stringify({ m: error.message, h: error.hint, b: error.bodyExcerpt })).not.toContain(expired);
  });

  it("a refused JWT that is not expired names its future expiry", async () => {
    const api = await mock({ faults: { unauthorized: true } });
    const error = await failure(client(api.url).listEvents());
    expect(error.message).toMatch(/; it expires at 2025-01-16T12:00:00\.000Z \(in 24 h\)$/);
  });

  it("403 is an auth error too", async () => {
    const { baseUrl } = await loopback(
      (_r, res) => void res.writeHead(403, { "content-type": "application/json" }).end('{"error":{"code":"FORBIDDEN"}}'),
    );
    const error = await failure(client(baseUrl).listEvents());
    expect(error.kind).toBe("auth");
    expect(error.message).toContain("HTTP 403 forbidden");
    expect(error.bodyExcerpt).toBe('{"error":{"code":"FORBIDDEN"}}');
  });

  it("validates options before any request", () => {
    expect(() => resolveClientConfig({ baseUrl: "ftp://x", auth: { kind: "jwt", jwt: "a" } })).toThrow(UsageError);
    expect(() => resolveClientConfig({ baseUrl: "not a url", auth: { kind: "jwt", jwt: "a" } })).toThrow(UsageError);
    expect(() => resolveClientConfig({ auth: { kind: "jwt", jwt: "  " } })).toThrow(/JWT is empty/);
    expect(() => resolveClientConfig({ auth: { kind: "token", token: "" } })).toThrow(/payment token is empty/);
    expect(resolveClientConfig({ auth: { kind: "jwt", jwt: "Bearer abc" } }).auth).toEqual({ kind: "jwt", jwt: "abc" });
    expect(resolveClientConfig({ auth: { kind: "jwt", jwt: "abc" } }).baseUrl).toBe("https://getupdate.xsolla.com/");
  });

  it("keeps a base URL's path prefix", () => {
    const config = resolveClientConfig({ baseUrl: "https://xsolla.redocly.app/_mock/api/event", auth: { kind: "token", token: "t" } });
    expect(buildListUrl(config, { afterId: 0 }).href).toBe("https://xsolla.redocly.app/_mock/api/event/events?after_id=0&token=t");
  });
});

describe("failures", () => {
  it("429 is rate-limited with Retry-After in seconds", async () => {
    const { baseUrl } = await loopback((_r, res) => void res.writeHead(429, { "retry-after": "7" }).end());
    const error = await failure(client(baseUrl).listEvents());
    expect(error.kind).toBe("rate-limited");
    expect(error.retryAfterMs).toBe(7_000);
    expect(error.retryable).toBe(true);
    expect(error.message).toBe("GET /events: rate limited (HTTP 429, Retry-After 7 s)");
  });

  it("the mock's rate limit answers 429 with Retry-After", async () => {
    const api = await mock({ faults: { rateLimit: 2 } });
    const c = client(api.url);
    await c.listEvents();
    await c.listEvents();
    const error = await failure(c.listEvents());
    expect(error.kind).toBe("rate-limited");
    expect(error.retryAfterMs).toBe(1_000);
  });

  it.each([500, 502, 503])("%d is a server error, with the body quoted", async (status) => {
    const { baseUrl } = await loopback((_r, res) => void res.writeHead(status).end("upstream\n  went away"));
    const error = await failure(client(baseUrl).listEvents());
    expect(error.kind).toBe("server");
    expect(error.status).toBe(status);
    expect(error.message).toBe(`GET /events: server error (HTTP ${status}): upstream went away`);
  });

  it("a server error that echoes the token has it masked", async () => {
    const token = "secret-payment-token-0123456789";
    const { baseUrl } = await loopback((r, res) => void res.writeHead(500).end(`bad request ${r.url}`));
    const error = await failure(client(baseUrl, { auth: { kind: "token", token } }).listEvents());
    expect(error.message).not.toContain(token);
    expect(error.message).toContain(maskToken(token));
  });

  it("other 4xx are rejected; 404 on the list points at the base URL", async () => {
    const { baseUrl } = await loopback((r, res) => void res.writeHead(r.url.startsWith("/events?") ? 400 : 404).end());
    expect((await failure(client(baseUrl).listEvents({ afterId: 1 }))).kind).toBe("rejected");
    const notFound = await failure(client(`${baseUrl}/wrong`).listEvents());
    expect(notFound.kind).toBe("not-found");
    expect(notFound.hint).toMatch(/base URL/);
  });

  it("a redirect is a bad response", async () => {
    const { baseUrl } = await loopback((_r, res) => void res.writeHead(302, { location: "https://elsewhere.invalid/" }).end());
    const error = await failure(client(baseUrl).listEvents());
    expect(error.kind).toBe("bad-response");
    expect(error.message).toContain("unexpected redirect (HTTP 302) to https://elsewhere.invalid/");
  });

  it("malformed JSON is a bad response", async () => {
    const { baseUrl } = await loopback(
      (_r, res) => void res.writeHead(200, { "content-type": "application/json" }).end('{"events":[{"id":1,'),
    );
    const error = await failure(client(baseUrl).listEvents());
    expect(error.kind).toBe("bad-response");
    expect(error.message).toMatch(/^GET \/events: the answer is not JSON \(/);
    expect(error.exitCode).toBe(ExitCode.Unreachable);
  });

  it("an empty 200 is a bad response", async () => {
    const { baseUrl } = await loopback((_r, res) => void res.writeHead(200).end());
    expect((await failure(client(baseUrl).listEvents())).message).toBe("GET /events: empty answer (HTTP 200), expected JSON");
  });

  it("a wrong shape is a bad response naming each path", async () => {
    const body = {
      events: [
        { id: 1, status: 0, created_at: "x", data: {} },
        { id: 2, status: 0, created_at: "x", data: {} },
        { id: "two", status: 0, created_at: "x", data: [] },
      ],
    };
    const { baseUrl } = await loopback(
      (_r, res) => void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body)),
    );
    const error = await failure(client(baseUrl).listEvents());
    expect(error.kind).toBe("bad-response");
    expect(error.problems).toEqual(["events[2].id: expected an integer", "events[2].data: expected an object"]);
    expect(error.message).toBe(
      "GET /events: the answer has the wrong shape: events[2].id: expected an integer; events[2].data: expected an object",
    );
  });

  it("listEventsPage sets malformed events aside and returns the rest; only the page's own shape fails it", async () => {
    const body = {
      events: [
        { id: 1, status: 0, created_at: "x", data: {} },
        { id: 2, data: { notification_type: "payment" } },
        { id: 3, status: 0, created_at: "x", data: [] },
        { id: "two", status: 0, created_at: "x", data: {} },
      ],
    };
    const { baseUrl } = await loopback((request, res) => {
      const text = request.url.includes("after_id=9") ? '{"events":"none"}' : JSON.stringify(body);
      res.writeHead(200, { "content-type": "application/json" }).end(text);
    });
    const page = await client(baseUrl).listEventsPage();
    expect(page.events).toEqual([
      { id: 1, status: 0, created_at: "x", data: {} },
      { id: 2, status: 0, created_at: null, data: { notification_type: "payment" } },
    ]);
    expect(page.rejected.map((r) => [r.id, r.problems])).toEqual([
      [3, ["events[2].data: expected an object"]],
      [undefined, ["events[3].id: expected an integer"]],
    ]);
    const error = await failure(client(baseUrl).listEventsPage({ afterId: 9 }));
    expect(error.message).toBe("GET /events: the answer has the wrong shape: events: expected an array");
  });

  it("an answer over 1 MiB is a bad response", async () => {
    const big = JSON.stringify({ events: [{ id: 1, status: 0, created_at: "x", data: { pad: "x".repeat(1_100_000) } }] });
    const { baseUrl } = await loopback((_r, res) => void res.writeHead(200, { "content-type": "application/json" }).end(big));
    const error = await failure(client(baseUrl).listEvents());
    expect(error.kind).toBe("bad-response");
    expect(error.message).toBe("GET /events: the answer is larger than 1 MiB");
  });

  it("a refused connection is a network error", async () => {
    const port = await refusedPort();
    const error = await failure(client(`http://127.0.0.1:${port}`).listEvents());
    expect(error.kind).toBe("network");
    expect(error.transportKind).toBe("refused");
    expect(error.status).toBeNull();
    expect(error.message).toMatch(/^GET \/events: connection refused: /);
  });

  it("a dropped socket is a network error", async () => {
    const api = await mock({ faults: { dropRate: 1 } });
    const error = await failure(client(api.url).markProcessed(1));
    expect(error.kind).toBe("network");
    expect(error.transportKind).toBe("reset");
  });

  it("no answer within timeoutMs is a network timeout", async () => {
    const { baseUrl } = await loopback(() => undefined);
    const error = await failure(client(baseUrl, { timeoutMs: 150 }).listEvents());
    expect(error.kind).toBe("network");
    expect(error.transportKind).toBe("timeout");
    expect(error.message).toBe("GET /events: timed out: no answer within 150 ms");
    expect(error.code).toBe("TIMEOUT");
  });

  it("an abort from the caller is rethrown as is, not as an API error", async () => {
    const { server, baseUrl } = await loopback(() => undefined);
    const controller = new AbortController();
    const pending = client(baseUrl).listEvents({ signal: controller.signal });
    await server.nextRequest();
    controller.abort(new Error("stop"));
    await expect(pending).rejects.toThrow("stop");
  });
});

describe("parseRetryAfter", () => {
  it.each([
    ["120", 120_000],
    ["0", 0],
    [" 3 ", 3_000],
    [new Date(START + 30_000).toUTCString(), 30_000],
    [new Date(START - 30_000).toUTCString(), 0],
    ["soon", null],
    ["-1", null],
    ["1.5", null],
    [undefined, null],
  ])("%s → %s", (value, ms) => {
    expect(parseRetryAfter(value, START)).toBe(ms);
  });
});
