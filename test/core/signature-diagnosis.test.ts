// Each case is built the way the mistake happens in a real handler or script, with node:crypto directly,
// never with the diagnosis module's own transformations.
import { createHash, createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DIAGNOSIS_CODES,
  type DiagnoseInput,
  type Diagnosis,
  type DiagnosisCode,
  diagnoseSignature,
} from "../../src/core/signature-diagnosis.js";

const SECRET = "Kx9mPq2LvT8wRz4N";

/** Xsolla's way: sha1 over the raw bytes, then the secret. */
function xsollaSha1(body: string | Buffer, secret = SECRET): string {
  return createHash("sha1").update(body).update(secret).digest("hex");
}

// As Xsolla sends it: pretty-printed, `/` and Cyrillic written as they are.
const XSOLLA_BODY = `{
    "notification_type": "payment",
    "settings": {
        "project_id": 18404,
        "merchant_id": 2340
    },
    "user": {
        "id": "1234567",
        "name": "Иван Петров",
        "email": "ivan@example.com"
    },
    "purchase": {
        "total": {
            "currency": "USD",
            "amount": 9.99
        }
    },
    "custom_parameters": {
        "return_url": "https://game.example.com/shop/done"
    }
}`;

const COMPACT_BODY = '{"notification_type":"payment","user":{"id":"42","email":"a@example.com"},"amount":9.99}';

/** Every call goes through here: whatever the case, the secret must not leak into what people read. */
function diagnose(input: DiagnoseInput): Diagnosis {
  const result = diagnoseSignature(input);
  expectNoSecret(result, input.secret);
  return result;
}

function expectNoSecret(result: Diagnosis, secret: string): void {
  const shown = [result.message, result.hint, ...Object.values(result.details ?? {}).map(String)];
  for (const text of shown) expect(text).not.toContain(secret);
}

interface Case {
  name: string;
  code: DiagnosisCode;
  input: DiagnoseInput;
}

