// `events enqueue <type>`: put a catalog fixture (with the usual overrides) on a running mock.
import { ExitCode } from "../../../core/errors.js";
import type { Io } from "../../io.js";
import { checkUrl, parseInteger } from "../../options.js";
import { resolvePayload, type PayloadFlags } from "../../payload-input.js";

export interface EventsEnqueueOptions extends PayloadFlags {
  args: [string];
  baseUrl?: string;
  count?: string;
  json?: boolean;
}

export async function run(options: EventsEnqueueOptions, io: Io): Promise<number> {
  const baseUrl = checkUrl(options.baseUrl ?? io.env.XSOLLA_EVENT_API_URL);
  const count = parseInteger(options.count, "--count", { min: 1, max: 10_000 }) ?? 1;
  const { enqueueRemote } = await import("../../../events-api/admin-client.js");
  for (let i = 0; i < count; i++) {
    // Each event gets fresh ids, as separate purchases would.
    const payload = await resolvePayload(options.args[0], options, io);
    const event = await enqueueRemote(JSON.parse(payload.bytes.toString("utf8")) as object, { baseUrl, signal: io.signal });
    io.stdout.write(options.json ? `${JSON.stringify({ id: event.id, type: payload.type ?? null })}\n` : `enqueued event ${event.id} (${payload.type ?? "custom"})\n`);
  }
  return ExitCode.Ok;
}
