import { ExitCode } from "../../core/errors.js";
import type { DeliveryReport } from "../../core/delivery/engine.js";
import { deliveryToJson } from "../../core/delivery/report.js";
import { buildWebhookRequest, type SignatureMode } from "../../core/delivery/request.js";
import { describeExpectation, parseStatusList, successExpectation, type Expectation } from "../../core/expectation.js";
import type { Fixture } from "../../core/fixtures/types.js";
import { deliverOnce, judgeDelivery, renderAttempt, renderRequestLine } from "../delivery-view.js";
import type { Io } from "../io.js";
import { parseHeaders, parseInteger, resolveSecret, resolveUrl } from "../options.js";
import { resolvePayload, type PayloadFlags } from "../payload-input.js";
import { createStyle } from "../style.js";
import { planRetry, runRetry, type RetryFlags } from "../retry.js";
import { UsageError } from "../../core/errors.js";

export interface SendOptions extends PayloadFlags, RetryFlags {
  retry?: boolean;
  args: [string];
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

export async function run(options: SendOptions, io: Io): Promise<number> {
  // Everything the user typed is checked before anything goes on the network.
  const url = resolveUrl(options.url, io);
  const secret = resolveSecret(options.secret, io);
  const timeoutMs = parseInteger(options.timeout, "--timeout", { min: 1, max: 3_600_000 }) ?? 10_000;
  const extraHeaders = parseHeaders(options.header);
  const mode: SignatureMode = options.signature === false ? "none" : options.badSignature ? "wrong-secret" : "valid";
  const payload = await resolvePayload(options.args[0], options, io);
  const expectation = resolveExpectation(options.expect, mode, payload.fixture);
  const { request, signature } = buildWebhookRequest(url, payload.bytes, secret, mode, extraHeaders);

  const retryFlags = [options.schedule, options.maxAttempts, options.policy, options.speed, options.realtime, options.expectAttempts, options.expectFinal];
  if (!options.retry && retryFlags.some((flag) => flag !== undefined)) throw new UsageError("--schedule, --max-attempts, --policy, --speed, --realtime, --expect-attempts and --expect-final go with --retry");
  if (options.retry && options.expect !== undefined) throw new UsageError("--expect does not go with --retry", { hint: "use --expect-attempts N or --expect-final <code|class>" });
  const plan = options.retry ? planRetry(options, payload.fixture) : undefined;

  const { createHttpTransport } = await import("../../adapters/http-transport.js");
  const transport = createHttpTransport();
  if (plan) {
    const style = await createStyle(io, options.color);
    if (!options.json) io.stdout.write(renderRequestLine({ url, type: payload.type, bytes: payload.bytes.length, signature, fresh: payload.fresh }, style));
    try {
      const { report, judgement, policyJson } = await runRetry(request, transport, plan, { io, style, json: options.json === true, timeoutMs, type: payload.type });
      if (options.json) {
        const document = { type: payload.type ?? null, url, ok: judgement.ok, expected: plan.expectFinal ? `final ${plan.expectFinal}` : plan.expectAttempts ? `delivered at attempt ${plan.expectAttempts}` : "delivered within the schedule", problems: judgement.problems, signature, fresh: payload.fresh, policy: policyJson, outcome: report.outcome, summary: judgement.summary, attempts: deliveryToJson(report) };
        io.stdout.write(`${JSON.stringify(document)}\n`);
      } else {
        io.stdout.write(judgement.ok ? style.ok(`✓ ${judgement.summary}\n`) : style.bad(`✗ ${judgement.summary}${plan.expectAttempts !== undefined || plan.expectFinal !== undefined ? ` (${judgement.problems.join("; ")})` : ""}\n`));
      }
      if (judgement.code === ExitCode.Unreachable) io.stderr.write(`error: could not reach ${url}: no attempt got an answer\n`);
      return judgement.code;
    } finally {
      await transport.close();
    }
  }
  let report: DeliveryReport;
  try {
    report = await deliverOnce(request, transport, timeoutMs, io.signal);
  } finally {
    await transport.close();
  }
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
