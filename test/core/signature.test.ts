import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatSignatureHeader, maskSecret, parseSignatureHeader, signBody, verifySignature } from "../../src/core/signature.js";

interface Vector {
  name: string;
  bodyBase64: string;
  secret: string;
  signature: string;
}
const { vectors } = JSON.parse(readFileSync(new URL("../fixtures/signature-vectors.json", import.meta.url), "utf8")) as {
  vectors: Vector[];
};

/** sha1sum from coreutils: a third implementation, independent of Node and of the Python generator. */
function sha1sum(bytes: Buffer): string {
  const result = spawnSync("sha1sum", { input: bytes });
  return result.stdout.toString().split(/\s/)[0] ?? "";
}

describe("signBody known-answer vectors", () => {
  it("has at least 10 vectors", () => {
    expect(vectors.length).toBeGreaterThanOrEqual(10);
  });

  it.each(vectors)("$name", (vector) => {
    const body = Buffer.from(vector.bodyBase64, "base64");
    expect(signBody(body, vector.secret)).toBe(vector.signature);
    expect(sha1sum(Buffer.concat([body, Buffer.from(vector.secret, "utf8")]))).toBe(vector.signature);
    // A string body is its UTF-8 bytes (only when the bytes are valid UTF-8).
    if (Buffer.from(body.toString("utf8"), "utf8").equals(body))
      expect(signBody(body.toString("utf8"), vector.secret)).toBe(vector.signature);
  });

  it("distinguishes every vector (no two bodies collapse)", () => {
    expect(new Set(vectors.map((v) => v.signature)).size).toBe(vectors.length);
  });

  it("refuses a parsed object instead of bytes", () => {
    expect(() => signBody({ a: 1 } as unknown as string, "s")).toThrow(/raw bytes/);
    expect(() => signBody("{}", "")).toThrow(/secret/);
  });
});

describe("signature header", () => {
  const sig = "52eac2713985e212351610d008e7e14fae46f902";
  it.each([
    [`Signature ${sig}`, sig],
    [`Signature ${sig.toUpperCase()}`, null],
    [`Signature  ${sig}`, null],
    [`signature ${sig}`, null],
    [sig, null],
    [`Bearer ${sig}`, null],
    [`Signature ${sig.slice(1)}`, null],
    [`Signature ${sig} `, null],
    [undefined, null],
  ])("parses %j strictly as Xsolla's SDK does", (value, expected) => {
    expect(parseSignatureHeader(value)).toBe(expected);
  });

  it("formats", () => {
    expect(formatSignatureHeader(sig)).toBe(`Signature ${sig}`);
  });
});

describe("verifySignature", () => {
  const body = Buffer.from('{"notification_type":"payment"}');
  const secret = "s3cr3t";
  const good = `Signature ${signBody(body, secret)}`;

  it("accepts the signature of the exact bytes", () => {
    expect(verifySignature(body, secret, good)).toEqual({ ok: true, expected: signBody(body, secret) });
  });

  it.each([
    ["missing", undefined, "missing-header"],
    ["empty", "", "missing-header"],
    ["malformed", `Signature: ${signBody(body, secret)}`, "malformed-header"],
    ["other secret", `Signature ${signBody(body, "other")}`, "mismatch"],
  ])("rejects a %s header", (_name, header, reason) => {
    const result = verifySignature(body, secret, header);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toBe(reason);
  });

  it("rejects any single changed byte of the body", () => {
    for (let i = 0; i < body.length; i++) {
      const changed = Buffer.from(body);
      changed[i] = (changed[i] as number) ^ 0x01;
      expect(verifySignature(changed, secret, good).ok).toBe(false);
    }
  });
});

describe("maskSecret", () => {
  it.each(["hlnq9wXDbHbmGB3BoAfvLqJdyGpT2TOt", "short", "s3cr3t-VALUE-1234567890"])("never shows %s whole", (secret) => {
    const masked = maskSecret(secret);
    expect(masked).not.toContain(secret);
    expect(masked).toContain(`${secret.length} chars`);
  });
});