const cases: Case[] = [
  {
    name: "Express express.json() then JSON.stringify(req.body) before hashing",
    code: "body-reserialized-compact",
    input: (() => {
      const reqBody = JSON.parse(XSOLLA_BODY) as unknown; // what express.json() leaves in req.body
      const signature = createHash("sha1")
        .update(JSON.stringify(reqBody) + SECRET)
        .digest("hex");
      return { body: XSOLLA_BODY, secret: SECRET, signature: `Signature ${signature}` };
    })(),
  },
  {
    name: "compact body (send --body-format compact), handler hashed JSON.stringify(req.body, null, 2)",
    code: "body-reserialized-pretty",
    input: { body: COMPACT_BODY, secret: SECRET, signature: xsollaSha1(JSON.stringify(JSON.parse(COMPACT_BODY), null, 2)) },
  },
  {
    name: "handler hashed a 4-space pretty re-encode",
    code: "body-reserialized-pretty",
    input: { body: COMPACT_BODY, secret: SECRET, signature: `Signature ${xsollaSha1(JSON.stringify(JSON.parse(COMPACT_BODY), null, 4))}` },
  },
  {
    name: "Go handler: json.Unmarshal into map[string]any, json.Marshal, hash (Go sorts map keys)",
    code: "body-keys-sorted",
    // What Go's encoding/json writes for COMPACT_BODY decoded into a map, byte for byte.
    input: {
      body: COMPACT_BODY,
      secret: SECRET,
      signature: `Signature ${xsollaSha1('{"amount":9.99,"notification_type":"payment","user":{"email":"a@example.com","id":"42"}}')}`,
    },
  },
  {
    name: "PHP handler hashed json_encode(json_decode($raw)) of a compact body with / and Cyrillic",
    code: "body-escaping",
    input: {
      body: '{"url":"https://x","name":"Иван"}',
      secret: SECRET,
      signature: `Signature ${xsollaSha1(String.raw`{"url":"https:\/\/x","name":"\u0418\u0432\u0430\u043d"}`)}`,
    },
  },
  {
    name: "PHP handler re-encoded Xsolla's pretty body: compact and escaped",
    code: "body-escaping",
    input: {
      body: '{\n  "url": "https://x/y",\n  "name": "Иван"\n}',
      secret: SECRET,
      signature: `Signature ${xsollaSha1(String.raw`{"url":"https:\/\/x\/y","name":"\u0418\u0432\u0430\u043d"}`)}`,
    },
  },
  {
    name: "PHP-escaped body signed over the decoded text a log viewer showed (the reverse direction)",
    code: "body-escaping",
    input: {
      body: String.raw`{ "url": "https:\/\/x.com\/pay", "name": "\u0418\u0432\u0430\u043d" }`,
      secret: SECRET,
      signature: `Signature ${xsollaSha1('{ "url": "https://x.com/pay", "name": "Иван" }')}`,
    },
  },
  {
    name: "body file saved by an editor with a final newline, sent without it",
    code: "trailing-newline",
    input: { body: XSOLLA_BODY, secret: SECRET, signature: `Signature ${xsollaSha1(`${XSOLLA_BODY}\n`)}` },
  },
  {
    name: "body arrived with \\r\\n at the end, handler hashed req.body.trim()",
    code: "trailing-newline",
    input: { body: `${XSOLLA_BODY}\r\n`, secret: SECRET, signature: `Signature ${xsollaSha1(`${XSOLLA_BODY}\r\n`.trim())}` },
  },
  {
    name: "body file checked out with git autocrlf on Windows and signed there",
    code: "crlf",
    input: { body: XSOLLA_BODY, secret: SECRET, signature: `Signature ${xsollaSha1(XSOLLA_BODY.split("\n").join("\r\n"))}` },
  },
  {
    name: "body saved by Notepad as UTF-8 with BOM and signed, sent without it",
    code: "bom",
    input: {
      body: XSOLLA_BODY,
      secret: SECRET,
      signature: `Signature ${xsollaSha1(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(XSOLLA_BODY)]))}`,
    },
  },
  {
    name: "handler read the secret from a file ending in a newline",
    code: "secret-whitespace",
    input: { body: XSOLLA_BODY, secret: SECRET, signature: `Signature ${xsollaSha1(XSOLLA_BODY, `${SECRET}\n`)}` },
  },
  {
    name: "the secret given to the tool came from a file with a newline; Xsolla signed with the real one",
    code: "secret-whitespace",
    input: { body: XSOLLA_BODY, secret: `${SECRET}\n`, signature: `Signature ${xsollaSha1(XSOLLA_BODY, SECRET)}` },
  },
  {
    name: "secret copied from Publisher Account with a leading space",
    code: "secret-whitespace",
    input: { body: XSOLLA_BODY, secret: SECRET, signature: `Signature ${xsollaSha1(XSOLLA_BODY, ` ${SECRET}`)}` },
  },
  {
    name: "sha1(secret + body)",
    code: "secret-first",
    input: {
      body: XSOLLA_BODY,
      secret: SECRET,
      signature: `Signature ${createHash("sha1")
        .update(SECRET + XSOLLA_BODY)
        .digest("hex")}`,
    },
  },
  {
    name: "createHmac('sha1', secret)",
    code: "hmac-sha1",
    input: { body: XSOLLA_BODY, secret: SECRET, signature: `Signature ${createHmac("sha1", SECRET).update(XSOLLA_BODY).digest("hex")}` },
  },
  {
    name: "sha256(body + secret)",
    code: "sha256",
    input: {
      body: XSOLLA_BODY,
      secret: SECRET,
      signature: `Signature ${createHash("sha256")
        .update(XSOLLA_BODY + SECRET)
        .digest("hex")}`,
    },
  },
  {
    name: "sha256(secret + body)",
    code: "sha256",
    input: {
      body: XSOLLA_BODY,
      secret: SECRET,
      signature: createHash("sha256")
        .update(SECRET + XSOLLA_BODY)
        .digest("hex"),
    },
  },
  {
    name: "HMAC-SHA256",
    code: "sha256",
    input: { body: XSOLLA_BODY, secret: SECRET, signature: `Signature ${createHmac("sha256", SECRET).update(XSOLLA_BODY).digest("hex")}` },
  },
  {
    name: "digest.toUpperCase()",
    code: "uppercase-hex",
    input: { body: XSOLLA_BODY, secret: SECRET, signature: `Signature ${xsollaSha1(XSOLLA_BODY).toUpperCase()}` },
  },
  ...[
    (hex: string) => `Signature  ${hex}`,
    (hex: string) => `signature ${hex}`,
    (hex: string) => hex,
    (hex: string) => `Bearer ${hex}`,
    (hex: string) => `sha1=${hex}`,
    (hex: string) => `"Signature ${hex}"`,
    (hex: string) => `Signature\t${hex}`,
    (hex: string) => `Signature${hex}`,
    (hex: string) => `Authorization: Signature ${hex}, extra`,
  ].map((header): Case => ({
    name: `header ${JSON.stringify(header("<hex>"))}`,
    code: "header-format",
    input: { body: XSOLLA_BODY, secret: SECRET, signature: header(xsollaSha1(XSOLLA_BODY)) },
  })),
  {
    name: "signed with another project's secret",
    code: "no-match",
    input: { body: XSOLLA_BODY, secret: SECRET, signature: `Signature ${xsollaSha1(XSOLLA_BODY, "another-project-secret")}` },
  },
];

