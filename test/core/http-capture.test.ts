import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ErrorCode, UsageError } from "../../src/core/errors.js";
import { captureFileName, parseCapturedRequest, serializeCapturedRequest } from "../../src/core/http-capture.js";

const RAW_HEADERS = [
  "Host",
  "localhost:3000",
  "content-type",
  "application/json",
  "Authorization",
  "Signature 52eac2713985e212351610d008e7e14fae46f902",
  "X-Dup",
  "first",
  "x-dup",
  "second",
  "Content-Length",
  "0", // replaced per body below
];

function withLength(body: Uint8Array): string[] {
  return [...RAW_HEADERS.slice(0, -1), String(body.length)];
}

function pairs(flat: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

function expectBadInput(bytes: Uint8Array | string, pattern: RegExp): void {
  let thrown: unknown;
  try {
    parseCapturedRequest(typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(UsageError);
  const error = thrown as UsageError;
  expect(error.code).toBe(ErrorCode.BadInput);
  expect(error.message).toMatch(pattern);
  expect(error.message).not.toMatch(/[\r\n]/);
}

const bodies: Array<[string, Buffer]> = [
  ["json", Buffer.from('{\n  "notification_type": "payment"\n}')],
  ["binary, every byte value", Buffer.from(Array.from({ length: 256 }, (_, i) => i))],
  ["a blank line inside", Buffer.from("first\r\n\r\nsecond\n\nthird")],
  ["empty", Buffer.alloc(0)],
  ["unicode", Buffer.from('{"name":"Иван Петров 😀","note":"naïve"}')],
];

describe("serializeCapturedRequest → parseCapturedRequest", () => {
  it.each(bodies)("keeps everything for a %s body", (_name, body) => {
    const rawHeaders = withLength(body);
    const file = serializeCapturedRequest({ method: "POST", url: "/webhook?x=1&y=%20", httpVersion: "1.1", rawHeaders, body });
    const parsed = parseCapturedRequest(file);
    expect(parsed.method).toBe("POST");
    expect(parsed.url).toBe("/webhook?x=1&y=%20");
    expect(parsed.httpVersion).toBe("1.1");
    expect(parsed.headers).toEqual(pairs(rawHeaders));
    expect(parsed.body.equals(body)).toBe(true);
  });

  it("writes exactly the request line, the headers, a blank line and the body", () => {
    const body = Buffer.from("{}");
    const file = serializeCapturedRequest({ method: "POST", url: "/hook", rawHeaders: ["Host", "h", "Content-Length", "2"], body });
    expect(file.toString("latin1")).toBe("POST /hook HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}");
  });

  it("keeps header bytes that Node decoded as latin1", () => {
    const utf8Value = Buffer.from("Иван", "utf8").toString("latin1"); // how Node's rawHeaders shows UTF-8 bytes
    const file = serializeCapturedRequest({ method: "POST", url: "/", rawHeaders: ["X-Name", utf8Value], body: Buffer.alloc(0) });
    expect(file.includes(Buffer.from("X-Name: Иван\r\n", "utf8"))).toBe(true);
    expect(parseCapturedRequest(file).header("x-name")).toBe(utf8Value);
  });

  it("replaces Transfer-Encoding: chunked with the Content-Length of the de-chunked body, in place", () => {
    const body = Buffer.from('{"a":1}');
    const file = serializeCapturedRequest({
      method: "POST",
      url: "/",
      rawHeaders: ["Host", "h", "Transfer-Encoding", "chunked", "Content-Type", "application/json"],
      body,
    });
    const parsed = parseCapturedRequest(file);
    expect(parsed.headers).toEqual([
      ["Host", "h"],
      ["Content-Length", "7"],
      ["Content-Type", "application/json"],
    ]);
    expect(parsed.body.equals(body)).toBe(true);
  });

  it("refuses headers that would break the file", () => {
    expect(() =>
      serializeCapturedRequest({ method: "POST", url: "/", rawHeaders: ["X", "a\r\nInjected: 1"], body: Buffer.alloc(0) }),
    ).toThrow(TypeError);
    expect(() => serializeCapturedRequest({ method: "POST", url: "/", rawHeaders: ["X"], body: Buffer.alloc(0) })).toThrow(TypeError);
  });

  it("round-trips any request (property)", () => {
    const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,20}$/);
    const name = token.filter((n) => !["content-length", "transfer-encoding"].includes(n.toLowerCase()));
    // Values as Node gives them: latin1, no control characters but tab, no surrounding whitespace.
    const value = fc
      .string({
        unit: fc
          .integer({ min: 0x20, max: 0xff })
          .filter((c) => c !== 0x7f)
          .map((c) => String.fromCharCode(c)),
        maxLength: 40,
      })
      .map((v) => v.replace(/^[ \t]+|[ \t]+$/g, ""));
    const request = fc.record({
      method: fc.constantFrom("POST", "GET", "PUT", "PATCH"),
      url: fc.stringMatching(/^\/[\x21-\x7e]{0,40}$/),
      headers: fc.array(fc.tuple(name, value), { maxLength: 8 }),
      body: fc.uint8Array({ maxLength: 400 }),
      withLength: fc.boolean(),
    });
    fc.assert(
      fc.property(request, ({ method, url, headers, body, withLength }) => {
        const all: [string, string][] = withLength ? [...headers, ["Content-Length", String(body.length)]] : headers;
        const parsed = parseCapturedRequest(serializeCapturedRequest({ method, url, rawHeaders: all.flat(), body }));
        expect(parsed.method).toBe(method);
        expect(parsed.url).toBe(url);
        expect(parsed.headers).toEqual(all);
        expect(Buffer.compare(parsed.body, Buffer.from(body))).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});

describe("parseCapturedRequest", () => {
  it("accepts a head with bare \\n line endings, as an editor may save it", () => {
    const parsed = parseCapturedRequest(Buffer.from('POST /hook HTTP/1.1\nHost: h\nContent-Type:application/json\n\n{"a":1}'));
    expect(parsed.headers).toEqual([
      ["Host", "h"],
      ["Content-Type", "application/json"],
    ]);
    expect(parsed.body.toString()).toBe('{"a":1}');
  });

  it("finds headers by any case and returns the first", () => {
    const parsed = parseCapturedRequest(Buffer.from("POST / HTTP/1.1\r\nX-Dup: one\r\nx-dup: two\r\n\r\n"));
    expect(parsed.header("X-DUP")).toBe("one");
    expect(parsed.header("missing")).toBeUndefined();
  });

  it("takes exactly Content-Length bytes when the file has more (an editor's final newline)", () => {
    const parsed = parseCapturedRequest(Buffer.from("POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}\n"));
    expect(parsed.body.toString()).toBe("{}");
  });

  it("keeps every byte after the blank line when there is no Content-Length", () => {
    const parsed = parseCapturedRequest(Buffer.from("POST / HTTP/1.1\r\n\r\n{}\r\n"));
    expect(parsed.body.toString()).toBe("{}\r\n");
  });

  it("returns a body that does not share memory with the input", () => {
    const input = Buffer.from("POST / HTTP/1.1\r\n\r\nabc");
    const parsed = parseCapturedRequest(input);
    input[input.length - 1] = 0x78;
    expect(parsed.body.toString()).toBe("abc");
  });

  it.each([
    ["an empty file", "", /no request line/],
    ["text that is no request", "hello\r\n\r\n", /no request line.*"hello"/],
    ["a request line only", "POST / HTTP/1.1", /missing blank line/],
    ["no blank line after the headers", "POST / HTTP/1.1\r\nHost: h\r\n", /missing blank line/],
    ["a header line without a colon", "POST / HTTP/1.1\r\nHost h\r\n\r\n", /line 2: bad header line/],
    ["a space before the colon", "POST / HTTP/1.1\r\nHost : h\r\n\r\n", /line 2: bad header line/],
    ["a folded header line", "POST / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", /line 3: folded/],
    ["a body shorter than Content-Length", "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n{}", /2 bytes but Content-Length says 10/],
    ["a Content-Length that is not a number", "POST / HTTP/1.1\r\nContent-Length: ten\r\n\r\n{}", /Content-Length is not a number/],
    [
      "conflicting Content-Length headers",
      "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}",
      /conflicting Content-Length/,
    ],
    ["a chunked body", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", /chunked/],
  ])("throws a one-line UsageError for %s", (_name, text, pattern) => {
    expectBadInput(text, pattern);
  });

  it("throws a UsageError, never something else, on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          parseCapturedRequest(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
          expect((error as UsageError).message).not.toMatch(/[\r\n]/);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("captureFileName", () => {
  it("names a capture by sequence, arrival time and type", () => {
    expect(captureFileName(1, new Date("2026-11-21T23:59:59.123Z"), "payment")).toBe("000001-20261121T235959.123Z-payment.http");
  });

  it("keeps only [a-z0-9_] of the type", () => {
    const at = new Date(0);
    expect(captureFileName(7, at, "Order_Paid.separate/../x")).toBe("000007-19700101T000000.000Z-order_paid_separate____x.http");
    expect(captureFileName(7, at, undefined)).toMatch(/-unknown\.http$/);
    expect(captureFileName(7, at, "../")).toMatch(/-unknown\.http$/);
  });

  it("sorts by arrival (property)", () => {
    const arrivals = fc.array(fc.tuple(fc.integer({ min: 0, max: 10 ** 6 }), fc.string({ maxLength: 20 })), {
      minLength: 1,
      maxLength: 30,
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 * 10 ** 12 }), arrivals, (start, gaps) => {
        let time = start;
        const names = gaps.map(([gap, type], index) => {
          time += gap;
          return captureFileName(index + 1, new Date(time), type);
        });
        expect([...names].sort()).toEqual(names);
      }),
      { numRuns: 200 },
    );
  });

  it("refuses a sequence that is not a non-negative integer", () => {
    expect(() => captureFileName(-1, new Date(0), "payment")).toThrow(RangeError);
    expect(() => captureFileName(1.5, new Date(0), "payment")).toThrow(RangeError);
  });
});
