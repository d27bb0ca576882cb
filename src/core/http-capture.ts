// A captured webhook request as a raw HTTP/1.1 file: request line, headers (original names and order), blank line,
// body bytes. `listen --save` writes it; `send --request` and `verify --request` read it back.
//
// The head is read and written as latin1, the way Node decodes request lines and headers, so every byte of a
// header value survives the round trip. The body is never decoded.
import { ErrorCode, UsageError } from "./errors.js";

export interface RequestToCapture {
  method: string;
  url: string;
  /** As Node gives it ("1.1"); "HTTP/1.1" is accepted too. Default "1.1". */
  httpVersion?: string | undefined;
  /** Flat [name, value, name, value, ...] like Node's req.rawHeaders. */
  rawHeaders: readonly string[];
  /** The body as the handler received it (already de-chunked, as Node delivers it). */
  body: Uint8Array;
}

export interface CapturedRequest {
  method: string;
  url: string;
  /** "1.1", like Node's req.httpVersion. */
  httpVersion: string;
  /** In file order, names as written. */
  headers: [string, string][];
  /** The first header of that name, case-insensitive. */
  header(name: string): string | undefined;
  body: Buffer;
}

const CRLF = "\r\n";
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/(\d(?:\.\d)?)$/;
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/;
// Control characters other than tab cannot be in a header value (Node rejects them too).
// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const BAD_VALUE_CHAR = /[\x00-\x08\x0a-\x1f\x7f]/;

export function serializeCapturedRequest(req: RequestToCapture): Buffer {
  const headers = pairHeaders(req.rawHeaders);
  const written = isChunked(headers) ? withContentLength(headers, req.body.byteLength) : headers;
  const lines = [requestLine(req), ...written.map(([name, value]) => headerLine(name, value))];
  return Buffer.concat([Buffer.from(lines.join(CRLF) + CRLF + CRLF, "latin1"), req.body]);
}

function requestLine(req: RequestToCapture): string {
  const version = (req.httpVersion ?? "1.1").replace(/^HTTP\//i, "");
  const line = `${req.method} ${req.url} HTTP/${version}`;
  if (!REQUEST_LINE.test(line)) throw new TypeError(`cannot write request line ${JSON.stringify(line)}`);
  return line;
}

function headerLine(name: string, value: string): string {
  // eslint-disable-next-line no-control-regex -- obs-text: bytes above 0xff cannot come from a header
  if (!TOKEN.test(name) || BAD_VALUE_CHAR.test(value) || /[^\x00-\xff]/.test(value)) {
    throw new TypeError(`cannot write header ${JSON.stringify(name)}: names are tokens, values latin1 without line breaks`);
  }
  return `${name}: ${value}`;
}

function pairHeaders(rawHeaders: readonly string[]): [string, string][] {
  if (rawHeaders.length % 2 !== 0) throw new TypeError("rawHeaders must be [name, value, name, value, ...]");
  const pairs: [string, string][] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) pairs.push([rawHeaders[i] ?? "", rawHeaders[i + 1] ?? ""]);
  return pairs;
}

function isChunked(headers: [string, string][]): boolean {
  return headers.some(([name, value]) => isNamed(name, "transfer-encoding") && codings(value).includes("chunked"));
}

function codings(value: string): string[] {
  return value
    .split(",")
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== "");
}

/**
 * Node hands us the body already de-chunked, so the file holds those bytes: the `chunked` coding is dropped and
 * any Content-Length is replaced by the real length, put where Transfer-Encoding was. A replay then sends the same
 * body bytes with a length that matches them.
 */
function withContentLength(headers: [string, string][], length: number): [string, string][] {
  const out: [string, string][] = [];
  let placed = false;
  for (const [name, value] of headers) {
    if (isNamed(name, "content-length")) continue;
    if (isNamed(name, "transfer-encoding")) {
      const others = codings(value).filter((coding) => coding !== "chunked");
      if (others.length > 0) out.push([name, others.join(", ")]);
      if (!placed) out.push(["Content-Length", String(length)]);
      placed = true;
      continue;
    }
    out.push([name, value]);
  }
  return out;
}

export function parseCapturedRequest(bytes: Uint8Array): CapturedRequest {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const head = readHead(buffer);
  const [firstLine, ...headerLines] = head.lines;
  const { method, url, httpVersion } = parseRequestLine(firstLine ?? "");
  const headers = headerLines.map((line, index) => parseHeaderLine(line, index + 2 + head.skippedLines));
  const body = takeBody(buffer.subarray(head.bodyStart), headers);
  return { method, url, httpVersion, headers, header: (name) => findHeader(headers, name), body };
}

