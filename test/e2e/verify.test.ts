// The signature doctor and capture/replay through the built CLI. Each mistake is made the way a
// real handler makes it, with node:crypto directly, not with our code.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createHash, createHmac } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { collect, runCli, startCli, waitForOutput } from "../helpers/cli.js";
import { startHandler } from "../helpers/handlers.js";

const SECRET = "verify-secret-0f9e8d7c";
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "xsolla-hooks-verify-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
const sha1 = (...parts: (string | Buffer)[]) => parts.reduce((h, p) => h.update(p), createHash("sha1")).digest("hex");
const sortKeys = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(sortKeys)
    : value && typeof value === "object"
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
        )
      : value;

// As Xsolla sends it: pretty JSON with a slash and non-ASCII text.
const SENT =
  '{\n  "notification_type": "payment",\n  "user": {\n    "id": "player_1",\n    "name": "Игрок"\n  },\n  "custom_parameters": {\n    "return_url": "https://game.example.com/shop"\n  }\n}';
const parsed = JSON.parse(SENT) as unknown;
const PHP_ESCAPED =
  '{"notification_type":"payment","user":{"id":"player_1","name":"\\u0418\\u0433\\u0440\\u043e\\u043a"},"custom_parameters":{"return_url":"https:\\/\\/game.example.com\\/shop"}}';

const CASES: [string, string, string, string?][] = [
  ["body-reserialized-compact", SENT, `Signature ${sha1(JSON.stringify(parsed), SECRET)}`],
  ["body-reserialized-pretty", JSON.stringify(parsed), `Signature ${sha1(JSON.stringify(parsed, null, 4), SECRET)}`],
  ["body-keys-sorted", SENT, `Signature ${sha1(JSON.stringify(sortKeys(parsed)), SECRET)}`],
  ["body-escaping", JSON.stringify(parsed), `Signature ${sha1(PHP_ESCAPED, SECRET)}`],
  ["trailing-newline", SENT, `Signature ${sha1(`${SENT}\n`, SECRET)}`],
  ["crlf", SENT, `Signature ${sha1(SENT.replace(/\n/g, "\r\n"), SECRET)}`],
  ["bom", SENT, `Signature ${sha1(Buffer.from([0xef, 0xbb, 0xbf]), SENT, SECRET)}`],
  ["secret-whitespace", SENT, `Signature ${sha1(SENT, `${SECRET}\n`)}`],
  ["secret-first", SENT, `Signature ${sha1(SECRET, SENT)}`],
  ["hmac-sha1", SENT, `Signature ${createHmac("sha1", SECRET).update(SENT).digest("hex")}`],
  ["sha256", SENT, `Signature ${createHash("sha256").update(SENT).update(SECRET).digest("hex")}`],
  ["uppercase-hex", SENT, `Signature ${sha1(SENT, SECRET).toUpperCase()}`],
  ["header-format", SENT, `Signature  ${sha1(SENT, SECRET)}`],
  ["no-match", SENT, `Signature ${sha1(SENT, "some-other-secret")}`],
];

describe("verify", () => {
  it("exit 0 for the right signature, in all three accepted spellings", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "body.json"), SENT);
    for (const signature of [sha1(SENT, SECRET), `Signature ${sha1(SENT, SECRET)}`, `Authorization: Signature ${sha1(SENT, SECRET)}`]) {
      const result = await runCli(["verify", "body.json", "--secret", SECRET, "--signature", signature], { cwd: dir });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^✓ signature matches the \d+ body bytes/);
    }
  });

  it.each(CASES)("names %s", async (code, body, signature) => {
    const dir = tempDir();
    writeFileSync(join(dir, "body.json"), body);
    const json = await runCli(["verify", "body.json", "--secret", SECRET, "--signature", signature, "--json"], { cwd: dir });
    expect(json.code).toBe(1);
    const result = JSON.parse(json.stdout) as {
      ok: boolean;
      diagnosis: string;
      message: string;
      expected: string;
      received: string | null;
    };
    expect(result).toMatchObject({ ok: false, diagnosis: code, expected: sha1(body, SECRET) });
    const human = await runCli(["verify", "body.json", "--secret", SECRET, "--signature", signature], { cwd: dir });
    expect(human.stdout).toMatch(new RegExp(`^✗ ${code}: `));
    expect(human.stdout).toMatch(/\n {2}fix: /);
    expect(json.stdout + human.stdout + human.stderr).not.toContain(SECRET);
  });

  it("points at the first changed byte when given the body as sent", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "sent.json"), SENT);
    writeFileSync(join(dir, "received.json"), SENT.replace("player_1", "player_2"));
    const result = await runCli(
      ["verify", "received.json", "--secret", SECRET, "--signature", sha1(SENT, SECRET), "--expected-body", "sent.json", "--json"],
      { cwd: dir },
    );
    const parsedResult = JSON.parse(result.stdout) as { diagnosis: string; details: Record<string, unknown> };
    expect(parsedResult.diagnosis).toBe("no-match");
    expect(parsedResult.details.firstDifferenceOffset).toBe(SENT.indexOf("player_1") + "player_".length);
  });

  it("bad input exits 2 with one line", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "garbage.http"), "this is not an HTTP request");
    for (const args of [
      ["verify", "body.json", "--secret", SECRET],
      ["verify", "missing.json", "--secret", SECRET, "--signature", "x"],
      ["verify", "--request", "garbage.http", "--secret", SECRET],
      ["verify", "--signature", "x"],
    ]) {
      const result = await runCli(args, { cwd: dir });
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
    }
  });
});

