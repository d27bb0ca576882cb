// The inspector's text helpers, and its curl command run for real in bash against a loopback server.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { curlResendCommand } from "../../src/core/curl.js";
import { CONNECTION_HEADERS } from "../../src/core/delivery/replay.js";
import { bodyAsText, deliveryIds, prettyJson } from "../../src/core/inspector-view.js";
import { startLoopback, type LoopbackServer } from "../helpers/loopback.js";

let peer: LoopbackServer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

describe("body text for the page", () => {
  it("shows every byte: control characters, a BOM and invalid UTF-8 as \\xNN, text as text", () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":"Игрок\r\n\t"}'), Buffer.from([0xff, 0x00])]);
    expect(bodyAsText(body, 1024)).toEqual({ text: '\\xef\\xbb\\xbf{"a":"Игрок\\x0d\n\t"}\\xff\\x00', truncated: false, escaped: true });
    expect(bodyAsText(Buffer.from('{"plain":true}'), 1024)).toEqual({ text: '{"plain":true}', truncated: false, escaped: false });
    expect(bodyAsText(Buffer.from("abcdef"), 3)).toEqual({ text: "abc", truncated: true, escaped: false });
  });

  it("pretty-prints JSON, or says why not", () => {
    expect(prettyJson(Buffer.from('{"a":[1]}'), 100)).toEqual({ text: '{\n  "a": [\n    1\n  ]\n}', truncated: false, error: null });
    expect(prettyJson(Buffer.from("not json"), 100)).toMatchObject({ text: null, error: expect.stringMatching(/^not JSON: /) });
  });

  it("finds user, transaction and order ids where the notification types put them", () => {
    expect(deliveryIds({ user: { id: "u" }, transaction: { id: 5 }, order: { id: "o" } })).toEqual({
      user: "u",
      transaction: "5",
      order: "o",
    });
    expect(deliveryIds({ user: { external_id: "x" }, billing: { transaction: { id: 7 } } })).toEqual({
      user: "x",
      transaction: "7",
      order: null,
    });
    expect(deliveryIds("not an object")).toEqual({ user: null, transaction: null, order: null });
  });
});

describe("copy as curl", () => {
  const headers: [string, string][] = [
    ["Host", "127.0.0.1:1"],
    ["Content-Type", "application/json"],
    ["Authorization", "Signature 0123456789abcdef0123456789abcdef01234567"],
    ["Content-Length", "999"],
    ["X-Odd", "caf\u00e9 'quoted'"],
  ];

  it.each([
    [
      "text with quotes, unicode and newlines",
      Buffer.from('{\n  "user": {"id": "o\'brien", "name": "Игрок"},\n  "x": "$HOME `id` \\n"\n}'),
    ],
    ["bytes a clipboard cannot carry (CR, NUL, invalid UTF-8)", Buffer.from([0x7b, 0x0d, 0x0a, 0x00, 0xff, 0x27, 0x7d])],
    ["no trailing newline added or lost", Buffer.from('{"a":1}\n\n')],
  ])("re-sends %s byte for byte when run in bash", async (_name, body) => {
    peer = await startLoopback();
    const command = curlResendCommand(peer.url, headers, body, CONNECTION_HEADERS);
    const { stdout } = await promisify(execFile)("bash", ["-c", command], { encoding: "utf8", timeout: 10_000 });
    expect(stdout).toMatch(/^HTTP\/1\.1 204/);
    const got = peer.requests[0]!;
    expect(got.body.equals(body)).toBe(true);
    expect(got.headers.authorization).toBe("Signature 0123456789abcdef0123456789abcdef01234567");
    expect(Buffer.from(got.headers["x-odd"] as string, "latin1").equals(Buffer.from("caf\u00e9 'quoted'", "latin1"))).toBe(true);
    expect(got.headers.expect).toBeUndefined();
    expect(got.headers.host).toBe(new URL(peer.url).host);
  });
});
