// `listen`: the reference receiver, a handler that verifies, logs and (with --save) keeps every request.
import { join, resolve } from "node:path";
import { Option } from "../commander.js";
import { ErrorCode, ExitCode, UsageError } from "../../core/errors.js";
import { captureFileName } from "../../core/http-capture.js";
import { checkUrl, redactUrls, requireSecret } from "../../core/settings.js";
import type { ForwardOutcome, Forwarder } from "../../core/delivery/forwarding.js";
import { maskSecret } from "../../core/signature.js";
import type { Style } from "../../core/text-style.js";
import type { ReceivedRequest, RunningReceiver } from "../../server/receiver.js";
import { DEFAULT_KNOWN_USERS } from "../../server/respond.js";
import { bool, collect, defineCommand, examples, str, strings, type RawInput } from "../command.js";
import { withFallback, type Io } from "../../adapters/io.js";
import { declareBindOptions, explainBindError, parseBindOptions, parseInteger } from "../options.js";
import { loadTarget } from "../../adapters/config-file.js";
import { createStyle } from "../style.js";
import type { BatchedLog } from "../../adapters/batched-log.js";
import { declareUiOptions, parseUiOptions, startUi, type UiOptions } from "../inspector-ui.js";
import type { RunningInspector } from "../../server/inspector.js";

