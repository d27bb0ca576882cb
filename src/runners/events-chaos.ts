// A seeded chaos run of the Event API poller, for the test suite (small) and bench/events-chaos.mjs (10× more).
// One `runPoll --once --ack` against the mock Event API with every fault on (429, 500, resets, slow answers,
// duplicate and overlapping pages, acks applied but unanswered), optionally forwarding to a handler that fails
// at random too. It then checks, from what the mock and the handler saw: no event lost, none acked before it was
// handled, every duplicate handling reported, other projects' events untouched, all in one poller run.
//
// Time: one virtual clock for the poller and the mock (pauses, Retry-After, Xsolla's resend schedules), so hours
// of backoff cost nothing. Slow answers are real time (they must outlast a real request timeout), kept short.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createVirtualClock } from "../core/delivery/clocks.js";
import { buildPayload } from "../core/fixtures/payload.js";
import { findFixture } from "../core/fixtures/catalog.js";
import { loadBuiltinFixtures } from "../adapters/fixtures-fs.js";
import { createEventApiClient } from "../events-api/client.js";
import { mulberry32, startMockEventApi, type MockFaults, type MockStats } from "../events-api/mock-server.js";
import { runPoll, type PollSummary } from "./poll.js";

export interface ChaosOptions {
  /** Events of our project. */
  events: number;
  seed: number;
  /** Forward each event to a handler that fails at random, and ack only after its 2xx. */
  forward: boolean;
  /** Extra events of another project, which must stay untouched. Default events / 20. */
  otherProjectEvents?: number | undefined;
  pageSize?: number | undefined;
  /** The Event API's faults. Default: the mix below. */
  faults?: MockFaults | undefined;
  /** Real ms: the request timeout of the poller, and a slow answer's delay (a bit longer). Default 100. */
  timeoutMs?: number | undefined;
}

export interface ChaosReport {
  mode: "print" | "forward";
  events: number;
  /** Our events the handler took (a 2xx, or processed before its answer was lost), or that were printed. */
  handled: number;
  acked: number;
  /** Ours, not both handled and marked processed at the end. */
  lost: number[];
  /** Marked processed before they were first handled. */
  ackedBeforeHandled: number[];
  /** Handled more than once (the handler processed it, its answer was lost, and it was sent again). */
  duplicateHandlings: number[];
  /** Among those, the ones the poller did not report. */
  unreported: number[];
  /** Other projects' events that were handled or acked. */
  otherProjectsTouched: number[];
  api: { requests: number; list: number; processed: number; faults: MockStats["faults"] };
  handler: { requests: number; failed: number; resetBefore: number; resetAfter: number; slow: number };
  /** The poller ended on its own (--once), with no error. */
  oneRun: boolean;
  virtualMs: number;
  realMs: number;
  summary: PollSummary;
  ok: boolean;
}

/** Every fault of the mock at once: 500s, resets, 429s, slow answers, overlapping and duplicate pages, lost acks. */
export const CHAOS_FAULTS: MockFaults = {
  failRate: 0.1,
  ackFailRate: 0.1,
  dropRate: 0.05,
  rateLimit: 12,
  slowRate: 0.02,
  overlapRate: 0.2,
  duplicateRate: 0.2,
  ackLostRate: 0.15,
};

const PROJECT = "18404";
const OTHER_PROJECT = "99999";
const TYPES = ["payment", "order_paid", "refund"];

interface HandlerLog {
  server: Server;
  url: string;
  stats: ChaosReport["handler"];
  close(): Promise<void>;
}

