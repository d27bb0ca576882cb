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
