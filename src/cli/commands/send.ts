// `send`: sign a webhook and POST it to a handler, then check the reply; with --retry, replay
// Xsolla's resend schedule. Parses and renders; src/runners/send.ts does the work.
import { ExitCode, InterruptedError, UnreachableError, UsageError } from "../../core/errors.js";
import { describePolicies } from "../../core/delivery/policies.js";
import { deliveryToJson } from "../../core/delivery/report.js";
import { checkExpectFinal, type RetryRequest } from "../../core/delivery/retry-plan.js";
import { parseDuration, parseSchedule } from "../../core/duration.js";
import { parseRate } from "../../core/burst/rate.js";
import type { BurstSettings } from "../../runners/burst.js";
import { describeExpectation, parseStatusList } from "../../core/expectation.js";
import { checkUrl } from "../../core/settings.js";
import type { SendCommand } from "../../runners/send.js";
import { bool, collect, defineCommand, examples, str, type RawInput } from "../command.js";
import type { Io } from "../../adapters/io.js";
import { declarePayloadOptions, parseHeaders, parseInteger, parsePayloadFlags } from "../options.js";
import { createProgressLine, type ProgressLine } from "../progress.js";
import {
  renderAttempt,
  renderRequestLine,
  renderRetryAttempt,
  renderRetryCountdown,
  renderRetryHeader,
  renderRetrySummary,
  retryToJson,
} from "../render/delivery.js";
import { createStyle } from "../style.js";

export interface SendOptions extends SendCommand {
  json: boolean;
  color: boolean | undefined;
  /** Burst mode (--repeat or --duration); absent for a single send. */
  burst?: BurstSettings | undefined;
}

const MAX_CONCURRENCY = 1024;
const DEFAULT_CONCURRENCY = 10;

function parseBurst(opts: RawInput["opts"], keepIds: boolean): BurstSettings | undefined {
  const repeat = parseInteger(str(opts.repeat), "--repeat", { min: 1, max: 1_000_000_000 });
  const durationText = str(opts.duration);
  const durationMs = durationText === undefined ? undefined : parseDuration(durationText, "--duration", "s");
  if (durationMs !== undefined && !(durationMs >= 1 && durationMs <= 7 * 24 * 3_600_000))
    throw new UsageError(`invalid --duration "${durationText}": from 1ms to 7 days, e.g. 30s or 5m`);
  if (repeat === undefined && durationMs === undefined) {
    const given = ["concurrency", "uniqueIds", "sameIds", "rate", "stateProbe"].filter((key) => opts[key] !== undefined);
    if (given.length)
      throw new UsageError("--concurrency, --unique-ids, --same-ids, --rate and --state-probe go with --repeat N or --duration D");
    return undefined;
  }
  if (opts.retry === true) throw new UsageError("--retry does not go with --repeat or --duration: a burst sends each request once");
  if (opts.uniqueIds === true && opts.sameIds === true) throw new UsageError("--unique-ids and --same-ids exclude each other");
  if (opts.uniqueIds === true && (keepIds || str(opts.request) !== undefined))
    throw new UsageError("--unique-ids does not go with --keep-ids or --request: they send the same bytes every time");
  const stateProbe = str(opts.stateProbe);
  if (stateProbe !== undefined && opts.sameIds !== true)
    throw new UsageError("--state-probe goes with --same-ids: it checks that identical deliveries change the state once");
  const rateText = str(opts.rate);
  const concurrency = parseInteger(str(opts.concurrency), "--concurrency", { min: 1, max: MAX_CONCURRENCY }) ?? DEFAULT_CONCURRENCY;
  return {
    repeat,
    // More connections than requests would only be opened and closed.
    concurrency: repeat === undefined ? concurrency : Math.min(concurrency, repeat),
    ids: opts.uniqueIds === true ? "unique" : opts.sameIds === true ? "same" : undefined,
    ratePerSecond: rateText === undefined ? undefined : parseRate(rateText),
    durationMs,
    stateProbe,
  };
}

