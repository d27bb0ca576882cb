// Burst mode of `send`: the same webhook N times (or for a while), C at a time, over one pool of
// kept-alive connections. Every request goes through deliverBurst (the one road out); results are
// tallied as they arrive, so memory does not grow with N. With --state-probe, the handler's state is
// read around the burst to see whether N identical deliveries counted once.
import { setTimeout as sleep } from "node:timers/promises";
import { createBurstTally, type BurstTotals } from "../core/burst/tally.js";
import { judgeSideEffects, UNOBSERVED, type SideEffects } from "../core/burst/side-effects.js";
import { createUniqueBodies, type UniqueBodies } from "../core/burst/unique-bodies.js";
import { buildWebhookRequest } from "../core/delivery/request.js";
import type { SendResult } from "../core/delivery/types.js";
import { UsageError } from "../core/errors.js";
import { describeExpectation, expectationForSend } from "../core/expectation.js";
import { getAtPath, type Json } from "../core/fixtures/overrides.js";
import type { FreshGenerator } from "../core/fixtures/types.js";
import type { Io } from "../adapters/io.js";
import { readStateProbe } from "../adapters/state-probe.js";
import { withTransport } from "../adapters/transport-scope.js";
import { deliverBurst, deliverOnce, type BurstItem } from "./deliver.js";
import { prepareForCommand, type Prepared, type SendCommand } from "./send.js";

export interface BurstSettings {
  /** Requests in all; undefined: until --duration is up. */
  repeat: number | undefined;
  concurrency: number;
  /** "unique": fresh ids per request; "same": the identical bytes; undefined: unique when the body has ids to vary. */
  ids: "unique" | "same" | undefined;
  ratePerSecond: number | undefined;
  durationMs: number | undefined;
  stateProbe: string | undefined;
}

export interface BurstPlan {
  url: string;
  type: string | undefined;
  ids: "unique" | "same";
  /** The id fields that vary with --unique-ids. */
  uniquePaths: string[];
  repeat: number | null;
  concurrency: number;
  ratePerSecond: number | null;
  durationMs: number | null;
  bodyBytes: number;
  expected: string;
}

export interface BurstOutcome {
  plan: BurstPlan;
  totals: BurstTotals;
  elapsedMs: number;
  requestsPerSecond: number;
  /** Requests cut short by Ctrl-C (sent, no answer yet); not counted in totals. */
  interruptedInFlight: number;
  interrupted: boolean;
  sideEffects: SideEffects;
}

export interface BurstLive {
  plan: BurstPlan;
  /** Answers so far, differing answers so far, ms since the burst began. */
  progress(): { done: number; mismatched: number; elapsedMs: number };
}

function uniqueBodiesOf(ready: Prepared, command: SendCommand): UniqueBodies | undefined {
  const freshPaths = Object.keys(ready.sent.fresh);
  if (!ready.fixture || freshPaths.length === 0 || command.request !== undefined) return undefined;
  const fresh: Record<string, FreshGenerator> = {};
  for (const path of freshPaths) {
    const generator = ready.fixture.meta.fresh[path];
    if (generator) fresh[path] = generator;
  }
  const bytes = ready.sent.bytes;
  return createUniqueBodies(JSON.parse(Buffer.from(bytes).toString("utf8")) as Json, bytes, fresh, command.payload.bodyFormat);
}

function probeVars(bytes: Uint8Array, type: string | undefined): Record<string, string> {
  let body: Json = null;
  try {
    body = JSON.parse(Buffer.from(bytes).toString("utf8")) as Json;
  } catch {
    body = null; // a replayed capture may hold anything; the probe gets what can be found
  }
  const text = (...paths: string[]) => {
    for (const path of paths) {
      const value = getAtPath(body, path);
      if (typeof value === "string" || typeof value === "number") return String(value);
    }
    return "";
  };
  return {
    XSOLLA_HOOKS_CHECK: "burst",
    XSOLLA_HOOKS_TYPE: type ?? "",
    XSOLLA_HOOKS_TRANSACTION_ID: text("transaction.id", "order.id"),
    XSOLLA_HOOKS_USER_ID: text("user.id", "user.external_id"),
  };
}

