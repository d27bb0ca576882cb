// The reference handler's rules as a table, then the same rules through a real socket.
import { afterEach, describe, expect, it } from "vitest";
import { createReceiverState, respondToWebhook, type RespondOptions } from "../../src/server/respond.js";
import { startReceiver, type RunningReceiver } from "../../src/server/receiver.js";
import { XSOLLA_NOTIFICATION_TYPES } from "../../src/core/fixtures/known-types.js";
import { signBody } from "../../src/core/signature.js";
import { sendWebhook } from "../../src/runners/send.js";

const SECRET = "receiver-secret";
const options: RespondOptions = { secret: SECRET, knownTypes: new Set(XSOLLA_NOTIFICATION_TYPES), unknownUsers: ["banned_1"] };
const signed = (body: string, secret = SECRET) => ({
  method: "POST",
  headers: { authorization: `Signature ${signBody(body, secret)}` },
  body: Buffer.from(body),
});

describe("respondToWebhook", () => {
  it.each([
    ["valid payment", signed('{"notification_type":"payment","transaction":{"id":1}}'), 204, undefined],
    ["wrong secret", signed('{"notification_type":"payment"}', "other"), 400, "INVALID_SIGNATURE"],
    ["no header", { method: "POST", headers: {}, body: Buffer.from("{}") }, 400, "INVALID_SIGNATURE"],
    [
      "uppercase hex",
      { method: "POST", headers: { authorization: `Signature ${signBody("{}", SECRET).toUpperCase()}` }, body: Buffer.from("{}") },
      400,
      "INVALID_SIGNATURE",
    ],
    ["not JSON", signed("{oops"), 400, "INVALID_PARAMETER"],
    ["no notification_type", signed('{"user":{"id":"1"}}'), 400, "INVALID_PARAMETER"],
    ["unknown notification_type", signed('{"notification_type":"nope"}'), 400, "INVALID_PARAMETER"],
    ["test_xsolla user", signed('{"notification_type":"user_validation","user":{"id":"test_xsolla_1"}}'), 400, "INVALID_USER"],
    ["--unknown-user", signed('{"notification_type":"user_validation","user":{"id":"banned_1"}}'), 400, "INVALID_USER"],
    ["known user", signed('{"notification_type":"user_validation","user":{"id":"sample_user_1"}}'), 204, undefined],
    [
      "a user it does not know, whatever the id looks like",
      signed('{"notification_type":"user_validation","user":{"id":"player_1"}}'),
      400,
      "INVALID_USER",
    ],
    ["GET", { method: "GET", headers: {}, body: Buffer.alloc(0) }, 405, "INVALID_PARAMETER"],
  ])("%s → %i %s", (_name, request, status, errorCode) => {
    const answer = respondToWebhook(request, options, createReceiverState());
    expect(answer.status).toBe(status);
    expect(answer.errorCode).toBe(errorCode);
    if (errorCode) expect(JSON.parse(answer.body)).toEqual({ error: { code: errorCode, message: expect.any(String) } });
  });

  it("knows the users it is told about, or every id but the tester's prefix with knownUsers: any", () => {
    const validation = (id: string) => signed(`{"notification_type":"user_validation","user":{"id":"${id}"}}`);
    const store = { ...options, knownUsers: ["sample_user_1", "player_7"] };
    expect(respondToWebhook(validation("player_7"), store, createReceiverState()).status).toBe(204);
    expect(respondToWebhook(validation("player_8"), store, createReceiverState()).errorCode).toBe("INVALID_USER");
    const any = { ...options, knownUsers: "any" as const };
    expect(respondToWebhook(validation("player_8"), any, createReceiverState()).status).toBe(204);
    expect(respondToWebhook(validation("test_xsolla_9"), any, createReceiverState()).errorCode).toBe("INVALID_USER");
    expect(respondToWebhook(validation("banned_1"), any, createReceiverState()).errorCode).toBe("INVALID_USER");
  });

  it.each([
    ["INVALID_SIGNATURE", signed("{}", "other"), 401],
    ["INVALID_USER", signed('{"notification_type":"user_validation","user":{"id":"test_xsolla_2"}}'), 422],
    ["INVALID_PARAMETER", signed("[1"), 422],
  ])("sdk style: %s → %i", (_code, request, status) => {
    expect(respondToWebhook(request, { ...options, statusStyle: "sdk" }, createReceiverState()).status).toBe(status);
  });

  it("answers the documented bodies for the three look-up webhooks", () => {
    const state = createReceiverState();
    const search = respondToWebhook(signed('{"notification_type":"user_search","user":{"public_id":"nick"}}'), options, state);
    expect(search.status).toBe(200);
    expect(JSON.parse(search.body)).toMatchObject({ user: { id: "nick", public_id: "nick" } });
    const pin = respondToWebhook(signed('{"notification_type":"get_pincode","user":{"id":"1"}}'), options, state);
    expect(JSON.parse(pin.body).pin_code).toMatch(/^[0-9A-F]{4}(-[0-9A-F]{4}){3}$/);
    const catalog = respondToWebhook(signed('{"notification_type":"partner_side_catalog","user":{"user_id":"1"}}'), options, state);
    expect(Array.isArray(JSON.parse(catalog.body))).toBe(true);
  });

  it("counts deliveries per transaction and simulates failures only for signed deliveries", () => {
    const state = createReceiverState();
    const body = '{"notification_type":"payment","transaction":{"id":77}}';
    const sim = { ...options, failFirst: 1 };
    expect(respondToWebhook(signed(body, "bad"), sim, state).status).toBe(400);
    expect(respondToWebhook(signed(body), sim, state)).toMatchObject({ status: 500, deliveryCount: 1, verdict: "simulated" });
    expect(respondToWebhook(signed(body), sim, state)).toMatchObject({ status: 204, deliveryCount: 2 });
    expect(respondToWebhook(signed(body), { ...options, forceStatus: 503 }, state)).toMatchObject({ status: 503, deliveryCount: 3 });
  });
});

