import { ExitCode } from "../../core/errors.js";
import { formatSignatureHeader, signBody } from "../../core/signature.js";
import type { Io } from "../io.js";
import { resolveSecret } from "../options.js";
import { resolvePayload, type PayloadFlags } from "../payload-input.js";

export interface SignOptions extends PayloadFlags {
  args: [string];
  secret?: string;
  json?: boolean;
}

export async function run(options: SignOptions, io: Io): Promise<number> {
  const secret = resolveSecret(options.secret, io);
  // A fixture is signed as-is (like `show --keep-ids`), so the header matches bytes the user can see.
  const payload = await resolvePayload(options.args[0], options, io, { keepIdsByDefault: true });
  const signature = signBody(payload.bytes, secret);
  const header = `Authorization: ${formatSignatureHeader(signature)}`;
  io.stdout.write(options.json ? `${JSON.stringify({ signature, header })}\n` : `${header}\n`);
  return ExitCode.Ok;
}