export interface ListenOptions extends UiOptions {
  port: number;
  host: string;
  secret: string | undefined;
  unknownUsers: string[] | undefined;
  /** Users it knows besides the catalog's sample user, or "any". */
  knownUsers: string[] | "any";
  statusStyle: "docs" | "sdk";
  forceStatus: number | undefined;
  failFirst: number | undefined;
  delayMs: number | undefined;
  drop: boolean;
  bodyLimit: number;
  maxRequests: number | undefined;
  save: string | undefined;
  /** No per-request lines: for runs nobody reads. */
  quiet: boolean;
  /** Append the request log to this file instead of stdout. */
  logFile: string | undefined;
  json: boolean;
  color: boolean | undefined;
  /** Pass every delivery on to this handler and answer with its answer. */
  forwardTo: string | undefined;
  forwardTimeoutMs: number;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;

export const command = defineCommand<ListenOptions>({
  path: ["listen"],
  declare: (command) =>
    declareUiOptions(declareBindOptions(command))
      .option("--secret <secret>", "project webhook secret (env XSOLLA_WEBHOOK_SECRET)")
      .option("--known-user <id>", "a user id user_validation accepts, besides the catalog's sample_user_1 (repeatable)", collect)
      .option("--any-user", "accept every user id in user_validation except test_xsolla* and --unknown-user (no user store)")
      .option(
        "--unknown-user <id>",
        "treat this user id as unknown in user_validation (repeatable; ids starting test_xsolla always are)",
        collect,
      )
      .addOption(
        new Option("--status-style <style>", "rejection statuses: docs = 400, sdk = 401/422 like Xsolla's PHP SDK")
          .choices(["docs", "sdk"])
          .default("docs"),
      )
      .option("--status <code>", "answer this status to every correctly signed delivery")
      .option("--fail-first <n>", "answer 500 to the first N correctly signed deliveries")
      .option("--delay <ms>", "wait this long before answering")
      .option("--drop", "close the connection without answering correctly signed deliveries")
      .option("--body-limit <bytes>", `answer 413 to bodies larger than this (default: ${DEFAULT_BODY_LIMIT})`)
      .option("--max-requests <n>", "stop after N requests (exit 0)")
      .option(
        "--save <dir>",
        "write every request exactly as it arrived (request line, headers, raw body) to one file each, numbered in arrival order after the captures already there",
      )
      .option("--json", "print one JSON line per request")
      .option("--quiet", "no line per request (the banner and the closing count still go to stderr/stdout)")
      .option("--log-file <file>", "append the request log to this file instead of stdout")
      .option(
        "--history <n>",
        "deliveries (bodies included) kept in memory for the inspector, newest first; the same as --ui-history (default: 500)",
      )
      .option(
        "--forward-to <url>",
        "pass every delivery, bytes and headers unchanged, to this handler and answer the sender with the handler's answer (502/504 when it has none)",
      )
      .option(
        "--forward-timeout <ms>",
        `how long to wait for the handler's answer in milliseconds (default: ${DEFAULT_FORWARD_TIMEOUT_MS})`,
      )
      .addHelpText(
        "after",
        examples(
          "xsolla-hooks listen --port 3000 --secret s3cr3t",
          "xsolla-hooks listen --secret s3cr3t --fail-first 3 --json",
          "xsolla-hooks listen --secret s3cr3t --status-style sdk --unknown-user banned_42",
          "xsolla-hooks listen --port 8080 --secret s3cr3t --forward-to http://localhost:3000/webhook --save captures/",
          "xsolla-hooks listen --port 3000 --secret s3cr3t --ui --open",
        ),
      ),
  parse: ({ opts }) => ({
    ...parseForwarding(opts),
    ...parseBindOptions(opts),
    ...parseUiOptions(opts, str(opts.history)),
    secret: str(opts.secret),
    unknownUsers: strings(opts.unknownUser),
    knownUsers: opts.anyUser === true ? "any" : [...DEFAULT_KNOWN_USERS, ...(strings(opts.knownUser) ?? [])],
    statusStyle: opts.statusStyle === "sdk" ? "sdk" : "docs",
    forceStatus: parseInteger(str(opts.status), "--status", { min: 100, max: 599 }),
    failFirst: parseInteger(str(opts.failFirst), "--fail-first", { min: 0, max: 1_000_000 }),
    delayMs: parseInteger(str(opts.delay), "--delay", { min: 0, max: 3_600_000 }),
    drop: bool(opts.drop),
    bodyLimit: parseInteger(str(opts.bodyLimit), "--body-limit", { min: 1, max: 1024 ** 3 }) ?? DEFAULT_BODY_LIMIT,
    maxRequests: parseInteger(str(opts.maxRequests), "--max-requests", { min: 1, max: 1_000_000_000 }),
    save: str(opts.save),
    quiet: bool(opts.quiet),
    logFile: str(opts.logFile),
    json: bool(opts.json),
    color: opts.color === false ? false : undefined,
  }),
  run,
});

// Xsolla publishes no hard timeout; it asks for an answer to order_paid within 3 s (docs/xsolla-contract.md).
const DEFAULT_FORWARD_TIMEOUT_MS = 10_000;
const RECOMMENDED_ANSWER_MS = 3_000;
/** Options that shape this receiver's own answer: with --forward-to the handler answers, so they would do nothing. */
const ANSWER_SHAPING_FLAGS = [
  ["status", "--status"],
  ["failFirst", "--fail-first"],
  ["delay", "--delay"],
  ["drop", "--drop"],
  ["statusStyle", "--status-style"],
  ["knownUser", "--known-user"],
  ["anyUser", "--any-user"],
  ["unknownUser", "--unknown-user"],
] as const;

function parseForwarding(opts: RawInput["opts"]): Pick<ListenOptions, "forwardTo" | "forwardTimeoutMs"> {
  const forwardTo = str(opts.forwardTo);
  const timeout = str(opts.forwardTimeout);
  if (forwardTo === undefined) {
    if (timeout !== undefined) throw new UsageError("--forward-timeout needs --forward-to");
    return { forwardTo: undefined, forwardTimeoutMs: DEFAULT_FORWARD_TIMEOUT_MS };
  }
  for (const [key, flag] of ANSWER_SHAPING_FLAGS) {
    // --status-style has a default; only a value given on the command line counts.
    if (opts[key] !== undefined && !(key === "statusStyle" && opts[key] === "docs"))
      throw new UsageError(`${flag} cannot be used with --forward-to: the handler answers every delivery`);
  }
  return {
    forwardTo: checkUrl(forwardTo, "--forward-to"),
    forwardTimeoutMs: parseInteger(timeout, "--forward-timeout", { min: 1, max: 3_600_000 }) ?? DEFAULT_FORWARD_TIMEOUT_MS,
  };
}

export function requestToJson(request: ReceivedRequest): Record<string, unknown> {
  const { answer } = request;
  return {
    number: request.number,
    receivedAt: request.receivedAt.toISOString(),
    method: request.method,
    path: request.path,
    type: answer.type ?? null,
    status: answer.status,
    verdict: answer.verdict,
    errorCode: answer.errorCode ?? null,
    reason: answer.reason,
    summary: answer.summary ?? null,
    deliveryCount: answer.deliveryCount ?? null,
    deliveryCountComplete: answer.deliveryCountComplete ?? null,
    bytes: request.body.length,
    ...(request.forward ? { forward: request.forward } : {}),
  };
}

let shownSecond = -1;
let shownTime = "";
/** HH:MM:SS (UTC) for a log line; formatted once a second, not once a request. */
function timeOfDay(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== shownSecond) {
    shownSecond = second;
    shownTime = date.toISOString().slice(11, 19);
  }
  return shownTime;
}