interface Head {
  lines: string[];
  bodyStart: number;
  /** Blank lines before the request line (tolerated, as HTTP servers do), for line numbers in errors. */
  skippedLines: number;
}

/** Splits the head at \n (a \r before it is dropped) up to the first blank line after the request line. */
function readHead(buffer: Buffer): Head {
  const lines: string[] = [];
  let skippedLines = 0;
  let position = 0;
  for (;;) {
    const newline = buffer.indexOf(0x0a, position);
    if (newline === -1) return unterminatedHead(buffer.toString("latin1", position), lines);
    const line = buffer.toString("latin1", position, newline).replace(/\r$/, "");
    position = newline + 1;
    if (line !== "") lines.push(line);
    else if (lines.length > 0) return { lines, bodyStart: position, skippedLines };
    else skippedLines++;
  }
}

function unterminatedHead(rest: string, lines: string[]): never {
  if (lines.length === 0 && rest.trim() === "") throw badCapture("no request line: the file is empty");
  parseRequestLine(lines[0] ?? rest.replace(/\r$/, "")); // garbage is reported as such, not as a missing blank line
  throw badCapture("missing blank line after the headers");
}

function parseRequestLine(line: string): { method: string; url: string; httpVersion: string } {
  const match = REQUEST_LINE.exec(line);
  if (!match) throw badCapture(`no request line: expected "POST /path HTTP/1.1", got ${quote(line)}`);
  return { method: match[1] ?? "", url: match[2] ?? "", httpVersion: match[3] ?? "" };
}

function parseHeaderLine(line: string, lineNumber: number): [string, string] {
  if (/^[ \t]/.test(line)) throw badCapture(`line ${lineNumber}: folded header lines are not supported`);
  const match = HEADER_LINE.exec(line);
  if (!match || BAD_VALUE_CHAR.test(match[2] ?? "")) {
    throw badCapture(`line ${lineNumber}: bad header line, expected "Name: value", got ${quote(line)}`);
  }
  return [match[1] ?? "", match[2] ?? ""];
}

/**
 * The exact bytes after the blank line. With a Content-Length, exactly that many: extra bytes (an editor's final
 * newline) are dropped, missing ones are an error, since a replay would then send a different body.
 */
function takeBody(rest: Buffer, headers: [string, string][]): Buffer {
  const encoding = findHeader(headers, "transfer-encoding");
  if (encoding !== undefined && codings(encoding).includes("chunked")) {
    throw badCapture("Transfer-Encoding: chunked is not supported: write the de-chunked body with a Content-Length");
  }
  const length = contentLength(headers);
  if (length === undefined) return Buffer.from(rest);
  if (rest.length < length) throw badCapture(`the body has ${rest.length} bytes but Content-Length says ${length}`);
  return Buffer.from(rest.subarray(0, length));
}

function contentLength(headers: [string, string][]): number | undefined {
  const values = new Set(headers.filter(([name]) => isNamed(name, "content-length")).map(([, value]) => value));
  if (values.size === 0) return undefined;
  if (values.size > 1) throw badCapture(`conflicting Content-Length headers: ${[...values].join(", ")}`);
  const [value = ""] = values;
  if (!/^\d{1,15}$/.test(value)) throw badCapture(`Content-Length is not a number: ${quote(value)}`);
  return Number(value);
}

function findHeader(headers: [string, string][], name: string): string | undefined {
  return headers.find(([candidate]) => isNamed(candidate, name))?.[1];
}

function isNamed(name: string, wanted: string): boolean {
  return name.toLowerCase() === wanted.toLowerCase();
}

function quote(text: string): string {
  const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return JSON.stringify(shown); // escapes control characters, so the message stays on one line
}

function badCapture(problem: string): UsageError {
  return new UsageError(`bad request file: ${problem}`, { code: ErrorCode.BadInput });
}

/**
 * `000001-20261121T235959.123Z-payment.http`: the zero-padded sequence makes names sort by arrival (up to 999999;
 * past that the names stay unique but no longer sort).
 */
export function captureFileName(sequence: number, receivedAt: Date, type: string | undefined): string {
  if (!Number.isSafeInteger(sequence) || sequence < 0) throw new RangeError(`sequence must be a non-negative integer, got ${sequence}`);
  const stamp = receivedAt.toISOString().replace(/[-:]/g, "");
  return `${String(sequence).padStart(6, "0")}-${stamp}-${sanitizeType(type)}.http`;
}

function sanitizeType(type: string | undefined): string {
  const clean = (type ?? "")
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 64);
  return /[a-z0-9]/.test(clean) ? clean : "unknown";
}
