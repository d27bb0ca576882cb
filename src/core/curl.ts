// A curl command that sends exactly these body bytes with these headers. Single quotes keep every
// byte as it is in POSIX shells (a quote itself becomes '\''), so nothing is re-encoded on the way.
import { shellQuote } from "./command-line.js";

const singleQuoted = (bytes: Buffer): Buffer =>
  Buffer.concat([Buffer.from("'"), Buffer.from(bytes.toString("latin1").replace(/'/g, `'\\''`), "latin1"), Buffer.from("'")]);

/** content-type → Content-Type, as people write headers by hand. */
const headerCase = (name: string) => name.replace(/(^|-)([a-z])/g, (_m, dash: string, letter: string) => `${dash}${letter.toUpperCase()}`);

export function curlCommand(url: string, headers: Record<string, string>, body: Buffer): Buffer {
  const lines = [
    `curl -sS -i -X POST ${shellQuote(url)}`,
    ...Object.entries(headers).map(([name, value]) => `  -H ${shellQuote(`${headerCase(name)}: ${value}`)}`),
  ];
  return Buffer.concat([Buffer.from(`${lines.join(" \\\n")} \\\n  --data-binary `), singleQuoted(body), Buffer.from("\n")]);
}

/** $'...' quoting with every byte outside printable ASCII as \xNN: a header value's latin1 bytes survive a paste. */
const ansiCQuoted = (text: string): string =>
  `$'${[...text].map((c) => (/[\x20-\x7e]/.test(c) && c !== "'" && c !== "\\" ? c : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)).join("")}'`;

const quoteHeader = (line: string): string => (/^[\x20-\x7e]*$/.test(line) ? shellQuote(line) : ansiCQuoted(line));

/** UTF-8 text that a terminal paste carries unchanged: no control characters but newline and tab. */
function isPasteSafeText(body: Buffer): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what a paste may not carry
  if (/[\x00-\x08\x0b-\x1f\x7f]/.test(body.toString("latin1"))) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(body);
    return true;
  } catch {
    return false;
  }
}

/**
 * A bash command that re-sends exactly these body bytes with these headers (connection headers left to curl). The
 * body goes through printf, a shell builtin, into `--data-binary @-`: no argument-length limit for a 1 MiB body, and
 * no trailing newline as a here-document would add. Bodies that are not plain UTF-8 text travel as base64, since a
 * copy through the clipboard cannot carry arbitrary bytes.
 */
export function curlResendCommand(
  url: string,
  headers: readonly (readonly [string, string])[],
  body: Buffer,
  skip: ReadonlySet<string>,
): string {
  const lines = [
    `curl -sS -i -X POST ${shellQuote(url)}`,
    ...headers.filter(([name]) => !skip.has(name.toLowerCase())).map(([name, value]) => `  -H ${quoteHeader(`${name}: ${value}`)}`),
    // curl would otherwise add `Expect: 100-continue` to a large body, which the original request did not have.
    `  -H 'Expect:'`,
    "  --data-binary @-",
  ];
  const source = isPasteSafeText(body)
    ? `printf '%s' ${singleQuoted(body).toString("utf8")}`
    : `printf '%s' '${body.toString("base64")}' | base64 --decode`;
  return `${source} | ${lines.join(" \\\n")}\n`;
}
