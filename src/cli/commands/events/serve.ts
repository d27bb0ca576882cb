// `events serve`: a local Event API with Xsolla's routes and shapes, plus fault switches.
import { ExitCode, UsageError } from "../../../core/errors.js";
import type { Io } from "../../io.js";
import { explainBindError, parseInteger } from "../../options.js";

export interface EventsServeOptions {
  port?: string;
  host?: string;
  jwt?: string;
  token?: string;
  failRate?: string;
  ackFailRate?: string;
  dropRate?: string;
  rateLimit?: string;
  unauthorized?: boolean;
  seed?: string;
  pageSize?: string;
  json?: boolean;
}

function rate(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new UsageError(`invalid ${flag} "${value}": expected a fraction from 0 to 1, e.g. 0.2`);
  return n;
}

export async function run(options: EventsServeOptions, io: Io): Promise<number> {
  const port = parseInteger(options.port, "--port", { min: 0, max: 65_535 }) ?? 0;
  const faults = {
    failRate: rate(options.failRate, "--fail-rate"),
    ackFailRate: rate(options.ackFailRate, "--ack-fail-rate"),
    dropRate: rate(options.dropRate, "--drop-rate"),
    rateLimit: parseInteger(options.rateLimit, "--rate-limit", { min: 1, max: 1_000_000 }),
    unauthorized: options.unauthorized,
    seed: parseInteger(options.seed, "--seed", { min: 0, max: 2 ** 32 - 1 }),
  };
  const pageSize = parseInteger(options.pageSize, "--page-size", { min: 1, max: 10_000 });
  const { startMockEventApi } = await import("../../../events-api/mock-server.js");
  let api: Awaited<ReturnType<typeof startMockEventApi>>;
  try {
    api = await startMockEventApi({
      host: options.host ?? "127.0.0.1",
      port,
      jwt: options.jwt,
      token: options.token,
      faults,
      pageSize,
      onRequest: (entry) => {
        const line = options.json ? JSON.stringify(entry) : `${new Date().toISOString().slice(11, 19)} ${entry.method} ${entry.path} → ${entry.outcome}${entry.fault ? ` (fault: ${entry.fault})` : ""}`;
        io.stdout.write(`${line}\n`);
      },
    });
  } catch (error) {
    explainBindError(error, port, options.host ?? "127.0.0.1");
  }
  (options.json ? io.stderr : io.stdout).write(
    `Event API mock on ${api.url} (GET /events, POST /events/{id}/processed; add events with: xsolla-hooks events enqueue payment --base-url ${api.url}; Ctrl-C to stop)\n`,
  );
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    io.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await api.close();
  return ExitCode.Interrupted;
}
