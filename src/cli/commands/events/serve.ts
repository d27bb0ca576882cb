// `events serve`: a local Event API with Xsolla's routes and shapes, plus fault switches.
import { Option } from "../../commander.js";
import { ExitCode, UsageError } from "../../../core/errors.js";
import { parseDuration } from "../../../core/duration.js";
import { bool, defineCommand, examples, str } from "../../command.js";
import type { Io } from "../../../adapters/io.js";
import { declareBindOptions, explainBindError, parseBindOptions, parseInteger } from "../../options.js";

export interface MockFaults {
  failRate: number | undefined;
  ackFailRate: number | undefined;
  dropRate: number | undefined;
  rateLimit: number | undefined;
  unauthorized: boolean | undefined;
  overlapRate: number | undefined;
  duplicateRate: number | undefined;
  slowRate: number | undefined;
  slowMs: number | undefined;
  ackLostRate: number | undefined;
  jwtExpireAfter: number | undefined;
  seed: number | undefined;
}

export interface EventsServeOptions {
  port: number;
  host: string;
  jwt: string | undefined;
  token: string | undefined;
  faults: MockFaults;
  pageSize: number | undefined;
  errorBody: "webhook" | "login";
  json: boolean;
}

function rate(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new UsageError(`invalid ${flag} "${value}": expected a fraction from 0 to 1, e.g. 0.2`);
  return n;
}

function slowMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value, "--slow-ms", "ms");
  if (ms > 600_000) throw new UsageError(`invalid --slow-ms "${value}": at most 10m`);
  return ms;
}

export const command = defineCommand<EventsServeOptions>({
  path: ["events", "serve"],
  declare: (command) =>
    declareBindOptions(command)
      .option("--jwt <jwt>", "accept only this JWT (default: any non-empty Bearer JWT or token)")
      .option("--token <token>", "accept only this payment token")
      .option("--fail-rate <p>", "answer this fraction of API requests with 500")
      .option("--ack-fail-rate <p>", "also fail this fraction of POST /events/{id}/processed")
      .option("--drop-rate <p>", "close this fraction of connections without an answer")
      .option("--rate-limit <n>", "at most N requests per second, then 429 with Retry-After")
      .option("--unauthorized", "answer 401 to every API request")
      .option("--overlap-rate <p>", "answer this fraction of GET /events as if after_id were not sent (overlapping pages)")
      .option("--duplicate-rate <p>", "list every event twice in this fraction of GET /events answers")
      .option("--slow-rate <p>", "answer this fraction of API requests only after --slow-ms (an ack is applied first)")
      .option("--slow-ms <duration>", "how long a slow answer takes, e.g. 2s (default 2s)")
      .option("--ack-lost-rate <p>", "apply this fraction of POST /events/{id}/processed, then close the connection without an answer")
      .option("--jwt-expire-after <n>", "each JWT or token works for N API requests, then gets 401 (token expired)")
      .addOption(
        new Option(
          "--error-body <shape>",
          "error bodies: webhook {error:{code,message}} or login {error:{code,description}}, as Xsolla's SDK parses",
        )
          .choices(["webhook", "login"])
          .default("webhook"),
      )
      .option("--seed <n>", "seed for repeatable faults")
      .option("--page-size <n>", "events per GET /events page (default 50; Xsolla's is undocumented)")
      .option("--json", "one JSON line per request")
      .addHelpText(
        "after",
        examples(
          "xsolla-hooks events serve --port 8787",
          "xsolla-hooks events serve --fail-rate 0.2 --rate-limit 5 --seed 7",
          "xsolla-hooks events serve --overlap-rate 0.3 --ack-lost-rate 0.1 --slow-rate 0.05 --slow-ms 20s",
          "xsolla-hooks events serve --jwt-expire-after 10 --error-body login",
        ),
      ),
  parse: ({ opts }) => ({
    ...parseBindOptions(opts),
    jwt: str(opts.jwt),
    token: str(opts.token),
    faults: {
      failRate: rate(str(opts.failRate), "--fail-rate"),
      ackFailRate: rate(str(opts.ackFailRate), "--ack-fail-rate"),
      dropRate: rate(str(opts.dropRate), "--drop-rate"),
      rateLimit: parseInteger(str(opts.rateLimit), "--rate-limit", { min: 1, max: 1_000_000 }),
      unauthorized: opts.unauthorized === true ? true : undefined,
      overlapRate: rate(str(opts.overlapRate), "--overlap-rate"),
      duplicateRate: rate(str(opts.duplicateRate), "--duplicate-rate"),
      slowRate: rate(str(opts.slowRate), "--slow-rate"),
      slowMs: slowMs(str(opts.slowMs)),
      ackLostRate: rate(str(opts.ackLostRate), "--ack-lost-rate"),
      jwtExpireAfter: parseInteger(str(opts.jwtExpireAfter), "--jwt-expire-after", { min: 0, max: 1_000_000_000 }),
      seed: parseInteger(str(opts.seed), "--seed", { min: 0, max: 2 ** 32 - 1 }),
    },
    pageSize: parseInteger(str(opts.pageSize), "--page-size", { min: 1, max: 10_000 }),
    errorBody: opts.errorBody === "login" ? "login" : "webhook",
    json: bool(opts.json),
  }),
  run,
});

async function run(options: EventsServeOptions, io: Io): Promise<number> {
  const { port, host, faults, pageSize } = options;
  const { startMockEventApi } = await import("../../../events-api/mock-server.js");
  let api: Awaited<ReturnType<typeof startMockEventApi>>;
  try {
    api = await startMockEventApi({
      host,
      port,
      jwt: options.jwt,
      token: options.token,
      faults,
      pageSize,
      errorBody: options.errorBody,
      onRequest: (entry) => {
        const line = options.json
          ? JSON.stringify(entry)
          : `${new Date().toISOString().slice(11, 19)} ${entry.method} ${entry.path} → ${entry.outcome}${entry.fault ? ` (fault: ${entry.fault})` : ""}`;
        io.stdout.write(`${line}\n`);
      },
    });
  } catch (error) {
    explainBindError(error, port, host);
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
