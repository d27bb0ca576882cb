// xsolla-hooks/verify, the production verifier, against known-answer vectors made by an independent tool.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { verifyXsollaSignature, xsollaErrorBody } from "../../src/verify.js";

interface Vector {
  name: string;
  bodyBase64: string;
  secret: string;
  signature: string;
}
const vectors = (JSON.parse(readFileSync(new URL("../fixtures/signature-vectors.json", import.meta.url), "utf8")) as { vectors: Vector[] })
  .vectors;

describe("verifyXsollaSignature", () => {
  it.each(vectors.map((v) => [v.name, v] as const))("accepts the right signature and refuses a changed one: %s", (_name, v) => {
    const body = Buffer.from(v.bodyBase64, "base64");
    expect(verifyXsollaSignature(body, `Signature ${v.signature}`, v.secret)).toEqual({ ok: true });
    const flipped = v.signature.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    expect(verifyXsollaSignature(body, `Signature ${flipped}`, v.secret)).toEqual({ ok: false, reason: "mismatch" });
  });

  it("reads the header as strictly as Xsolla's PHP SDK", () => {
    const v = vectors[0] as Vector;
    const body = Buffer.from(v.bodyBase64, "base64");
    for (const header of [
      `signature ${v.signature}`,
      `Signature  ${v.signature}`,
      `Signature ${v.signature.toUpperCase()}`,
      `Signature ${v.signature} `,
      v.signature,
    ]) {
      expect(verifyXsollaSignature(body, header, v.secret)).toEqual({ ok: false, reason: "malformed-header" });
    }
    expect(verifyXsollaSignature(body, undefined, v.secret)).toEqual({ ok: false, reason: "missing-header" });
    expect(() => verifyXsollaSignature(JSON.parse("{}") as unknown as string, `Signature ${v.signature}`, v.secret)).toThrow(/raw bytes/);
  });

  it("writes Xsolla's error body", () => {
    expect(JSON.parse(xsollaErrorBody("INVALID_SIGNATURE", "Invalid signature"))).toEqual({
      error: { code: "INVALID_SIGNATURE", message: "Invalid signature" },
    });
  });
});
