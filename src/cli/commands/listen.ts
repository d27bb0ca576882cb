import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { ErrorCode, ExitCode, UsageError } from "../../core/errors.js";
import { captureFileName, serializeCapturedRequest } from "../../core/http-capture.js";
import { writeFileAtomic } from "../../adapters/atomic-write.js";
import { maskSecret } from "../../core/signature.js";
import { startReceiver, type ReceivedRequest, type RunningReceiver } from "../../server/receiver.js";
import type { Io } from "../io.js";
import { explainBindError, parseInteger, resolveSecret } from "../options.js";
import { createStyle, type Style } from "../style.js";

export interface ListenOptions {
  port?: string;
  host?: string;
  secret?: string;
  unknownUser?: string[];
  statusStyle?: "docs" | "sdk";
  status?: string;
  failFirst?: string;
  delay?: string;
  drop?: boolean;
  bodyLimit?: string;
  maxRequests?: string;
  save?: string;
  json?: boolean;
  color?: boolean;
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
    bytes: request.body.length,
  };
}

function renderRequest(request: ReceivedRequest, style: Style): string {
  const { answer } = request;
  const time = request.receivedAt.toISOString().slice(11, 19);
  const colour = answer.verdict === "accepted" ? style.ok : answer.verdict === "rejected" ? style.bad : style.warn;
  const status = answer.verdict === "dropped" ? "---" : String(answer.status);
  const code = answer.errorCode ? ` ${answer.errorCode}` : "";
  const repeat = answer.deliveryCount && answer.deliveryCount > 1 ? style.warn(` (delivery #${answer.deliveryCount} of this transaction)`) : "";
  const summary = answer.summary ? `  ${style.dim(answer.summary)}` : "";
  return `${time} #${request.number} ${(answer.type ?? "?").padEnd(22)} ${colour(`${status} ${answer.verdict}${code}`)}  ${answer.reason}${summary}${repeat}\n`;
}

export async function run(options: ListenOptions, io: Io): Promise<number> {
  const secret = resolveSecret(options.secret, io);
  const port = parseInteger(options.port, "--port", { min: 0, max: 65_535 }) ?? 0;
  const forceStatus = parseInteger(options.status, "--status", { min: 100, max: 599 });
  const failFirst = parseInteger(options.failFirst, "--fail-first", { min: 0, max: 1_000_000 });
  const delayMs = parseInteger(options.delay, "--delay", { min: 0, max: 3_600_000 });
  const bodyLimit = parseInteger(options.bodyLimit, "--body-limit", { min: 1, max: 1024 ** 3 });
  const maxRequests = parseInteger(options.maxRequests, "--max-requests", { min: 1, max: 1_000_000_000 });
  const style = await createStyle(io, options.color);
  const saveDir = options.save ? resolve(io.cwd, options.save) : undefined;
  if (saveDir) {
    try {
      mkdirSync(saveDir, { recursive: true });
    } catch (error) {
      throw new UsageError(`cannot create --save directory ${options.save}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { code: ErrorCode.BadInput });
    }
  }
  // Exactly what arrived: request line, headers in order, raw body bytes. Bodies over the limit are not read, so not saved.
  const save = (request: ReceivedRequest) => {
    if (!saveDir || request.answer.status === 413) return;
    const file = join(saveDir, captureFileName(request.number, request.receivedAt, request.answer.type));
    writeFileAtomic(file, serializeCapturedRequest({ method: request.method, url: request.path, httpVersion: request.httpVersion, rawHeaders: request.rawHeaders, body: request.body }));
  };

  let receiver: RunningReceiver;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  try {
    receiver = await startReceiver({
      secret,
      host: options.host,
      port,
      unknownUsers: options.unknownUser,
      statusStyle: options.statusStyle,
      forceStatus,
      failFirst,
      delayMs,
      drop: options.drop,
      bodyLimit,
      onRequest(request) {
        try {
          save(request);
        } catch (error) {
          io.stderr.write(`warning: request #${request.number} not saved: ${(error as Error).message}\n`);
        }
        io.stdout.write(options.json ? `${JSON.stringify(requestToJson(request))}\n` : renderRequest(request, style));
        if (maxRequests !== undefined && request.number >= maxRequests) setImmediate(finish);
      },
    });
  } catch (error) {
    explainBindError(error, port, options.host ?? "127.0.0.1");
  }

  const banner = `listening on ${receiver.url} (secret ${maskSecret(secret)}; Ctrl-C to stop)\n`;
  // With --json, stdout carries only request lines.
  (options.json ? io.stderr : io.stdout).write(banner);
  const onAbort = () => finish();
  io.signal.addEventListener("abort", onAbort, { once: true });
  if (io.signal.aborted) finish();
  await finished;
  io.signal.removeEventListener("abort", onAbort);
  await receiver.close();
  const total = receiver.requests.length;
  (options.json ? io.stderr : io.stdout).write(`stopped after ${total} request${total === 1 ? "" : "s"}\n`);
  return io.signal.aborted ? ExitCode.Interrupted : ExitCode.Ok;
}
