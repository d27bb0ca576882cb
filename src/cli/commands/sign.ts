import { ExitCode } from "../../core/errors.js";
import { curlCommand } from "../../core/curl.js";
import { buildWebhookRequest } from "../../core/delivery/request.js";
import { formatSignatureHeader, signBody } from "../../core/signature.js";
import type { Io } from "../io.js";
import { checkUrl, resolveSecret } from "../options.js";
import { resolvePayload, type PayloadFlags } from "../payload-input.js";

export interface SignOptions extends PayloadFlags {
  args: [string];
  secret?: string;
  json?: boolean;
  format?: "header" | "hex" | "curl";
  url?: string;
}

export async function run(options: SignOptions, io: Io): Promise<number> {
  const secret = resolveSecret(options.secret, io);
  const url = options.url === undefined ? "$XSOLLA_WEBHOOK_URL" : checkUrl(options.url);
  // A fixture is signed as-is (like `show --keep-ids`), so the header matches bytes the user can see.
  const payload = await resolvePayload(options.args[0], options, io, { keepIdsByDefault: true });
  const signature = signBody(payload.bytes, secret);
  const header = `Authorization: ${formatSignatureHeader(signature)}`;
  if (options.json) io.stdout.write(`${JSON.stringify({ signature, header })}\n`);
  else if (options.format === "hex") io.stdout.write(`${signature}\n`);
  else if (options.format === "curl") {
    const { request } = buildWebhookRequest(url, payload.bytes, secret);
    const { "user-agent": _agent, ...headers } = request.headers;
    io.stdout.write(curlCommand(url, headers, payload.bytes));
  } else io.stdout.write(`${header}\n`);
  return ExitCode.Ok;
}