function parseRetry(opts: RawInput["opts"]): RetryRequest | undefined {
  const given = ["schedule", "maxAttempts", "policy", "speed", "realtime", "expectAttempts", "expectFinal"].filter(
    (key) => opts[key] !== undefined,
  );
  if (opts.retry !== true) {
    if (given.length)
      throw new UsageError(
        "--schedule, --max-attempts, --policy, --speed, --realtime, --expect-attempts and --expect-final go with --retry",
      );
    return undefined;
  }
  if (opts.expect !== undefined)
    throw new UsageError("--expect does not go with --retry", { hint: "use --expect-attempts N or --expect-final <code|class>" });
  const speedText = str(opts.speed);
  const speed = speedText === undefined ? undefined : Number(speedText);
  if (speed !== undefined && !(speed > 0 && speed <= 1e9))
    throw new UsageError(`invalid --speed "${speedText}": expected a number above 0, e.g. 60 to wait 1 s per simulated minute`);
  const schedule = str(opts.schedule);
  const expectFinal = str(opts.expectFinal);
  return {
    scheduleMs: schedule === undefined ? undefined : parseSchedule(schedule),
    maxAttempts: parseInteger(str(opts.maxAttempts), "--max-attempts", { min: 1, max: 1001 }),
    policy: str(opts.policy),
    speed,
    realtime: opts.realtime === true,
    expectAttempts: parseInteger(str(opts.expectAttempts), "--expect-attempts", { min: 1, max: 1001 }),
    expectFinal: expectFinal === undefined ? undefined : checkExpectFinal(expectFinal),
  };
}

