// Why a webhook signature does not match. Rebuilds the bytes (or secret, or algorithm) that the usual mistakes
// produce and checks which one yields the signature the user got. Pure: no I/O, never throws.
//
// Check order (first match wins; only matters when two mistakes produce the same bytes):
//   0. ok: the value is exactly `Signature <hex>` (Xsolla's SDK regex) and <hex> = sha1(body + secret).
//   1. The digest is right but written wrong: `uppercase-hex` (only the case), then `header-format`.
//      No digest could be read at all (empty, garbage): `header-format` with received null.
//   2. Byte-level body edits, smallest first, so a compact body that lost its final newline reads as
//      `trailing-newline` rather than as a re-serialisation: `trailing-newline`, `crlf`, `bom`.
//   3. JSON re-serialisation: `body-reserialized-compact`, `body-reserialized-pretty` (2, 4 spaces, tab),
//      `body-keys-sorted` (compact, 2, 4), `body-escaping` (raw text and JSON.stringify output, PHP escaping
//      added or JS un-escaping applied). Compact comes first: JSON.stringify also un-escapes `\/`.
//   4. Secret edits: `secret-whitespace` (trimmed, then whitespace added), `secret-first`.
//   5. Other algorithms: `hmac-sha1`, `sha256` (sha256(body+secret), sha256(secret+body), HMAC-SHA256).
//   6. `no-match`.
// A header that is malformed *and* carries a wrong digest is diagnosed by its digest; the form problem goes
// into details.headerProblem.
import { createHash, createHmac } from "node:crypto";
import { maskSecret, parseSignatureHeader, signBody } from "./signature.js";
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from "./fixtures/overrides.js";

export const DIAGNOSIS_CODES = [
  "body-reserialized-compact",
  "body-reserialized-pretty",
  "body-keys-sorted",
  "body-escaping",
  "trailing-newline",
  "crlf",
  "bom",
  "secret-whitespace",
  "secret-first",
  "hmac-sha1",
  "sha256",
  "uppercase-hex",
  "header-format",
  "no-match",
] as const;
export type DiagnosisCode = (typeof DIAGNOSIS_CODES)[number];

export interface Diagnosis {
  /** The signature matches the exact bytes and is written exactly as Xsolla's SDK requires. */
  ok: boolean;
  diagnosis: DiagnosisCode | null;
  message: string;
  hint: string;
  /** The correct lowercase hex for the exact body + secret. */
  expected: string;
  /** The hex read from the signature, lower-cased; null when none could be read. */
  received: string | null;
  details?: Record<string, string | number>;
}

export interface DiagnoseInput {
  body: Uint8Array | string;
  secret: string;
  /** A bare hex, `Signature <hex>` or `Authorization: Signature <hex>`. */
  signature: string;
  /** The body as it was meant to be (e.g. as sent), to locate a change in transit. */
  expectedBody?: Uint8Array | string | undefined;
}

type Details = Record<string, string | number>;

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const UPPER_CASE_HEX = "the hex digits are in upper case";
const HASH_RAW_BODY =
  "Hash the raw request body before any JSON parsing: in Express use express.raw({type: 'application/json'}) on the " +
  "webhook route and sha1(req.body + secret); in PHP use file_get_contents('php://input').";
const FIX_HEADER =
  "Write exactly `Authorization: Signature <hex>`: capital S, one space, 40 lowercase hex digits " +
  "(Xsolla's PHP SDK matches ~^Signature ([0-9a-f]{40})$~).";

