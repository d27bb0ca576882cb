// The one resolver for where a webhook goes and how it is signed: handler URL, secret, extra headers
// and timeout, with the precedence flags > environment > config file > defaults. Every command and
// the interactive mode ask this function; nothing else reads XSOLLA_WEBHOOK_URL or _SECRET.
import { ErrorCode, UsageError } from "./errors.js";
import { maskSecret } from "./signature.js";

export const CONFIG_FILE_NAME = "xsolla-hooks.config.json";
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_HANDLER_URL = "http://localhost:3000/webhook";

/** What the command line gave (already parsed). */
export interface TargetFlags {
  url?: string | undefined;
  secret?: string | undefined;
  headers?: Record<string, string> | undefined;
  timeoutMs?: number | undefined;
}

/** The same settings as a config file holds them. */
export interface TargetFile {
  url?: string | undefined;
  secret?: string | undefined;
  /** Name of the environment variable that holds the secret. */
  secretEnv?: string | undefined;
  headers?: Record<string, string> | undefined;
  timeoutMs?: number | undefined;
}

export interface Target {
  url: string | undefined;
  /** Where the URL came from, for messages: --url, XSOLLA_WEBHOOK_URL, config url. */
  urlSource: string;
  secret: string | undefined;
  /** Where the secret came from, for messages (never the secret itself). */
  secretSource: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

const nonEmpty = (value: string | undefined) => (value === "" ? undefined : value);

export function resolveTarget(input: {
  flags: TargetFlags;
  env: Record<string, string | undefined>;
  file?: TargetFile | undefined;
}): Target {
  const { flags, env } = input;
  const file = input.file ?? {};

  let url: string | undefined;
  let urlSource = "";
  if (flags.url !== undefined) [url, urlSource] = [flags.url, "--url"];
  else if (nonEmpty(env.XSOLLA_WEBHOOK_URL) !== undefined) [url, urlSource] = [env.XSOLLA_WEBHOOK_URL, "XSOLLA_WEBHOOK_URL"];
  else if (file.url !== undefined) [url, urlSource] = [file.url, "config url"];

  let secret: string | undefined;
  let secretSource = "";
  if (flags.secret !== undefined) [secret, secretSource] = [flags.secret, "--secret"];
  else if (nonEmpty(env.XSOLLA_WEBHOOK_SECRET) !== undefined) [secret, secretSource] = [env.XSOLLA_WEBHOOK_SECRET, "XSOLLA_WEBHOOK_SECRET"];
  else if (file.secretEnv) {
    secret = nonEmpty(env[file.secretEnv]);
    if (secret === undefined)
      throw new UsageError(`config names secretEnv ${file.secretEnv}, but that environment variable is not set`, {
        code: ErrorCode.MissingSecret,
      });
    secretSource = file.secretEnv;
  } else if (file.secret) [secret, secretSource] = [file.secret, "config secret"];

  return {
    url,
    urlSource,
    secret,
    secretSource,
    headers: { ...checkedHeaders(file.headers ?? {}, "config headers"), ...(flags.headers ?? {}) },
    timeoutMs: flags.timeoutMs ?? file.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
}

// Headers that describe the connection or the body's framing: the HTTP client sets them from the
// bytes it sends, and an override would make the request lie about its own body.
const CONNECTION_HEADERS = new Set([
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "expect",
  "te",
  "trailer",
]);

/** A header a user may set (Authorization, X-Anything, even Host); a usage error for the connection's own. */
export function checkHeaderName(name: string, source: string): void {
  if (CONNECTION_HEADERS.has(name.toLowerCase()))
    throw new UsageError(`${source} cannot set ${name}: it is set from the body that is sent`, {
      hint: "drop it; every other header, Authorization included, can be overridden",
    });
}

/** Config headers, checked like --header and keyed in lower case, so a flag overrides them whatever the case. */
function checkedHeaders(headers: Record<string, string>, source: string): Record<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    checkHeaderName(name, source);
    out.set(name.toLowerCase(), value);
  }
  return Object.fromEntries(out);
}

export function requireSecret(target: Pick<Target, "secret">): string {
  if (target.secret === undefined || target.secret === "") {
    throw new UsageError("missing webhook secret", {
      code: ErrorCode.MissingSecret,
      hint: "pass --secret, set XSOLLA_WEBHOOK_SECRET, or name secretEnv in xsolla-hooks.config.json",
    });
  }
  return target.secret;
}

export function requireUrl(target: Pick<Target, "url">): string {
  return checkUrl(target.url);
}

/** An http(s) URL, normalised; a usage error naming the value otherwise. */
export function checkUrl(raw: string | undefined, flag = "--url", envName = "XSOLLA_WEBHOOK_URL"): string {
  if (raw === undefined || raw === "")
    throw new UsageError(flag === "--url" ? "missing handler URL" : `missing ${flag}`, { hint: `pass ${flag} or set ${envName}` });
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`invalid URL "${redactUrls(raw)}"`, { hint: "e.g. http://localhost:3000/webhook" });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`invalid URL "${redactUrls(raw)}": only http:// and https:// are supported`);
  }
  return url.toString();
}

/** A text for display with the password of every URL in it (`https://user:pass@host`) masked like a secret. */
export function redactUrls(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:)([^\s/?#@]+)@/gi, (_match, head: string, password: string) => {
    let plain = password;
    try {
      plain = decodeURIComponent(password);
    } catch {
      // not percent-encoded after all: mask it as written
    }
    return `${head}${maskSecret(plain)}@`;
  });
}

/** The URL with any password removed (the user name stays); text that is not a URL comes back as it was. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === "") return url;
    parsed.password = "";
    return parsed.href;
  } catch {
    return url;
  }
}
