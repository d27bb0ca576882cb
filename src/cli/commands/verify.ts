// `verify`: does this signature match these exact bytes, and if not, which common mistake made it.
import { ExitCode, UsageError } from "../../core/errors.js";
import { parseCapturedRequest } from "../../core/http-capture.js";
import { requireSecret } from "../../core/settings.js";
import { maskSecret } from "../../core/signature.js";
import { bool, defineCommand, examples, str } from "../command.js";
import type { Io } from "../../adapters/io.js";
import { loadTarget } from "../../adapters/config-file.js";
import { parseMaxBody } from "../options.js";
import { createStyle } from "../style.js";

export interface VerifyOptions {
  /** The body file, "-" for stdin, or none with --request. */
  source: string | undefined;
  secret: string | undefined;
  signature: string | undefined;
  request: string | undefined;
  expectedBody: string | undefined;
  maxBody: number;
  json: boolean;
  color: boolean | undefined;
}

export const command = defineCommand<VerifyOptions>({
  path: ["verify"],
  declare: (command) =>
    command
      .argument("[body-file|-]", "the exact body bytes the handler received (- for stdin)")
      .option("--secret <secret>", "project webhook secret (env XSOLLA_WEBHOOK_SECRET)")
      .option("--signature <value>", 'the signature: hex, "Signature <hex>" or "Authorization: Signature <hex>"')
      .option("--request <file>", "a raw HTTP request as captured by listen --save (body and Authorization taken from it)")
      .option("--expected-body <file>", "the body as it was sent, to find where it changed in transit")
      .option("--max-body <size>", "refuse a body, --request or --expected-body file or stdin larger than this (default: 16MiB)")
      .option("--json", 'print {"ok","diagnosis","message","hint","expected","received","details"}')
      .addHelpText(
        "after",
        examples(
          "xsolla-hooks verify body.json --secret $XSOLLA_WEBHOOK_SECRET --signature 52eac2713985e212351610d008e7e14fae46f902",
          "xsolla-hooks verify --request captures/000001-20261121T235959.123Z-payment.http --secret $XSOLLA_WEBHOOK_SECRET",
          'xsolla-hooks verify received.json --signature "Authorization: Signature 52ea..." --expected-body sent.json --json',
        ) +
          "\nDiagnoses: body-reserialized-compact, body-reserialized-pretty, body-keys-sorted, body-escaping, trailing-newline, crlf, bom,\n" +
          "secret-whitespace, secret-first, hmac-sha1, sha256, uppercase-hex, header-format, no-match. Exit 0 match, 1 mismatch, 2 bad input.\n",
      ),
  parse: ({ opts, args }) => ({
    source: str(args[0]),
    secret: str(opts.secret),
    signature: str(opts.signature),
    request: str(opts.request),
    expectedBody: str(opts.expectedBody),
    maxBody: parseMaxBody(opts),
    json: bool(opts.json),
    color: opts.color === false ? false : undefined,
  }),
  run,
});

/**
 * --signature may be the bare hex, `Signature <hex>` or the whole `Authorization: ...` line: those are
 * ways of quoting it, not mistakes, so they become the header value. A captured request's header is
 * judged exactly as it arrived.
 */
export function signatureArgumentToHeader(value: string): string {
  const bare = value.trim().replace(/^authorization:\s*/i, "");
  return /^[0-9a-fA-F]{40}$/.test(bare) ? `Signature ${bare}` : bare;
}

/** A header value as received; quoted when whitespace or control characters would otherwise hide. */
function shownValue(value: string): string {
  return /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(value) && !value.includes("  ")
    ? value
    : JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}…` : value);
}

async function run(options: VerifyOptions, io: Io): Promise<number> {
  const { target } = await loadTarget(io, { secret: options.secret });
  const secret = requireSecret(target);
  const { readFileArgument, readStdin } = await import("../../adapters/payload-source.js");
  const { diagnoseSignature } = await import("../../core/signature-diagnosis.js");
  const source = options.source;
  let body: Buffer;
  let signature: string | undefined = options.signature === undefined ? undefined : signatureArgumentToHeader(options.signature);
  if (options.request) {
    if (source !== undefined) throw new UsageError("give either a body file or --request, not both");
    const captured = parseCapturedRequest(await readFileArgument(options.request, io, "request file", options.maxBody));
    body = captured.body;
    signature ??= captured.header("authorization") ?? "";
  } else {
    if (source === undefined)
      throw new UsageError("missing body", {
        hint: "give the body file (or - for stdin) with --signature, or a captured request with --request",
      });
    if (signature === undefined)
      throw new UsageError("missing --signature", {
        hint: 'pass the hex, "Signature <hex>" or the whole "Authorization: Signature <hex>" line',
      });
    body = source === "-" ? await readStdin(io, options.maxBody) : await readFileArgument(source, io, "body file", options.maxBody);
  }
  const expectedBody = options.expectedBody
    ? await readFileArgument(options.expectedBody, io, "--expected-body file", options.maxBody)
    : undefined;
  const result = diagnoseSignature({ body, secret, signature: signature ?? "", expectedBody });

  if (options.json) {
    const { ok, diagnosis, message, hint, expected, received, details } = result;
    io.stdout.write(`${JSON.stringify({ ok, diagnosis, message, hint, expected, received, details: details ?? {} })}\n`);
  } else {
    const style = await createStyle(io, options.color);
    if (result.ok) {
      io.stdout.write(style.ok(`✓ signature matches the ${body.length} body bytes (secret ${maskSecret(secret)})\n`));
    } else {
      io.stdout.write(style.bad(`✗ ${result.diagnosis}: ${result.message}\n`));
      io.stdout.write(`  fix: ${result.hint}\n`);
      // The value as it came (case, spacing, prefix and all): the difference is often the whole story.
      const received = signature?.trim() ? shownValue(signature) : "(no signature found)";
      io.stdout.write(style.dim(`  expected Signature ${result.expected}\n  received ${received}\n`));
      for (const [key, value] of Object.entries(result.details ?? {})) io.stdout.write(style.dim(`  ${key}: ${value}\n`));
    }
  }
  return result.ok ? ExitCode.Ok : ExitCode.CheckFailed;
}