export function diagnoseSignature(input: DiagnoseInput): Diagnosis {
  const body = toBuffer(input.body);
  const secret = typeof input.secret === "string" ? input.secret : "";
  const read = readSignature(typeof input.signature === "string" ? input.signature : "");
  const received = read.hex === null ? null : read.hex.toLowerCase();
  if (secret === "") {
    return {
      ok: false,
      diagnosis: "no-match",
      message: "No secret was given: a signature cannot be checked without the project's webhook secret.",
      hint: "Pass the project's webhook secret.",
      expected: "",
      received,
    };
  }
  const expected = sha1(body, secret);

  if (read.strict !== null && read.strict === expected) {
    const message = "The signature matches the body and the secret.";
    return { ok: true, diagnosis: null, message, hint: "Nothing to fix.", expected, received };
  }
  if (received === null) return unreadableSignature(read, expected);
  if (received === expected) return rightDigestWrittenWrong(read, expected);

  const headerProblem = read.problems.length > 0 ? { headerProblem: read.problems.join("; ") } : {};
  for (const candidate of candidates(body, secret)) {
    if (candidate.digest() === received) {
      return explainCandidate(candidate, { expected, received, extra: headerProblem, body, secret });
    }
  }
  return noMatch({ body, secret, expected, received, extra: headerProblem, expectedBody: input.expectedBody });
}

// ---------------------------------------------------------------------------------------------------------
// Reading the signature the user got.

interface ReadSignature {
  /** The digest of a value that passes Xsolla's strict regex, else null. */
  strict: string | null;
  /** The hex digest found anywhere in the value, as written. */
  hex: string | null;
  /** How the value departs from `Signature <40 lowercase hex>`. */
  problems: string[];
}

function readSignature(raw: string): ReadSignature {
  // Surrounding whitespace is not part of a header value (HTTP strips it), and pasted values often end in \n.
  const trimmed = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");
  const value = trimmed.replace(/^authorization[ \t]*:[ \t]*/i, "");
  const digest = findDigest(value);
  return { strict: parseSignatureHeader(value), hex: digest?.hex ?? null, problems: describeFormProblems(value, digest) };
}

interface FoundDigest {
  hex: string;
  start: number;
}

/** The hex run most likely to be the digest: one of 40 or 64 digits, else the longest of 16 or more. */
function findDigest(value: string): FoundDigest | null {
  const runs = [...value.matchAll(/[0-9a-f]+/gi)].map((m) => withoutSignatureTail(value, { hex: m[0], start: m.index }));
  const exact = runs.find((run) => run.hex.length === 40 || run.hex.length === 64);
  if (exact) return exact;
  const long = runs.filter((run) => run.hex.length >= 16).sort((a, b) => b.hex.length - a.hex.length);
  return long[0] ?? null;
}

/** `Signature<hex>` without a space: the `e` of `Signature` is a hex digit and would join the run. */
function withoutSignatureTail(value: string, run: FoundDigest): FoundDigest {
  const joined = /^[eE]/.test(run.hex) && /signatur$/i.test(value.slice(0, run.start));
  return joined && (run.hex.length === 41 || run.hex.length === 65) ? { hex: run.hex.slice(1), start: run.start + 1 } : run;
}

