// `verify`: does this signature match these exact bytes, and if not, which common mistake made it.
import { ExitCode, UsageError } from "../../core/errors.js";
import { parseCapturedRequest } from "../../core/http-capture.js";
import { diagnoseSignature } from "../../core/signature-diagnosis.js";
import { maskSecret } from "../../core/signature.js";
import type { Io } from "../io.js";
import { resolveSecret } from "../options.js";
import { readFileArgument, readStdin } from "../payload-input.js";
import { createStyle } from "../style.js";

export interface VerifyOptions {
  args: [string | undefined];
  secret?: string;
  signature?: string;
  request?: string;
  expectedBody?: string;
  json?: boolean;
  color?: boolean;
}

/**
 * --signature may be the bare hex, `Signature <hex>` or the whole `Authorization: ...` line: those are
 * ways of quoting it, not mistakes, so they become the header value. A captured request's header is
 * judged exactly as it arrived.
 */
export function signatureArgumentToHeader(value: string): string {
  const bare = value.trim().replace(/^authorization:\s*/i, "");
  return /^[0-9a-fA-F]{40}$/.test(bare) ? `Signature ${bare}` : bare;
}

export async function run(options: VerifyOptions, io: Io): Promise<number> {
  const secret = resolveSecret(options.secret, io);
  const source = options.args[0];
  let body: Buffer;
  let signature: string | undefined = options.signature === undefined ? undefined : signatureArgumentToHeader(options.signature);
  if (options.request) {
    if (source !== undefined) throw new UsageError("give either a body file or --request, not both");
    const captured = parseCapturedRequest(readFileArgument(options.request, io, "request file"));
    body = captured.body;
    signature ??= captured.header("authorization") ?? "";
  } else {
    if (source === undefined) throw new UsageError("missing body", { hint: "give the body file (or - for stdin) with --signature, or a captured request with --request" });
    if (signature === undefined) throw new UsageError("missing --signature", { hint: 'pass the hex, "Signature <hex>" or the whole "Authorization: Signature <hex>" line' });
    body = source === "-" ? await readStdin(io) : readFileArgument(source, io, "body file");
  }
  const expectedBody = options.expectedBody ? readFileArgument(options.expectedBody, io, "--expected-body file") : undefined;
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
      io.stdout.write(style.dim(`  expected Signature ${result.expected}\n  received ${result.received ? `Signature ${result.received}` : "(no signature found)"}\n`));
      for (const [key, value] of Object.entries(result.details ?? {})) io.stdout.write(style.dim(`  ${key}: ${value}\n`));
    }
  }
  return result.ok ? ExitCode.Ok : ExitCode.CheckFailed;
}