describe("capture and replay", () => {
  it("listen --save writes each request as it arrived; verify --request checks it; send --request replays it byte for byte, and --resign moves it to another secret", async () => {
    const dir = tempDir();
    const listener = startCli(["listen", "--secret", SECRET, "--save", "captures", "--max-requests", "2"], { cwd: dir });
    cleanup.push(() => void listener.kill("SIGKILL"));
    const done = collect(listener);
    const [, url] = await waitForOutput(listener, /listening on (\S+)/);
    expect((await runCli(["send", "order_paid", "--url", url as string, "--secret", SECRET])).code).toBe(0);
    expect(
      (await runCli(["send", "payment", "--url", url as string, "--secret", "not-the-secret", "--expect", "4xx:INVALID_SIGNATURE"])).code,
    ).toBe(0);
    expect((await done).code).toBe(0);

    const files = readdirSync(join(dir, "captures")).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^000001-.*-order_paid\.http$/);
    expect(files[1]).toMatch(/^000002-.*-payment\.http$/);
    const capture = readFileSync(join(dir, "captures", files[0] as string));
    expect(capture.toString("latin1")).toMatch(/^POST \/ HTTP\/1\.1\r\n/);

    const good = await runCli(["verify", "--request", join("captures", files[0] as string), "--secret", SECRET], { cwd: dir });
    expect(good.code).toBe(0);
    const bad = await runCli(["verify", "--request", join("captures", files[1] as string), "--secret", SECRET, "--json"], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).diagnosis).toBe("no-match");

    const staging = await startHandler(SECRET);
    cleanup.push(() => staging.close());
    const replay = await runCli(["send", "--request", join("captures", files[0] as string), "--url", staging.url], { cwd: dir });
    expect(replay.code, replay.stdout + replay.stderr).toBe(0);
    const body = capture.subarray(capture.indexOf("\r\n\r\n") + 4);
    expect(staging.requests[0]?.body.equals(body)).toBe(true);
    expect(capture.toString("latin1")).toContain(`authorization: ${staging.requests[0]?.headers.authorization}`);

    const otherSecret = "staging-secret-2";
    const other = await startHandler(otherSecret);
    cleanup.push(() => other.close());
    expect((await runCli(["send", "--request", join("captures", files[0] as string), "--url", other.url], { cwd: dir })).code).toBe(1);
    const resigned = await runCli(
      ["send", "--request", join("captures", files[0] as string), "--resign", "--secret", otherSecret, "--url", other.url],
      { cwd: dir },
    );
    expect(resigned.code).toBe(0);
    expect(other.requests[1]?.body.equals(body)).toBe(true);
  });

  it("sign --format curl prints a command that sends the exact bytes with a valid signature", async () => {
    const handler = await startHandler(SECRET);
    cleanup.push(() => handler.close());
    const dir = tempDir();
    const body = '{\n  "notification_type": "payment",\n  "user": {"id": "o\'brien", "name": "Игрок"}\n}\n';
    writeFileSync(join(dir, "body.json"), body);
    const printed = await runCli(["sign", "body.json", "--secret", SECRET, "--format", "curl", "--url", handler.url], { cwd: dir });
    expect(printed.code).toBe(0);
    // Asynchronously: the handler lives in this process and must keep answering while curl runs.
    const { stdout: out } = await promisify(execFile)("bash", ["-c", printed.stdout], { encoding: "utf8", timeout: 10_000 });
    expect(out).toMatch(/^HTTP\/1\.1 204/);
    expect(handler.requests[0]?.body.toString()).toBe(body);
    expect((await runCli(["sign", "body.json", "--secret", SECRET, "--format", "hex"], { cwd: dir })).stdout).toBe(
      `${sha1(body, SECRET)}\n`,
    );
  });
});