/** A webhook handler that fails at random (seeded): 500, a reset before or after processing, a late answer. */
async function startChaoticHandler(seed: number, slowMs: number, onHandled: (sequence: number) => void): Promise<HandlerLog> {
  const rand = mulberry32(seed);
  const stats = { requests: 0, failed: 0, resetBefore: 0, resetAfter: 0, slow: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      stats.requests++;
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { custom_parameters?: { chaos_sequence?: number } };
      const sequence = body.custom_parameters?.chaos_sequence ?? -1;
      const roll = rand();
      if (roll < 0.1) {
        stats.failed++;
        res.writeHead(500).end();
      } else if (roll < 0.15) {
        stats.resetBefore++;
        req.socket.destroy();
      } else if (roll < 0.2) {
        // Processed, then the connection drops: the sender cannot know, and sends it again.
        stats.resetAfter++;
        onHandled(sequence);
        req.socket.destroy();
      } else if (roll < 0.23) {
        // Processed, but the answer comes after the sender gave up waiting.
        stats.slow++;
        onHandled(sequence);
        setTimeout(() => void res.writeHead(204).end(), slowMs);
      } else {
        onHandled(sequence);
        res.writeHead(204).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function runEventsChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = performance.now();
  const start = Date.UTC(2025, 0, 15, 12, 0, 0);
  const clock = createVirtualClock(start);
  const timeoutMs = options.timeoutMs ?? 100;
  const slowMs = Math.round(timeoutMs * 1.5);
  /** What happened, in order: "handled <seq>" and "acked <id>". */
  const timeline: string[] = [];
  const api = await startMockEventApi({
    now: () => clock.now(),
    pageSize: options.pageSize ?? 20,
    faults: { ...(options.faults ?? CHAOS_FAULTS), slowMs, seed: options.seed },
    onProcessed: (id) => timeline.push(`acked ${id}`),
  });
  const handler = options.forward
    ? await startChaoticHandler(options.seed ^ 0x9e3779b9, slowMs, (s) => timeline.push(`handled ${s}`))
    : undefined;

  const fixtures = loadBuiltinFixtures();
  const rand = mulberry32(options.seed ^ 0x5eed);
  const others = options.otherProjectEvents ?? Math.max(1, Math.floor(options.events / 20));
  const idOfSequence = new Map<number, number>();
  const ours = new Set<number>();
  const theirs = new Set<number>();
  const total = options.events + others;
  for (let sequence = 0; sequence < total; sequence++) {
    // Spread the other project's events through the list.
    const isOther = sequence % Math.max(1, Math.floor(total / others)) === 1 && theirs.size < others;
    const type = TYPES[sequence % TYPES.length] as string;
    const body = buildPayload(findFixture(fixtures, type), { context: { now: start, rand }, format: "compact" }).body as Record<
      string,
      unknown
    >;
    const project = isOther ? OTHER_PROJECT : PROJECT;
    if (body["billing"] !== undefined)
      (body["billing"] as Record<string, unknown>)["settings"] = { project_id: Number(project), merchant_id: 1 };
    else body["settings"] = { project_id: Number(project), merchant_id: 1 };
    body["custom_parameters"] = { chaos_sequence: sequence };
    const { id } = api.enqueue(body);
    idOfSequence.set(sequence, id);
    (isOther ? theirs : ours).add(id);
  }
  const sequenceOfId = new Map([...idOfSequence].map(([sequence, id]) => [id, sequence]));

  const client = createEventApiClient({
    baseUrl: api.url,
    auth: { kind: "jwt", jwt: "chaos.jwt.token" },
    projectId: PROJECT,
    now: () => clock.now(),
    timeoutMs,
  });
  let summary: PollSummary;
  try {
    summary = await runPoll(
      client,
      {
        intervalMs: 30_000,
        maxFailures: 50,
        backoff: { baseMs: 200, maxMs: 5_000 },
        ack: true,
        once: true,
        projectId: PROJECT,
        forward: handler ? { url: handler.url, secret: "chaos-secret" } : undefined,
        forwardTimeoutMs: timeoutMs,
        ackRetries: 8,
        signal: new AbortController().signal,
        clock,
        rand,
      },
      {
        onEvent: (event) => {
          if (!handler) timeline.push(`handled ${sequenceOfId.get(event.id) ?? -1}`);
        },
        onPollError: () => undefined,
        onIdle: () => undefined,
        onAckRetry: () => undefined,
        onForwardFailed: () => undefined,
      },
    );
  } finally {
    await api.close();
    await handler?.close();
  }

  const handledCount = new Map<number, number>();
  const firstHandled = new Map<number, number>();
  const firstAcked = new Map<number, number>();
  timeline.forEach((entry, index) => {
    const [what, value] = entry.split(" ") as [string, string];
    if (what === "handled") {
      const id = idOfSequence.get(Number(value)) ?? -1;
      handledCount.set(id, (handledCount.get(id) ?? 0) + 1);
      if (!firstHandled.has(id)) firstHandled.set(id, index);
    } else if (!firstAcked.has(Number(value))) firstAcked.set(Number(value), index);
  });
  const sorted = (ids: Iterable<number>) => [...ids].sort((a, b) => a - b);
  const lost = sorted([...ours].filter((id) => !firstHandled.has(id) || !api.isProcessed(id)));
  const ackedBeforeHandled = sorted(
    [...firstAcked].filter(([id, at]) => !firstHandled.has(id) || (firstHandled.get(id) as number) > at).map(([id]) => id),
  );
  const duplicateHandlings = sorted([...handledCount].filter(([, count]) => count > 1).map(([id]) => id));
  const reported = new Set(summary.duplicates);
  const unreported = duplicateHandlings.filter((id) => !reported.has(id));
  const otherProjectsTouched = sorted([...theirs].filter((id) => firstHandled.has(id) || api.isProcessed(id)));
  const stats = api.stats();
  const oneRun = summary.failure === undefined;
  return {
    mode: options.forward ? "forward" : "print",
    events: ours.size,
    handled: [...ours].filter((id) => firstHandled.has(id)).length,
    acked: [...ours].filter((id) => api.isProcessed(id)).length,
    lost,
    ackedBeforeHandled,
    duplicateHandlings,
    unreported,
    otherProjectsTouched,
    api: { requests: stats.requests, list: stats.list, processed: stats.processed, faults: stats.faults },
    handler: handler?.stats ?? { requests: 0, failed: 0, resetBefore: 0, resetAfter: 0, slow: 0 },
    oneRun,
    virtualMs: clock.now() - start,
    realMs: performance.now() - started,
    summary,
    ok:
      oneRun &&
      lost.length === 0 &&
      ackedBeforeHandled.length === 0 &&
      unreported.length === 0 &&
      otherProjectsTouched.length === 0 &&
      summary.skipped.length === others,
  };
}
