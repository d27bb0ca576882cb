import { ExitCode, UsageError, XsollaHooksError } from "../../../core/errors.js";
import { openClient, resolveEventConnection, warnIfExpired, type EventAuthFlags } from "../../events-shared.js";
import type { Io } from "../../io.js";
import { parseInteger } from "../../options.js";

export interface EventsAckOptions extends EventAuthFlags {
  args: [string[]];
  json?: boolean;
}

export async function run(options: EventsAckOptions, io: Io): Promise<number> {
  const connection = resolveEventConnection(options, io);
  const ids = options.args[0].map((id) => parseInteger(id, "event id", { min: 0, max: Number.MAX_SAFE_INTEGER }) as number);
  if (ids.length === 0) throw new UsageError("give at least one event id");
  warnIfExpired(connection, io);
  const client = await openClient(connection);
  let worst: number = ExitCode.Ok;
  try {
    for (const id of ids) {
      try {
        await client.markProcessed(id, { signal: io.signal });
        io.stdout.write(options.json ? `${JSON.stringify({ id, ok: true })}\n` : `marked ${id} processed\n`);
      } catch (error) {
        if (!(error instanceof XsollaHooksError) || io.signal.aborted) throw error;
        io.stdout.write(options.json ? `${JSON.stringify({ id, ok: false, error: error.message })}\n` : "");
        io.stderr.write(`error: ${error.message}${error.hint ? ` (${error.hint})` : ""}\n`);
        worst = Math.max(worst, error.exitCode);
      }
    }
  } finally {
    await client.close();
  }
  return worst;
}