export const command = defineCommand<SendOptions>({
  path: ["send"],
  declare: (command) =>
    declarePayloadOptions(
      command
        .argument("[type|file|-]", "webhook type (see list), a JSON file, or - for stdin (none with --request)")
        .option("--url <url>", "handler URL (env XSOLLA_WEBHOOK_URL)")
        .option("--secret <secret>", "project webhook secret (env XSOLLA_WEBHOOK_SECRET)")
        .option("--expect <codes>", "expected status codes or classes, e.g. 204, 2xx, 200,204 (default: the type's documented success)")
        .option("--bad-signature", "sign with a wrong secret (expects a 4xx INVALID_SIGNATURE unless --expect)")
        .option("--no-signature", "send no Authorization header (expects a 4xx INVALID_SIGNATURE unless --expect)")
        .option("--header <K: V>", "extra request header (repeatable)", collect)
        .option("--timeout <ms>", "per-attempt timeout in milliseconds (default: 10000)")
        .option("--json", "print one JSON object and nothing else on stdout")
        .option("--request <file>", "re-send a request captured by listen --save, as it was (same bytes, same signature)")
        .option("--resign", "with --request: sign the captured bytes again with --secret (e.g. production capture to staging)")
        .option("--retry", "replay Xsolla's resend schedule for the type until a final answer (virtual clock: no real waiting)")
        .option("--schedule <delays>", "with --retry: replace the delays, e.g. 5m,5m,15m or 2x5m,7x15m,10x1h")
        .option("--max-attempts <n>", "with --retry: at most N attempts in all")
        .option("--policy <name>", "with --retry: order, payment, generic, none, or a type whose policy to use")
        .option("--speed <n>", "with --retry: really wait 1/N of each interval")
        .option("--realtime", "with --retry: really wait every interval")
        .option("--expect-attempts <n>", "with --retry: pass only if delivered at exactly attempt N")
        .option(
          "--expect-final <code|class>",
          "with --retry: pass only if delivery ended in this final failure (e.g. 400, 4xx, exhausted, no-answer)",
        )
        .option("--repeat <n>", "burst: send N requests (C at a time) and report throughput, latency and every differing answer")
        .option("--duration <time>", "burst: keep sending for this long, e.g. 30s or 5m (with --repeat: whichever ends first)")
        .option(
          "--concurrency <c>",
          `burst: requests in flight at once, over as many kept-alive connections (default: ${DEFAULT_CONCURRENCY})`,
        )
        .option("--unique-ids", "burst: fresh transaction/order/invoice ids per request, signed per request (default for a type)")
        .option("--same-ids", "burst: the identical signed bytes every time, as Xsolla's resends and duplicates are")
        .option("--rate <r>", "burst: at most R requests per second (or R/m per minute)")
        .option("--state-probe <command>", "burst with --same-ids: a shell command printing the handler's state; checks it changed once"),
    ).addHelpText(
      "after",
      () =>
        examples(
          "xsolla-hooks send payment --url http://localhost:3000/webhook --secret s3cr3t",
          "xsolla-hooks send order_paid --variant separate --set user.external_id=42 --url $URL --secret $SECRET",
          "xsolla-hooks send user_validation --set user.id=test_xsolla_nobody --expect 4xx --url $URL --secret $SECRET",
          "xsolla-hooks send payment --bad-signature --url $URL --secret $SECRET --json",
          "xsolla-hooks send order_paid --retry --url $URL --secret $SECRET",
          "xsolla-hooks send --request captures/000001-20261121T235959.123Z-payment.http --url http://localhost:3000/webhook",
          "xsolla-hooks send --request prod.http --resign --secret $STAGING_SECRET --url https://staging.example.com/xsolla",
          "xsolla-hooks send payment --retry --schedule 1m,5m,30m --speed 60 --url $URL --secret $SECRET",
          "xsolla-hooks send payment --repeat 20000 --concurrency 64 --url $URL --secret $SECRET",
          "xsolla-hooks send order_paid --repeat 500 --concurrency 50 --same-ids --state-probe 'psql -tAc \"select count(*) from credits\"'",
          "xsolla-hooks send payment --duration 30s --rate 200/s --unique-ids --json --url $URL --secret $SECRET",
        ) + `\nRetry policies (--retry):\n${describePolicies()}\n`,
    ),
  parse({ opts, args }) {
    const request = str(opts.request);
    if (opts.resign === true && request === undefined) throw new UsageError("--resign goes with --request");
    const timeout = str(opts.timeout);
    const expect = str(opts.expect);
    if (expect !== undefined) parseStatusList(expect);
    const url = str(opts.url);
    return {
      source: str(args[0]),
      payload: parsePayloadFlags(opts),
      url: url === undefined ? undefined : checkUrl(url),
      secret: str(opts.secret),
      expect,
      signature: opts.signature === false ? "none" : opts.badSignature === true ? "wrong-secret" : "valid",
      headers: parseHeaders(opts.header as string[] | undefined),
      timeoutMs: timeout === undefined ? undefined : parseInteger(timeout, "--timeout", { min: 1, max: 3_600_000 }),
      json: bool(opts.json),
      color: opts.color === false ? false : undefined,
      request,
      resign: opts.resign === true,
      retry: parseRetry(opts),
      burst: parseBurst(opts, opts.keepIds === true),
    };
  },
  run,
});