function describeFormProblems(value: string, digest: FoundDigest | null): string[] {
  if (value === "") return ["the signature is empty (no Authorization header?)"];
  if (digest === null) return ["no hex digest found in it"];
  let prefix = value.slice(0, digest.start);
  let suffix = value.slice(digest.start + digest.hex.length);
  const problems: string[] = [];
  const quote = /^["']/.exec(prefix)?.[0];
  if (quote !== undefined && suffix.endsWith(quote)) {
    problems.push("the value is in quotes");
    prefix = prefix.slice(1);
    suffix = suffix.slice(0, -1);
  }
  problems.push(...describePrefix(prefix));
  if (suffix !== "") problems.push("there is text after the digest");
  if (digest.hex.length !== 40) problems.push(`the digest has ${digest.hex.length} hex digits, not 40`);
  if (/[A-F]/.test(digest.hex)) problems.push(UPPER_CASE_HEX);
  return problems;
}

function describePrefix(prefix: string): string[] {
  if (prefix === "Signature ") return [];
  if (prefix === "") return ["the `Signature ` prefix is missing"];
  const signature = /^(signature)([ \t]*)$/i.exec(prefix);
  if (signature) return describeSignatureWord(signature[1] ?? "", signature[2] ?? "");
  if (/^sha-?1[=:][ \t]*$/i.test(prefix)) return ["it uses `sha1=` (GitHub style) instead of `Signature `"];
  if (/^sha-?256[=:][ \t]*$/i.test(prefix)) return ["it uses `sha256=` instead of `Signature `"];
  const scheme = /^([A-Za-z][\w-]{0,19})[ \t]+$/.exec(prefix);
  if (scheme) return [`it uses \`${scheme[1]}\` instead of \`Signature\``];
  return ["there is unexpected text before the digest (expected `Signature `)"];
}

function describeSignatureWord(word: string, space: string): string[] {
  const problems: string[] = [];
  if (word !== "Signature") problems.push(`\`Signature\` is written \`${word}\` (the SDK is case-sensitive)`);
  if (space === "") problems.push("there is no space between `Signature` and the digest");
  else if (space !== " ") problems.push(`\`Signature\` is followed by ${JSON.stringify(space)} instead of one space`);
  return problems;
}

function unreadableSignature(read: ReadSignature, expected: string): Diagnosis {
  return {
    ok: false,
    diagnosis: "header-format",
    message: `No signature digest could be read: ${read.problems.join("; ")}.`,
    hint: FIX_HEADER,
    expected,
    received: null,
    details: { headerProblem: read.problems.join("; ") },
  };
}

function rightDigestWrittenWrong(read: ReadSignature, expected: string): Diagnosis {
  const onlyCase = read.problems.length === 1 && read.problems[0] === UPPER_CASE_HEX;
  const headerProblem = read.problems.join("; ");
  if (onlyCase) {
    return {
      ok: false,
      diagnosis: "uppercase-hex",
      message: "The digest is right but written in upper case; Xsolla's SDK accepts only lowercase hex.",
      hint: "Use the lowercase hex digest as digest('hex') returns it: drop any toUpperCase() and compare case-sensitively.",
      expected,
      received: expected,
      details: { headerProblem },
    };
  }
  return {
    ok: false,
    diagnosis: "header-format",
    message: `The digest is right, but the value is not exactly \`Signature <40 lowercase hex>\`: ${headerProblem}.`,
    hint: FIX_HEADER,
    expected,
    received: expected,
    details: { headerProblem },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Candidate mistakes, in the documented order. Each one is computed only when reached.

interface Candidate {
  code: DiagnosisCode;
  variant: string;
  digest: () => string;
  /** Length of the bytes that were hashed, for body candidates. */
  signedLength?: number;
}

function* candidates(body: Buffer, secret: string): Generator<Candidate> {
  for (const [code, variant, bytes] of bodyCandidates(body)) {
    if (bytes.equals(body)) continue; // no change: cannot explain a mismatch
    yield { code, variant, digest: () => sha1(bytes, secret), signedLength: bytes.length };
  }
  yield* secretCandidates(body, secret);
  yield* algorithmCandidates(body, secret);
}

type BodyCandidate = [DiagnosisCode, string, Buffer];

function* bodyCandidates(body: Buffer): Generator<BodyCandidate> {
  yield* trailingNewlineCandidates(body);
  yield* lineEndingCandidates(body);
  yield* bomCandidates(body);
  const text = decodeUtf8(body);
  const parsed = parseJson(text);
  if (parsed.ok) yield* reserializedCandidates(parsed.value);
  yield* escapingCandidates(text, parsed);
}

function* trailingNewlineCandidates(body: Buffer): Generator<BodyCandidate> {
  const bytes = body.toString("latin1"); // latin1 maps bytes 1:1, so these edits keep every other byte
  if (bytes.endsWith("\r\n")) yield ["trailing-newline", "trailing \\r\\n removed", latin1(bytes.slice(0, -2))];
  else if (bytes.endsWith("\n")) yield ["trailing-newline", "trailing \\n removed", latin1(bytes.slice(0, -1))];
  yield ["trailing-newline", "\\n added at the end", latin1(`${bytes}\n`)];
  yield ["trailing-newline", "\\r\\n added at the end", latin1(`${bytes}\r\n`)];
}

function* lineEndingCandidates(body: Buffer): Generator<BodyCandidate> {
  const bytes = body.toString("latin1");
  yield ["crlf", "\\n converted to \\r\\n", latin1(bytes.replace(/\r?\n/g, "\r\n"))];
  yield ["crlf", "\\r\\n converted to \\n", latin1(bytes.replace(/\r\n/g, "\n"))];
}

function* bomCandidates(body: Buffer): Generator<BodyCandidate> {
  if (body.subarray(0, 3).equals(BOM)) yield ["bom", "UTF-8 BOM removed", body.subarray(3)];
  else yield ["bom", "UTF-8 BOM added", Buffer.concat([BOM, body])];
}

function* reserializedCandidates(value: unknown): Generator<BodyCandidate> {
  yield ["body-reserialized-compact", "JSON.stringify(JSON.parse(body))", utf8(JSON.stringify(value))];
  for (const [indent, label] of INDENTS) {
    yield ["body-reserialized-pretty", label, utf8(JSON.stringify(value, null, indent))];
  }
  const sorted = sortKeysDeep(value);
  yield ["body-keys-sorted", "keys sorted, compact", utf8(JSON.stringify(sorted))];
  for (const [indent, label] of INDENTS) {
    yield ["body-keys-sorted", `keys sorted, pretty-printed with ${label}`, utf8(JSON.stringify(sorted, null, indent))];
  }
}

const INDENTS: ReadonlyArray<[string | number, string]> = [
  [2, "2-space indent"],
  [4, "4-space indent"],
  ["\t", "tab indent"],
];

function* escapingCandidates(text: string, parsed: ParsedJson): Generator<BodyCandidate> {
  const sources: Array<[string, string]> = [["raw body", text]];
  if (parsed.ok) sources.push(["JSON.stringify output", JSON.stringify(parsed.value)]);
  for (const [sourceLabel, source] of sources) {
    for (const style of ESCAPE_STYLES) {
      yield ["body-escaping", `${sourceLabel} with ${style.label}`, utf8(mapJsonStrings(source, (s) => escapeLikePhp(s, style)))];
    }
  }
  // The reverse: a PHP-escaped body that a JS handler re-wrote in JSON.stringify's escaping.
  yield ["body-escaping", "raw body with `\\/` and `\\uXXXX` un-escaped (JS style)", utf8(mapJsonStrings(text, escapeLikeJs))];
  // PHP's json_encode($data, JSON_PRETTY_PRINT): 4 spaces plus its default escaping.
  if (parsed.ok) {
    const pretty = JSON.stringify(parsed.value, null, 4);
    const escaped = mapJsonStrings(pretty, (s) => escapeLikePhp(s, PHP_DEFAULT));
    yield ["body-escaping", "pretty-printed with 4-space indent and PHP json_encode escaping (JSON_PRETTY_PRINT)", utf8(escaped)];
  }
}

interface EscapeStyle {
  label: string;
  slashes: boolean;
  unicode: "lower" | "upper" | null;
}
const PHP_DEFAULT: EscapeStyle = { label: "PHP json_encode escaping (`\\/` and `\\uXXXX`)", slashes: true, unicode: "lower" };
const ESCAPE_STYLES: readonly EscapeStyle[] = [
  PHP_DEFAULT,
  { label: "`/` escaped as `\\/` (JSON_UNESCAPED_UNICODE)", slashes: true, unicode: null },
  { label: "non-ASCII escaped as `\\uXXXX` (JSON_UNESCAPED_SLASHES)", slashes: false, unicode: "lower" },
  { label: "non-ASCII escaped as upper-case `\\uXXXX` (.NET / Java style)", slashes: false, unicode: "upper" },
];

function* secretCandidates(body: Buffer, secret: string): Generator<Candidate> {
  for (const [variant, changed] of secretWhitespaceVariants(secret)) {
    yield { code: "secret-whitespace", variant, digest: () => sha1(body, changed) };
  }
  yield { code: "secret-first", variant: "sha1(secret + body)", digest: () => hashHex("sha1", utf8(secret), body) };
}

function secretWhitespaceVariants(secret: string): Array<[string, string]> {
  const variants: Array<[string, string]> = [];
  const trims: Array<[string, string]> = [
    ["the given secret trimmed", secret.trim()],
    ["the given secret with trailing whitespace removed", secret.trimEnd()],
    ["the given secret with leading whitespace removed", secret.trimStart()],
  ];
  for (const [variant, trimmed] of trims) {
    if (trimmed !== secret && trimmed !== "" && !variants.some(([, seen]) => seen === trimmed)) variants.push([variant, trimmed]);
  }
  for (const [name, ws] of WHITESPACE) {
    variants.push([`secret + ${name}`, secret + ws], [`${name} + secret`, ws + secret]);
  }
  return variants;
}

const WHITESPACE: ReadonlyArray<[string, string]> = [
  ['"\\n"', "\n"],
  ['"\\r\\n"', "\r\n"],
  ['" "', " "],
  ['"\\t"', "\t"],
];

function* algorithmCandidates(body: Buffer, secret: string): Generator<Candidate> {
  yield { code: "hmac-sha1", variant: "HMAC-SHA1(key = secret, body)", digest: () => hmacHex("sha1", secret, body) };
  yield { code: "sha256", variant: "sha256(body + secret)", digest: () => hashHex("sha256", body, utf8(secret)) };
  yield { code: "sha256", variant: "sha256(secret + body)", digest: () => hashHex("sha256", utf8(secret), body) };
  yield { code: "sha256", variant: "HMAC-SHA256(key = secret, body)", digest: () => hmacHex("sha256", secret, body) };
}

// ---------------------------------------------------------------------------------------------------------
// Explaining a match.

interface Explained {
  message: (variant: string) => string;
  hint: string;
}

const EXPLANATIONS: Partial<Record<DiagnosisCode, Explained>> = {
  "trailing-newline": {
    message: (v) => `The signature was computed over the body with a line ending changed at the end (${v}).`,
    hint: "Hash the body byte for byte: do not trim it and do not add a newline (editors and `echo` add one; use `printf '%s'`).",
  },
  crlf: {
    message: (v) => `The signature was computed over the body with its line endings converted (${v}).`,
    hint: "Read and hash the body as binary: text-mode reads, Windows editors and git autocrlf convert line endings.",
  },
  bom: {
    message: (v) => `The signature was computed over the body with the byte order mark changed (${v}).`,
    hint: "Hash the bytes as received and save body files as UTF-8 without BOM; some decoders drop or add a BOM silently.",
  },
  "body-reserialized-compact": {
    message: () =>
      "The signature was computed over the body re-serialised as compact JSON (JSON.stringify(JSON.parse(body))), not over the raw bytes.",
    hint: HASH_RAW_BODY,
  },
  "body-reserialized-pretty": {
    message: (v) => `The signature was computed over the body re-serialised as pretty-printed JSON (${v}), not over the raw bytes.`,
    hint: HASH_RAW_BODY,
  },
  "body-keys-sorted": {
    message: (v) =>
      `The signature was computed over the body re-serialised with its keys sorted (${v}), as Go maps, sort_keys or stable-stringify do.`,
    hint: HASH_RAW_BODY,
  },
  "body-escaping": {
    message: (v) => `The signature was computed over the body with its JSON string escaping changed: ${v}.`,
    hint: `Never re-encode before hashing (json_encode(json_decode($raw)) escapes / and non-ASCII). ${HASH_RAW_BODY}`,
  },
  "secret-whitespace": {
    message: (v) => `The signature was made with whitespace around the secret changed (${v}).`,
    hint: "Trim the secret where it is loaded (files and env vars often end with a newline) and copy it from Publisher Account without spaces.",
  },
  "secret-first": {
    message: () => "The signature is sha1(secret + body); Xsolla signs sha1(body + secret).",
    hint: "Put the secret after the body: createHash('sha1').update(rawBody).update(secret).digest('hex').",
  },
  "hmac-sha1": {
    message: () => "The signature is an HMAC-SHA1 keyed with the secret; Xsolla uses a plain SHA-1 of body + secret.",
    hint: "Use createHash('sha1').update(rawBody).update(secret).digest('hex'), not createHmac.",
  },
  sha256: {
    message: (v) => `The signature is a SHA-256 (${v}); Xsolla uses SHA-1, 40 hex digits.`,
    hint: "Use createHash('sha1').update(rawBody).update(secret).digest('hex').",
  },
};

interface MatchContext {
  expected: string;
  received: string;
  extra: Details;
  body: Buffer;
  secret: string;
}

function explainCandidate(candidate: Candidate, ctx: MatchContext): Diagnosis {
  const explained = EXPLANATIONS[candidate.code];
  const details: Details = { variant: candidate.variant, bodyLength: ctx.body.length, ...ctx.extra };
  if (candidate.signedLength !== undefined) details["signedLength"] = candidate.signedLength;
  if (candidate.code === "secret-whitespace") details["secret"] = JSON.stringify(maskSecret(ctx.secret));
  return {
    ok: false,
    diagnosis: candidate.code,
    message: explained?.message(candidate.variant) ?? candidate.variant,
    hint: explained?.hint ?? HASH_RAW_BODY,
    expected: ctx.expected,
    received: ctx.received,
    details,
  };
}

interface NoMatchContext {
  body: Buffer;
  secret: string;
  expected: string;
  received: string;
  extra: Details;
  expectedBody: Uint8Array | string | undefined;
}

const NO_MATCH_HINT =
  "Check the secret (Publisher Account → Project settings → Webhooks; Game-services webhooks can have their own, and " +
  "regenerating it invalidates the old one at once), then compare the exact bytes, e.g. with `listen --save`.";

function noMatch(ctx: NoMatchContext): Diagnosis {
  const details: Details = { bodyLength: ctx.body.length, ...ctx.extra };
  if (ctx.received.length !== 40) details["receivedLength"] = ctx.received.length;
  let message =
    "The signature matches neither these bytes with this secret nor any common mistake: most likely another secret, or the body changed after it was signed.";
  if (isBody(ctx.expectedBody)) {
    const expectedBody = toBuffer(ctx.expectedBody);
    const signedOverExpected = sha1(expectedBody, ctx.secret) === ctx.received;
    Object.assign(details, compareBodies(ctx.body, expectedBody));
    if (signedOverExpected) details["signedOverExpectedBody"] = "yes";
    message = describeBodyChange(details, signedOverExpected) ?? message;
  }
  return { ok: false, diagnosis: "no-match", message, hint: NO_MATCH_HINT, expected: ctx.expected, received: ctx.received, details };
}

function describeBodyChange(details: Details, signedOverExpected: boolean): string | null {
  const offset = details["firstDifferenceOffset"];
  if (offset === undefined) return null;
  const where = `at byte ${offset} (${details["bodyLength"]} bytes here, ${details["expectedBodyLength"]} expected)`;
  return signedOverExpected
    ? `The signature is right for the expected body, but the body hashed here differs from it ${where}: it changed after it was signed.`
    : `The signature matches no common mistake, and the body differs from the expected body ${where}.`;
}

const CONTEXT_BYTES = 8;

function compareBodies(body: Buffer, expectedBody: Buffer): Details {
  const lengths = { bodyLength: body.length, expectedBodyLength: expectedBody.length };
  const offset = firstDifference(body, expectedBody);
  if (offset === -1) return { ...lengths, bodiesIdentical: "yes" };
  const from = Math.max(0, offset - CONTEXT_BYTES);
  return {
    ...lengths,
    firstDifferenceOffset: offset,
    bodyContext: showBytes(body.subarray(from, offset + CONTEXT_BYTES)),
    expectedBodyContext: showBytes(expectedBody.subarray(from, offset + CONTEXT_BYTES)),
  };
}

function firstDifference(a: Buffer, b: Buffer): number {
  const shorter = Math.min(a.length, b.length);
  for (let i = 0; i < shorter; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : shorter;
}

/** Printable ASCII as is, everything else escaped, so binary context stays on one line. */
function showBytes(bytes: Buffer): string {
  let out = "";
  for (const byte of bytes) {
    if (byte === 0x0a) out += "\\n";
    else if (byte === 0x0d) out += "\\r";
    else if (byte === 0x5c) out += "\\\\";
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, "0")}`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// JSON text helpers.

type ParsedJson = { ok: true; value: unknown } | { ok: false };

function parseJson(text: string): ParsedJson {
  // Re-serialising deeper JSON would overflow the stack: the JSON mistakes are simply not tried for it.
  if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) return { ok: false };
  try {
    // A leading BOM is dropped as body-parser and most decoders do before JSON.parse.
    return { ok: true, value: JSON.parse(text.replace(/^\uFEFF/, "")) as unknown };
  } catch {
    return { ok: false };
  }
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value === null || typeof value !== "object") return value;
  const keys = Object.keys(value).sort();
  // fromEntries defines own properties, so a "__proto__" key stays a key.
  return Object.fromEntries(keys.map((key) => [key, sortKeysDeep((value as Record<string, unknown>)[key])]));
}

/** Rewrites every JSON string literal in `text` (quotes included) and keeps everything between them. */
function mapJsonStrings(text: string, rewrite: (literal: string) => string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('"', i);
    if (open === -1) break;
    const close = closingQuote(text, open);
    if (close === -1) break;
    out += text.slice(i, open) + rewrite(text.slice(open, close + 1));
    i = close + 1;
  }
  return out + text.slice(i);
}

function closingQuote(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/** Adds PHP json_encode's escapes to a literal; escapes already there are kept as they are. */
function escapeLikePhp(literal: string, style: EscapeStyle): string {
  let out = "";
  for (let i = 0; i < literal.length; i++) {
    const ch = literal[i] ?? "";
    const code = literal.charCodeAt(i);
    if (ch === "\\") {
      out += literal.slice(i, i + 2); // an existing escape: copy it and the character it escapes
      i++;
    } else if (ch === "/" && style.slashes) out += "\\/";
    else if (code >= 0x80 && style.unicode !== null) out += unicodeEscape(code, style.unicode);
    else out += ch;
  }
  return out;
}

function unicodeEscape(codeUnit: number, letterCase: "lower" | "upper"): string {
  const hex = codeUnit.toString(16).padStart(4, "0");
  return `\\u${letterCase === "upper" ? hex.toUpperCase() : hex}`;
}

/** JSON.stringify's escaping of one literal: `\/` and `\uXXXX` of printable characters become the characters. */
function escapeLikeJs(literal: string): string {
  try {
    return JSON.stringify(JSON.parse(literal));
  } catch {
    return literal;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Bytes and hashes.

function isBody(value: unknown): value is Uint8Array | string {
  return typeof value === "string" || value instanceof Uint8Array;
}

function toBuffer(body: unknown): Buffer {
  if (typeof body === "string") return utf8(body);
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return Buffer.alloc(0); // not bytes at all: diagnose an empty body rather than throw
}

function decodeUtf8(bytes: Buffer): string {
  return bytes.toString("utf8");
}

function utf8(text: string): Buffer {
  return Buffer.from(text, "utf8");
}

function latin1(text: string): Buffer {
  return Buffer.from(text, "latin1");
}

/** Xsolla's scheme, from the one implementation the whole tool signs with. */
function sha1(body: Buffer, secret: string): string {
  return signBody(body, secret);
}

function hashHex(algorithm: "sha1" | "sha256", first: Uint8Array, second: Uint8Array): string {
  return createHash(algorithm).update(first).update(second).digest("hex");
}

function hmacHex(algorithm: "sha1" | "sha256", key: string, body: Buffer): string {
  return createHmac(algorithm, utf8(key)).update(body).digest("hex");
}
