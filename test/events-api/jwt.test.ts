import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeJwtClaims, describeDistance, jwtExpiry, maskToken, redactSecrets } from "../../src/events-api/jwt.js";
import { makeJwt } from "./helpers.js";

describe("decodeJwtClaims", () => {
  it("reads the payload of a compact JWS without verifying it", () => {
    expect(decodeJwtClaims(makeJwt({ sub: "user-1", exp: 1_700_000_000 }))).toEqual({ sub: "user-1", exp: 1_700_000_000 });
  });

  it.each([
    ["empty", ""],
    ["not dotted", "abcdef"],
    ["two parts", "a.b"],
    ["four parts", "a.b.c.d"],
    ["payload not base64url", "eyJ.###.sig"],
    ["payload not JSON", `x.${Buffer.from("hello").toString("base64url")}.s`],
    ["payload an array", `x.${Buffer.from("[1]").toString("base64url")}.s`],
    ["payload a string", `x.${Buffer.from('"s"').toString("base64url")}.s`],
    ["empty payload", "x..s"],
  ])("returns null when %s", (_name, input) => {
    expect(decodeJwtClaims(input)).toBeNull();
  });
});

describe("jwtExpiry", () => {
  it("turns exp seconds into a Date", () => {
    expect(jwtExpiry(makeJwt({ exp: 1_736_942_400 }))?.toISOString()).toBe("2025-01-15T12:00:00.000Z");
  });
  it.each([[{}], [{ exp: "soon" }], [{ exp: null }]])("is null without a numeric exp (%j)", (claims) => {
    expect(jwtExpiry(makeJwt(claims))).toBeNull();
  });
  it("is null for a payment token", () => {
    expect(jwtExpiry("aBcDeFgHiJkLmNoPqRsTuVwXyZ012345")).toBeNull();
  });
});

describe("maskToken", () => {
  it("shows the first 6 and last 4 characters and the length", () => {
    expect(maskToken("eyJhbGciOiJIUzI1NiJ9.payload.signature-xyz9")).toBe("eyJhbG…xyz9 (43 chars)");
  });
  it("masks short tokens completely", () => {
    expect(maskToken("short-token-123")).toBe("****** (15 chars)");
    expect(maskToken("")).toBe("****** (0 chars)");
  });
  it("never contains a token whole, and shows at most half of it", () => {
    // Tokens are base64url / JWT text; 8+ characters of it never fit in the mask's own words.
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_.-]{8,400}$/), (token) => {
        const masked = maskToken(token);
        expect(masked.includes(token)).toBe(false);
        const shown = masked
          .replace(/ \(\d+ chars\)$/, "")
          .replace("…", "")
          .replace(/^\*+$/, "");
        expect(shown.length).toBeLessThanOrEqual(token.length / 2);
      }),
    );
  });
});

describe("redactSecrets", () => {
  it("masks every occurrence", () => {
    const secret = "tok_0123456789abcdefghij";
    expect(redactSecrets(`a ${secret} b ${secret}`, [secret])).toBe(`a ${maskToken(secret)} b ${maskToken(secret)}`);
  });
});

describe("describeDistance", () => {
  it.each([
    [0, 30_000, "in 30 s"],
    [3 * 3_600_000, 0, "3 h ago"],
    [0, 5 * 60_000, "in 5 min"],
    [10 * 86_400_000, 0, "10 d ago"],
  ])("%d → %d is %s", (from, to, text) => {
    expect(describeDistance(from, to)).toBe(text);
  });
});