describe("startReceiver over a real socket", () => {
  let receiver: RunningReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it("verifies the raw bytes as sent (pretty JSON with unicode) and records the request", async () => {
    receiver = await startReceiver({ secret: SECRET });
    const body = '{\n    "notification_type": "payment",\n    "user": {"name": "Игрок \\u2713 \\/"}\n}';
    const result = await sendWebhook({ url: receiver.url, secret: SECRET, body });
    expect(result.attempts[0]?.result).toMatchObject({ kind: "reply", status: 204 });
    expect(receiver.requests[0]?.body.toString()).toBe(body);
    expect(receiver.host).toBe("127.0.0.1");
  });

  it("answers 413 past the body limit, and --drop closes without an answer", async () => {
    receiver = await startReceiver({ secret: SECRET, bodyLimit: 100 });
    const big = await sendWebhook({
      url: receiver.url,
      secret: SECRET,
      body: JSON.stringify({ notification_type: "payment", pad: "x".repeat(500) }),
    });
    expect(big.attempts[0]?.result).toMatchObject({ status: 413 });
    await receiver.close();

    receiver = await startReceiver({ secret: SECRET, drop: true });
    const dropped = await sendWebhook({ url: receiver.url, secret: SECRET, body: '{"notification_type":"payment"}' });
    expect(dropped.attempts[0]?.result).toMatchObject({ kind: "no-reply", error: { kind: "reset" } });
  });

  it("--delay longer than the sender's timeout is a timeout for the sender", async () => {
    receiver = await startReceiver({ secret: SECRET, delayMs: 1_000 });
    const slow = await sendWebhook({ url: receiver.url, secret: SECRET, body: '{"notification_type":"payment"}', timeoutMs: 150 });
    expect(slow.attempts[0]?.result).toMatchObject({ kind: "no-reply", error: { kind: "timeout" } });
  });
});