function renderRequest(request: ReceivedRequest, style: Style): string {
  if (request.forward) return renderForwarded(request, request.forward, style);
  const { answer } = request;
  const time = timeOfDay(request.receivedAt);
  const colour = answer.verdict === "accepted" ? style.ok : answer.verdict === "rejected" ? style.bad : style.warn;
  const status = answer.verdict === "dropped" ? "---" : String(answer.status);
  const code = answer.errorCode ? ` ${answer.errorCode}` : "";
  const repeat =
    answer.deliveryCount && answer.deliveryCount > 1
      ? style.warn(` (delivery #${answer.deliveryCount} of this transaction)`)
      : answer.deliveryCountComplete === false
        ? style.dim(" (first delivery seen since older transaction ids were forgotten)")
        : "";
  const summary = answer.summary ? `  ${style.dim(answer.summary)}` : "";
  return `${time} #${request.number} ${(answer.type ?? "?").padEnd(22)} ${colour(`${status} ${answer.verdict}${code}`)}  ${answer.reason}${summary}${repeat}\n`;
}

/** One line, both sides: our verdict on the signature, then what the handler answered (or that it did not). */
function renderForwarded(request: ReceivedRequest, forward: ForwardOutcome, style: Style): string {
  const { answer } = request;
  const time = timeOfDay(request.receivedAt);
  const signatureOk = answer.errorCode !== "INVALID_SIGNATURE";
  const ours = signatureOk ? style.ok("signature ok") : style.bad(`signature bad (${answer.reason})`);
  let theirs: string;
  if (forward.outcome === "answered") {
    const status = forward.status ?? forward.answeredWith;
    const colour = status < 300 ? style.ok : status < 500 ? style.warn : style.bad;
    const slow = forward.latencyMs > RECOMMENDED_ANSWER_MS ? style.warn(" (over the 3 s Xsolla recommends)") : "";
    theirs = `${colour(`handler ${status}`)} in ${forward.latencyMs} ms${slow}`;
  } else {
    theirs = style.bad(
      `handler ${forward.outcome === "timeout" ? "timed out" : "unreachable"}: ${forward.detail ?? ""}; answered ${forward.answeredWith}`,
    );
  }
  // The finding worth a second look: a handler that takes a delivery whose signature we could not match.
  const warning =
    !signatureOk && forward.status !== null && forward.status < 300
      ? style.warn("  (the handler accepted a delivery whose signature does not match --secret)")
      : "";
  const summary = answer.summary ? `  ${style.dim(answer.summary)}` : "";
  return `${time} #${request.number} ${(answer.type ?? "?").padEnd(22)} ${ours} → ${theirs}${summary}${warning}\n`;
}