async function run(options: SendOptions, io: Io): Promise<number> {
  if (options.burst) return runBurstCommand(options, options.burst, io);
  const { runSend } = await import("../../runners/send.js");
  const style = await createStyle(io, options.color);
  // Only real waiting gets a countdown; the virtual clock does not wait.
  let progress: ProgressLine | undefined;
  const outcome = await runSend(options, io, {
    onRetryStart(sent, plan) {
      progress = createProgressLine(io, !options.json && plan.clockMode !== "virtual");
      if (!options.json) io.stdout.write(renderRetryHeader(sent, plan, style));
    },
    onRetryAttempt(record, next, plan) {
      if (options.json) return;
      progress?.clear();
      io.stdout.write(renderRetryAttempt(record, next, style));
      if (next) {
        const dueAt = Date.now() + next.delayMs / (plan.clockMode === "speed" ? plan.speed : 1);
        progress?.tick(() => renderRetryCountdown(plan, next, dueAt, Date.now()));
      }
    },
  }).finally(() => progress?.clear());
  const { sent, report, verdict } = outcome;

  if (outcome.kind === "retry") {
    const document = { ...retryToJson(sent, outcome.plan, report, outcome.verdict), hint: outcome.hint ?? null };
    if (options.json && !outcome.verdict.unreachable) io.stdout.write(`${JSON.stringify(document)}\n`);
    if (!options.json) io.stdout.write(renderRetrySummary(outcome.verdict, outcome.plan, style));
    if (!options.json && outcome.hint) io.stdout.write(style.dim(`  hint: ${outcome.hint}\n`));
    if (outcome.verdict.unreachable)
      throw new UnreachableError(`could not reach ${sent.url}: no attempt got an answer`, { jsonReport: document });
    return outcome.verdict.code;
  }

  const document = {
    type: sent.type ?? null,
    url: sent.url,
    ok: verdict.ok,
    expected: describeExpectation(outcome.expectation),
    problems: verdict.problems,
    signature: sent.signature,
    fresh: sent.fresh,
    attempts: deliveryToJson(report),
    hint: outcome.hint ?? null,
  };
  // Ctrl-C or SIGTERM: what was in flight, as the delivery loop recorded it ("sent, no answer yet"), exit 130.
  if (report.outcome === "interrupted") {
    const last = report.attempts[report.attempts.length - 1]?.result;
    if (!options.json) io.stdout.write(renderRequestLine(sent, style) + report.attempts.map((a) => renderAttempt(a, style)).join(""));
    throw new InterruptedError(last?.kind === "no-reply" ? last.error.message : "interrupted before the request was sent", {
      jsonReport: document,
    });
  }
  // Nothing answered: one error line (and the document, with --json), as for any other error.
  if (outcome.verdict.unreachable)
    throw new UnreachableError(`could not reach ${sent.url}: ${verdict.problems.join("; ")}`, { jsonReport: document });
  if (options.json) {
    io.stdout.write(`${JSON.stringify(document)}\n`);
  } else {
    io.stdout.write(renderRequestLine(sent, style));
    for (const attempt of report.attempts) io.stdout.write(renderAttempt(attempt, style));
    io.stdout.write(
      verdict.ok
        ? style.ok(`✓ as expected (${describeExpectation(outcome.expectation)})\n`)
        : style.bad(`✗ ${verdict.problems.join("; ")}\n`),
    );
    if (outcome.hint) io.stdout.write(style.dim(`  hint: ${outcome.hint}\n`));
  }
  return verdict.ok ? ExitCode.Ok : ExitCode.CheckFailed;
}

async function runBurstCommand(options: SendOptions, settings: BurstSettings, io: Io): Promise<number> {
  const { runBurst } = await import("../../runners/burst.js");
  const { burstToJson, renderBurst, renderBurstProgress } = await import("../render/burst.js");
  const style = await createStyle(io, options.color);
  const progress = createProgressLine(io, !options.json);
  const outcome = await runBurst(options, settings, io, {
    onStart(live) {
      progress.tick(() => renderBurstProgress(live.plan, live.progress()));
    },
  }).finally(() => progress.clear());
  const document = burstToJson(outcome);
  const { totals } = outcome;
  if (outcome.interrupted) {
    if (!options.json) io.stdout.write(renderBurst(outcome, style));
    throw new InterruptedError(
      `interrupted after ${totals.sent} answered request${totals.sent === 1 ? "" : "s"}${outcome.interruptedInFlight ? ` (${outcome.interruptedInFlight} sent, no answer yet)` : ""}`,
      { jsonReport: document },
    );
  }
  // Nothing answered at all: the handler is not there, as for a single send.
  if (totals.answered === 0 && totals.failed > 0)
    throw new UnreachableError(`could not reach ${outcome.plan.url}: ${totals.evidence[0]?.error ?? "no answer"}`, {
      jsonReport: document,
    });
  io.stdout.write(options.json ? `${JSON.stringify(document)}\n` : renderBurst(outcome, style));
  return document.ok ? ExitCode.Ok : ExitCode.CheckFailed;
}