describe("diagnoseSignature: one realistic case per mistake", () => {
  it.each(cases)("$code: $name", ({ code, input }) => {
    const result = diagnose(input);
    expect(result.ok).toBe(false);
    expect(result.diagnosis).toBe(code);
    expect(result.expected).toBe(xsollaSha1(typeof input.body === "string" ? input.body : Buffer.from(input.body), input.secret));
    expect(result.message.length).toBeGreaterThan(0);
    expect(result.hint.length).toBeGreaterThan(0);
    expect(result.message).not.toMatch(/\n/);
  });

  it("has a case for every diagnosis code", () => {
    expect(new Set(cases.map((c) => c.code))).toEqual(new Set(DIAGNOSIS_CODES));
  });
});

describe("diagnoseSignature: details", () => {
  it("accepts the three ways of writing a correct signature", () => {
    const hex = xsollaSha1(XSOLLA_BODY);
    for (const signature of [
      `Signature ${hex}`,
      `Authorization: Signature ${hex}`,
      `authorization: Signature ${hex}`,
      `AUTHORIZATION:Signature ${hex}\n`,
    ]) {
      const result = diagnose({ body: XSOLLA_BODY, secret: SECRET, signature });
      expect(result).toMatchObject({ ok: true, diagnosis: null, expected: hex, received: hex });
    }
  });

  it("works on bytes as well as strings", () => {
    const body = Buffer.from(XSOLLA_BODY);
    expect(diagnose({ body: new Uint8Array(body), secret: SECRET, signature: `Signature ${xsollaSha1(body)}` }).ok).toBe(true);
  });

  it("explains the compact re-serialisation in terms of raw bodies and express.raw", () => {
    const result = diagnose(cases[0]!.input);
    expect(result.hint).toContain("express.raw({type: 'application/json'})");
    expect(result.details).toMatchObject({
      bodyLength: Buffer.byteLength(XSOLLA_BODY),
      signedLength: Buffer.byteLength(JSON.stringify(JSON.parse(XSOLLA_BODY))),
    });
  });

  it("names the header problem", () => {
    const hex = xsollaSha1(XSOLLA_BODY);
    const problem = (signature: string) => String(diagnose({ body: XSOLLA_BODY, secret: SECRET, signature }).details?.["headerProblem"]);
    expect(problem(`Signature  ${hex}`)).toContain('"  " instead of one space');
    expect(problem(`signature ${hex}`)).toContain("`signature`");
    expect(problem(hex)).toContain("prefix is missing");
    expect(problem(`Bearer ${hex}`)).toContain("`Bearer`");
    expect(problem(`sha1=${hex}`)).toContain("sha1=");
    expect(problem(`"Signature ${hex}"`)).toContain("quotes");
  });

  it("reports the lowercase digest as received when only the case is wrong", () => {
    const hex = xsollaSha1(XSOLLA_BODY);
    expect(diagnose({ body: XSOLLA_BODY, secret: SECRET, signature: `Signature ${hex.toUpperCase()}` }).received).toBe(hex);
  });

  it("diagnoses the digest when the header form is wrong too, and keeps the form problem in details", () => {
    const hmac = createHmac("sha1", SECRET).update(XSOLLA_BODY).digest("hex");
    const result = diagnose({ body: XSOLLA_BODY, secret: SECRET, signature: `Bearer ${hmac.toUpperCase()}` });
    expect(result.diagnosis).toBe("hmac-sha1");
    expect(result.details?.["headerProblem"]).toMatch(/Bearer.*upper case/);
  });

  it("reads no digest from an empty or garbage signature", () => {
    for (const signature of ["", "   ", "Signature", "hello world", "Signature xyz"]) {
      const result = diagnose({ body: XSOLLA_BODY, secret: SECRET, signature });
      expect(result).toMatchObject({ ok: false, diagnosis: "header-format", received: null });
    }
  });

  it("skips JSON candidates for a body that is not JSON", () => {
    const result = diagnose({ body: "not json {", secret: SECRET, signature: `Signature ${xsollaSha1("another body")}` });
    expect(result.diagnosis).toBe("no-match");
  });

  it("says how long a digest of the wrong length is", () => {
    const result = diagnose({ body: XSOLLA_BODY, secret: SECRET, signature: `Signature ${xsollaSha1(XSOLLA_BODY).slice(0, 39)}` });
    expect(result).toMatchObject({ diagnosis: "no-match", details: { receivedLength: 39 } });
    expect(result.details?.["headerProblem"]).toContain("39 hex digits");
  });

  it("locates a byte changed in transit when the expected body is given", () => {
    const signature = `Signature ${xsollaSha1(XSOLLA_BODY)}`; // Xsolla signed what it sent
    const offset = XSOLLA_BODY.indexOf("9.99") + 3;
    const arrived = `${XSOLLA_BODY.slice(0, offset)}0${XSOLLA_BODY.slice(offset + 1)}`; // a proxy rewrote one byte
    const result = diagnose({ body: arrived, expectedBody: XSOLLA_BODY, secret: SECRET, signature });
    expect(result.diagnosis).toBe("no-match");
    expect(result.details).toMatchObject({
      firstDifferenceOffset: Buffer.byteLength(XSOLLA_BODY.slice(0, offset)),
      bodyLength: Buffer.byteLength(arrived),
      expectedBodyLength: Buffer.byteLength(XSOLLA_BODY),
      signedOverExpectedBody: "yes",
    });
    expect(result.details?.["bodyContext"]).toContain("9.90");
    expect(result.details?.["expectedBodyContext"]).toContain("9.99");
    expect(result.message).toContain(`byte ${result.details?.["firstDifferenceOffset"]}`);
  });

  it("locates a truncated body at its end", () => {
    const arrived = Buffer.from(XSOLLA_BODY).subarray(0, 100);
    const result = diagnose({
      body: arrived,
      expectedBody: XSOLLA_BODY,
      secret: SECRET,
      signature: `Signature ${xsollaSha1(XSOLLA_BODY)}`,
    });
    expect(result.details).toMatchObject({ firstDifferenceOffset: 100, bodyLength: 100 });
  });

  it("says so when the bodies are identical (then the secret is the suspect)", () => {
    const result = diagnose({
      body: XSOLLA_BODY,
      expectedBody: XSOLLA_BODY,
      secret: SECRET,
      signature: `Signature ${xsollaSha1(XSOLLA_BODY, "other")}`,
    });
    expect(result.details).toMatchObject({ bodiesIdentical: "yes" });
    expect(result.details?.["firstDifferenceOffset"]).toBeUndefined();
  });

  it("never throws on garbage", () => {
    const garbage = [
      { body: "", secret: "", signature: "" },
      { body: new Uint8Array([0xff, 0xfe, 0x00]), secret: "s", signature: "Signature " + "g".repeat(40) },
      { body: null, secret: undefined, signature: 42 },
      { body: "{", secret: "s", signature: "Signature " + "a".repeat(400) },
    ] as unknown as DiagnoseInput[];
    for (const input of garbage) expect(() => diagnoseSignature(input)).not.toThrow();
  });
});