async function run(options: ListenOptions, io: Io): Promise<number> {
  const { target } = await loadTarget(io, { secret: options.secret });
  const secret = requireSecret(target);
  const { port, host, forceStatus, failFirst, delayMs, bodyLimit, maxRequests } = options;
  const { startReceiver, captureBytes } = await import("../../server/receiver.js");
  const { writeFileAtomic } = await import("../../adapters/atomic-write.js");
  const style = await createStyle(io, options.color);
  const saveDir = options.save ? resolve(io.cwd, options.save) : undefined;
  let savedBefore = 0;
  if (saveDir && options.save) {
    const { prepareCaptureDir } = await import("../../adapters/capture-dir.js");
    savedBefore = prepareCaptureDir(saveDir, options.save);
  }
  // Exactly what arrived: request line, headers in order, raw body bytes. Bodies over the limit are not read, so not saved.
  const save = (request: ReceivedRequest) => {
    if (!saveDir || request.answer.status === 413) return;
    const file = join(saveDir, captureFileName(savedBefore + request.number, request.receivedAt, request.answer.type));
    writeFileAtomic(file, captureBytes(request));
  };

  // A receiver outlives its reader: once stdout is gone (`| head`), request lines go to stderr.
  const out = withFallback(io.stdout, io.stderr);
  // The log goes out in batches, never one write per request: at thousands of requests a second that is the cost.
  const { createBatchedLog, createFileLog } = await import("../../adapters/batched-log.js");
  let log: BatchedLog | undefined;
  if (options.logFile !== undefined) {
    const file = createFileLog(resolve(io.cwd, options.logFile), (error) => io.stderr.write(`warning: --log-file: ${error.message}\n`));
    try {
      await file.ready;
    } catch (error) {
      throw new UsageError(`cannot write --log-file ${options.logFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
        code: ErrorCode.BadInput,
      });
    }
    log = file.log;
  } else if (!options.quiet) log = createBatchedLog((text) => out.write(text));

  let forwarding: { forward: Forwarder; close(): Promise<void> } | undefined;
  if (options.forwardTo !== undefined) {
    const [{ createHttpTransport }, { createForwarder }] = await Promise.all([
      import("../../adapters/http-transport.js"),
      import("../../runners/forward.js"),
    ]);
    const transport = createHttpTransport();
    forwarding = {
      forward: createForwarder({ url: options.forwardTo, timeoutMs: options.forwardTimeoutMs, transport, signal: io.signal }),
      close: () => transport.close(),
    };
  }

  const banners = options.json ? io.stderr : out;
  const inspector: RunningInspector | undefined = options.ui ? await startUi(io, banners, options, host, secret) : undefined;
  let receiver: RunningReceiver;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  try {
    receiver = await startReceiver({
      secret,
      host,
      port,
      unknownUsers: options.unknownUsers,
      // Forwarding, the handler owns the user store: ours would only add noise to the signature verdict.
      knownUsers: forwarding ? "any" : options.knownUsers,
      forward: forwarding?.forward,
      statusStyle: options.statusStyle,
      forceStatus,
      failFirst,
      delayMs,
      drop: options.drop,
      bodyLimit,
      // Nothing here reads the receiver's own records: --save writes each at arrival and the inspector keeps its own
      // (--history). Keeping none is what makes memory flat and saves the garbage collector the work.
      history: 0,
      onRequest(request) {
        try {
          save(request);
        } catch (error) {
          io.stderr.write(`warning: request #${request.number} not saved: ${(error as Error).message}\n`);
        }
        inspector?.record(request);
        log?.line(options.json ? `${JSON.stringify(requestToJson(request))}\n` : renderRequest(request, style));
        if (maxRequests !== undefined && request.number >= maxRequests) setImmediate(finish);
      },
    });
  } catch (error) {
    await inspector?.close();
    explainBindError(error, port, host);
  }

  const forwardingTo = options.forwardTo === undefined ? "" : `, forwarding to ${redactUrls(options.forwardTo)}`;
  const banner = `listening on ${receiver.url} (secret ${maskSecret(secret)}${forwardingTo}; Ctrl-C to stop)\n`;
  // With --json, stdout carries only request lines.
  (options.json ? io.stderr : out).write(banner);
  const onAbort = () => finish();
  io.signal.addEventListener("abort", onAbort, { once: true });
  if (io.signal.aborted) finish();
  await finished;
  io.signal.removeEventListener("abort", onAbort);
  await receiver.close();
  await forwarding?.close();
  await inspector?.close();
  await log?.close();
  const total = receiver.total;
  (options.json ? io.stderr : out).write(`stopped after ${total} request${total === 1 ? "" : "s"}\n`);
  return io.signal.aborted ? ExitCode.Interrupted : ExitCode.Ok;
}