export async function runBurst(
  command: SendCommand,
  settings: BurstSettings,
  io: Io,
  listener: { onStart?(live: BurstLive): void } = {},
): Promise<BurstOutcome> {
  const ready = await prepareForCommand(command, io);
  const { prepared, sent } = ready;
  const unique = settings.ids === "same" ? undefined : uniqueBodiesOf(ready, command);
  if (settings.ids === "unique" && !unique)
    throw new UsageError(
      command.request !== undefined || Object.keys(sent.fresh).length === 0
        ? "--unique-ids needs a webhook type whose ids can be made fresh (not a file, stdin, --data, --request or --keep-ids)"
        : `--unique-ids: ${sent.type ?? "this body"} has no transaction, order, invoice or subscription id left to vary`,
    );
  const ids = unique ? "unique" : "same";
  if (settings.stateProbe !== undefined && ids !== "same")
    throw new UsageError("--state-probe goes with --same-ids: it checks that identical deliveries change the state once");
  const expectation = expectationForSend(command.expect, command.signature, ready.fixture, prepared.signedCorrectly ?? false);
  const plan: BurstPlan = {
    url: sent.url,
    type: sent.type,
    ids,
    uniquePaths: unique?.paths ?? [],
    repeat: settings.repeat ?? null,
    concurrency: settings.concurrency,
    ratePerSecond: settings.ratePerSecond ?? null,
    durationMs: settings.durationMs ?? null,
    bodyBytes: sent.bytes.length,
    expected: describeExpectation(expectation),
  };
  const timeoutMs = ready.timeoutMs;
  const signal = io.signal;

  const same: BurstItem = { request: prepared.request };
  const requestFor = (index: number): BurstItem => {
    if (!unique) return same;
    const { bytes, id } = unique.bodyFor(index);
    // Signed per request, over the very buffer that is sent.
    return { request: buildWebhookRequest(ready.url, bytes, ready.secret ?? "", command.signature, ready.headers).request, id };
  };

  // The state before, and (when another transaction can be made) after one delivery alone: what "once" looks like.
  const readings: string[] = [];
  let probeError: string | undefined;
  const readProbe = async () => {
    if (settings.stateProbe === undefined || probeError !== undefined) return;
    const read = await readStateProbe(settings.stateProbe, probeVars(sent.bytes, sent.type), io.env, signal);
    if (read.ok) readings.push(read.output);
    else probeError = read.error;
  };
  const calibration = settings.stateProbe !== undefined ? uniqueBodiesOf(ready, command) : undefined;
  if (settings.stateProbe !== undefined) {
    await readProbe();
    if (calibration && probeError === undefined) {
      const other = calibration.bodyFor(1).bytes;
      const { request } = buildWebhookRequest(ready.url, other, ready.secret ?? "", command.signature, ready.headers);
      await withTransport(undefined, (transport) => deliverOnce(request, transport, timeoutMs, signal));
      await readProbe();
    }
  }

  const { createPooledHttpTransport } = await import("../adapters/http-transport.js");
  const transport = createPooledHttpTransport({ url: ready.url, connections: settings.concurrency, signal });
  const tally = createBurstTally(expectation);
  let interruptedInFlight = 0;
  let done = 0;
  const started = performance.now();
  const deadline = settings.durationMs === undefined ? Infinity : started + settings.durationMs;
  const gapMs = settings.ratePerSecond === undefined ? 0 : 1000 / settings.ratePerSecond;
  listener.onStart?.({
    plan,
    progress: () => ({ done, mismatched: tally.totals().mismatched, elapsedMs: performance.now() - started }),
  });

  try {
    await deliverBurst({
      transport,
      concurrency: settings.concurrency,
      timeoutMs,
      signal,
      next(index) {
        if (settings.repeat !== undefined && index >= settings.repeat) return undefined;
        const take = () => {
          if (performance.now() >= deadline || signal.aborted) return undefined;
          return requestFor(index);
        };
        if (gapMs > 0) {
          const wait = started + index * gapMs - performance.now();
          if (wait > 1) return sleep(wait, undefined, { signal }).then(take, take);
        }
        return take();
      },
      onResult(result: SendResult, index, { id }) {
        if (result.kind === "no-reply" && result.error.kind === "interrupted") {
          interruptedInFlight++;
          return;
        }
        done++;
        tally.add(result, index + 1, id);
      },
    });
  } finally {
    await transport.close();
  }
  const elapsedMs = performance.now() - started;
  const totals = tally.totals();

  let sideEffects: SideEffects = { observed: false, message: UNOBSERVED };
  if (settings.stateProbe !== undefined && !signal.aborted) {
    await readProbe();
    sideEffects = judgeSideEffects(readings, totals.sent, probeError);
  }
  return {
    plan,
    totals,
    elapsedMs,
    requestsPerSecond: elapsedMs > 0 ? (totals.sent / elapsedMs) * 1000 : 0,
    interruptedInFlight,
    interrupted: signal.aborted,
    sideEffects,
  };
}
