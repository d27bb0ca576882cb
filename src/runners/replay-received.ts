// The inspector's replay: one received request sent again, the same bytes, through the one road out (deliver.ts).
// The request is rebuilt from its `listen --save` form, so a replay from the page and `send --request` on a saved
// capture send the same thing.
import { parseCapturedRequest } from "../core/http-capture.js";
import { redactUrls } from "../core/settings.js";
import { captureBytes, type ReceivedRequest } from "../server/receiver.js";
import type { ReplayResult, ReplayTarget } from "../server/inspector.js";
import { withTransport } from "../adapters/transport-scope.js";
import { deliverOnce } from "./deliver.js";
import { prepareReplay } from "./send.js";

const REPLAY_TIMEOUT_MS = 10_000;
const SHOWN_ANSWER_BYTES = 4096;

export async function replayReceived(
  request: ReceivedRequest,
  target: ReplayTarget,
  secret: string,
  signal: AbortSignal,
): Promise<ReplayResult> {
  const captured = parseCapturedRequest(captureBytes(request));
  const prepared = prepareReplay(captured, target.url, target.resign ? secret : undefined, {});
  const report = await withTransport(undefined, (transport) => deliverOnce(prepared.request, transport, REPLAY_TIMEOUT_MS, signal));
  const result = report.attempts[0]?.result;
  const url = redactUrls(target.url);
  if (!result) return { ok: false, url, status: null, durationMs: 0, error: "not sent (interrupted)", body: "" };
  if (result.kind === "no-reply")
    return { ok: false, url, status: null, durationMs: result.durationMs, error: redactUrls(result.error.message), body: "" };
  return {
    ok: result.status >= 200 && result.status < 300,
    url,
    status: result.status,
    durationMs: result.durationMs,
    error: null,
    body: Buffer.from(result.body.subarray(0, SHOWN_ANSWER_BYTES)).toString("utf8"),
  };
}