describe("diagnoseSignature properties", () => {
  const body = fc.uint8Array({ maxLength: 300 });
  const secret = fc.string({ minLength: 1, maxLength: 40, unit: "grapheme" });

  it("the correct signature is ok", () => {
    fc.assert(
      fc.property(body, secret, (bytes, key) => {
        const result = diagnoseSignature({ body: bytes, secret: key, signature: `Signature ${xsollaSha1(Buffer.from(bytes), key)}` });
        expect(result.ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("one changed byte of the body is not ok", () => {
    fc.assert(
      fc.property(
        body.filter((b) => b.length > 0),
        secret,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (bytes, key, at, flip) => {
          const signature = `Signature ${xsollaSha1(Buffer.from(bytes), key)}`;
          const changed = Uint8Array.from(bytes);
          const index = at % changed.length;
          changed[index] = changed[index]! ^ flip;
          expect(diagnoseSignature({ body: changed, secret: key, signature }).ok).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("one changed character of the secret is not ok", () => {
    const replacement = fc.string({ minLength: 1, maxLength: 1, unit: "grapheme" });
    fc.assert(
      fc.property(body, secret, fc.nat(), replacement, (bytes, key, at, other) => {
        const chars = Array.from(key);
        const index = at % chars.length;
        fc.pre(chars[index] !== other);
        chars[index] = other;
        const signature = `Signature ${xsollaSha1(Buffer.from(bytes), key)}`;
        expect(diagnoseSignature({ body: bytes, secret: chars.join(""), signature }).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it("one changed character of the hex signature is not ok", () => {
    fc.assert(
      fc.property(
        body,
        secret,
        fc.integer({ min: 0, max: 39 }),
        fc.constantFrom(..."0123456789abcdefABCDEFxz "),
        (bytes, key, index, other) => {
          const hex = xsollaSha1(Buffer.from(bytes), key);
          fc.pre(hex[index] !== other);
          const signature = `Signature ${hex.slice(0, index)}${other}${hex.slice(index + 1)}`;
          expect(diagnoseSignature({ body: bytes, secret: key, signature }).ok).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("never throws and never shows the secret, whatever the signature", () => {
    const keyed = fc.stringMatching(/^[A-Za-z0-9]{12,32}$/).map((s) => `SECRET-${s}`);
    const signatureKinds = [
      (_bytes: Buffer, _key: string, random: string) => random,
      (bytes: Buffer, key: string) => `Signature ${xsollaSha1(bytes, key)}`,
      (bytes: Buffer, key: string) => `Signature ${xsollaSha1(bytes, `${key}\n`)}`,
      (bytes: Buffer, key: string) => `Signature ${xsollaSha1(bytes, key).toUpperCase()}`,
      (bytes: Buffer, key: string) => `Bearer ${createHmac("sha1", key).update(bytes).digest("hex")}`,
      (bytes: Buffer, key: string) => `sha1=${xsollaSha1(Buffer.concat([bytes, Buffer.from("\n")]), key)}`,
    ];
    fc.assert(
      fc.property(
        body,
        keyed,
        fc.option(fc.uint8Array({ maxLength: 300 }), { nil: undefined }),
        fc.integer({ min: 0, max: signatureKinds.length - 1 }),
        fc.string(),
        (bytes, key, expectedBody, kind, random) => {
          const signature = signatureKinds[kind]!(Buffer.from(bytes), key, random);
          const result = diagnoseSignature({ body: bytes, secret: key, signature, expectedBody });
          expectNoSecret(result, key);
          expect(result.ok).toBe(result.diagnosis === null);
          if (kind > 0) expect(result.received).toMatch(/^[0-9a-f]{40}$/);
        },
      ),
      { numRuns: 200 },
    );
  });
});
