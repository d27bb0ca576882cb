import { ExitCode, UsageError } from "../../core/errors.js";
import { deliveryToJson } from "../../core/delivery/report.js";
import { buildWebhookRequest, type SignatureMode } from "../../core/delivery/request.js";
import { describeExpectation, parseStatusList, successExpectation, type Expectation } from "../../core/expectation.js";
import type { Fixture } from "../../core/fixtures/types.js";
import { deliverOnce, judgeDelivery, renderAttempt, renderRequestLine } from "../delivery-view.js";
import type { Io } from "../io.js";
import { parseHeaders, parseInteger, resolveSecret, resolveUrl } from "../options.js";
import { identifyBody, readFileArgument, resolvePayload, type PayloadFlags, type ResolvedPayload } from "../payload-input.js";
import { parseCapturedRequest } from "../../core/http-capture.js";
import { replayCapturedRequest } from "../../core/delivery/replay.js";
import type { OutgoingRequest } from "../../core/delivery/types.js";
import { createStyle } from "../style.js";
import { planRetry, runRetry, type RetryFlags } from "../retry.js";
import { withTransport } from "../../adapters/transport-scope.js";

export interface SendOptions extends PayloadFlags, RetryFlags {
  retry?: boolean;
  request?: string;
  resign?: boolean;
  args: [string | undefined];
  url?: string;
  secret?: string;
  expect?: string;
  badSignature?: boolean;
  signature?: boolean;
  header?: string[];
  timeout?: string;
  json?: boolean;
  color?: boolean;
}

/** --expect wins; a deliberately bad signature expects a rejection; else the type's documented success. */
export function resolveExpectation(flag: string | undefined, mode: SignatureMode, fixture: Fixture | undefined): Expectation {
  if (flag !== undefined) return { statuses: parseStatusList(flag) };
  if (mode !== "valid") return { statuses: parseStatusList("4xx"), errorCode: "INVALID_SIGNATURE" };
  return successExpectation(fixture?.meta.success ?? { statuses: [200, 201, 204], responseBody: null });
}

type Input = { payload: Pick<ResolvedPayload, "type" | "fixture" | "bytes" | "fresh">; request: OutgoingRequest; signature: string | null };

async function fixtureInput(options: SendOptions, io: Io, url: string, mode: SignatureMode, extraHeaders: Record<string, string>): Promise<Input> {
  const secret = resolveSecret(options.secret, io);
  const source = options.args[0];
  if (source === undefined) throw new UsageError("missing webhook type", { hint: "e.g. xsolla-hooks send payment --url URL --secret S, or --request FILE to replay a capture" });
  const payload = await resolvePayload(source, options, io);
  return { payload, ...buildWebhookRequest(url, payload.bytes, secret, mode, extraHeaders) };
}

/** --request FILE: the captured bytes and headers as they were; --resign signs them with --secret. */
async function replayInput(options: SendOptions, io: Io, url: string, mode: SignatureMode, extraHeaders: Record<string, string>): Promise<Input> {
  if (options.args[0] !== undefined || options.data || options.set || options.setString || options.merge) throw new UsageError("--request replays a captured request as it was: give no type, body or edits with it");
  if (mode !== "valid") throw new UsageError("--bad-signature and --no-signature do not go with --request", { hint: "use --resign --secret S to sign the capture again" });
  const captured = parseCapturedRequest(readFileArgument(options.request as string, io, "request file"));
  const resignWith = options.resign ? resolveSecret(options.secret, io) : undefined;
  const { request, signature } = replayCapturedRequest(captured, url, resignWith, extraHeaders);
  const identified = await identifyBody(captured.body, options, io);
  return { payload: { ...identified, bytes: captured.body, fresh: {} }, request, signature };
}

export async function run(options: SendOptions, io: Io): Promise<number> {
  if (options.resign && !options.request) throw new UsageError("--resign goes with --request");
  // Everything the user typed is checked before anything goes on the network.
  const url = resolveUrl(options.url, io);
  const timeoutMs = parseInteger(options.timeout, "--timeout", { min: 1, max: 3_600_000 }) ?? 10_000;
  const extraHeaders = parseHeaders(options.header);
  const mode: SignatureMode = options.signature === false ? "none" : options.badSignature ? "wrong-secret" : "valid";
  const { payload, request, signature } = options.request ? await replayInput(options, io, url, mode, extraHeaders) : await fixtureInput(options, io, url, mode, extraHeaders);
  const expectation = resolveExpectation(options.expect, mode, payload.fixture);
  const retryFlags = [options.schedule, options.maxAttempts, options.policy, options.speed, options.realtime, options.expectAttempts, options.expectFinal];
  if (!options.retry && retryFlags.some((flag) => flag !== undefined)) throw new UsageError("--schedule, --max-attempts, --policy, --speed, --realtime, --expect-attempts and --expect-final go with --retry");
  if (options.retry && options.expect !== undefined) throw new UsageError("--expect does not go with --retry", { hint: "use --expect-attempts N or --expect-final <code|class>" });
  const plan = options.retry ? planRetry(options, payload.fixture) : undefined;
  const sent = { url, type: payload.type, bytes: payload.bytes, fresh: payload.fresh, signature };

  if (plan) return withTransport(undefined, (transport) => runRetry(request, transport, plan, { io, json: options.json === true, color: options.color, timeoutMs, sent }));
  const report = await withTransport(undefined, (transport) => deliverOnce(request, transport, timeoutMs, io.signal));
  const verdict = judgeDelivery(report, expectation);

  if (options.json) {
    const document = {
      type: payload.type ?? null,
      url,
      ok: verdict.ok,
      expected: describeExpectation(expectation),
      problems: verdict.problems,
      signature,
      fresh: payload.fresh,
      attempts: deliveryToJson(report),
    };
    io.stdout.write(`${JSON.stringify(document)}\n`);
  }
  if (verdict.unreachable) {
    // Nothing answered: one error line, as for any other error.
    io.stderr.write(`error: could not reach ${url}: ${verdict.problems.join("; ")}\n`);
    return ExitCode.Unreachable;
  }
  if (!options.json) {
    const style = await createStyle(io, options.color);
    io.stdout.write(renderRequestLine({ url, type: payload.type, bytes: payload.bytes.length, signature, fresh: payload.fresh }, style));
    for (const attempt of report.attempts) io.stdout.write(renderAttempt(attempt, style));
    io.stdout.write(verdict.ok ? style.ok(`✓ as expected (${describeExpectation(expectation)})\n`) : style.bad(`✗ ${verdict.problems.join("; ")}\n`));
  }
  return verdict.ok ? ExitCode.Ok : ExitCode.CheckFailed;
}
