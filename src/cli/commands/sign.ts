// `sign`: the Authorization header Xsolla would send for a body (or the bare hex, or a curl command).
import { ExitCode } from "../../core/errors.js";
import { curlCommand } from "../../core/curl.js";
import { buildWebhookRequest } from "../../core/delivery/request.js";
import { checkUrl, requireSecret } from "../../core/settings.js";
import { formatSignatureHeader, signBody } from "../../core/signature.js";
import { Option } from "../commander.js";
import { bool, defineCommand, examples, str } from "../command.js";
import type { Io } from "../../adapters/io.js";
import { declarePayloadOptions, parsePayloadFlags, type PayloadFlags } from "../options.js";
import { loadTarget } from "../../adapters/config-file.js";

export interface SignOptions {
  source: string;
  payload: PayloadFlags;
  secret: string | undefined;
  json: boolean;
  format: "header" | "hex" | "curl";
  /** With --format curl; checked. */
  url: string | undefined;
}

export const command = defineCommand<SignOptions>({
  path: ["sign"],
  declare: (command) =>
    declarePayloadOptions(
      command
        .argument("<type|file|->", "webhook type (its fixture as-is, like show --keep-ids), a JSON file, or - for stdin")
        .option("--secret <secret>", "project webhook secret (env XSOLLA_WEBHOOK_SECRET)")
        .option("--json", 'print {"signature","header"}')
        .addOption(
          new Option("--format <what>", "header: the Authorization line; hex: the signature alone; curl: a ready-to-run curl command")
            .choices(["header", "hex", "curl"])
            .default("header"),
        )
        .option("--url <url>", "with --format curl: the handler URL (default: $XSOLLA_WEBHOOK_URL in the command)"),
    ).addHelpText(
      "after",
      examples(
        "xsolla-hooks sign body.json --secret s3cr3t",
        "cat body.json | xsolla-hooks sign - --secret s3cr3t --json",
        "xsolla-hooks sign payment --secret s3cr3t --format curl --url http://localhost:3000/webhook",
      ),
    ),
  parse: ({ opts, args }) => {
    const url = str(opts.url);
    const format = str(opts.format);
    return {
      source: str(args[0]) as string,
      payload: parsePayloadFlags(opts),
      secret: str(opts.secret),
      json: bool(opts.json),
      format: format === "hex" || format === "curl" ? format : "header",
      url: url === undefined ? undefined : checkUrl(url),
    };
  },
  run,
});

async function run(options: SignOptions, io: Io): Promise<number> {
  const { target } = await loadTarget(io, { secret: options.secret });
  const secret = requireSecret(target);
  const url = options.url ?? "$XSOLLA_WEBHOOK_URL";
  // A fixture is signed as-is (like `show --keep-ids`), so the header matches bytes the user can see.
  const { resolvePayload } = await import("../../adapters/payload-source.js");
  const payload = await resolvePayload(options.source, options.payload, io, { keepIdsByDefault: true });
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
