// A burst's results, aggregated as they arrive so memory stays flat however many requests go out:
// a latency histogram, a count per status (with its error.code) or transport failure, and the answers
// that differ from the expectation (counted; the first few kept whole, as evidence).
import { checkResponse, errorCodeOf, type Expectation } from "../expectation.js";
import type { SendResult } from "../delivery/types.js";
import { LatencyHistogram, type LatencySummary } from "./latency-histogram.js";

/** How many differing answers are kept whole as evidence. */
export const EVIDENCE_LIMIT = 5;
/** Distinct status/error keys kept apart; the rest are counted together, so a handler echoing ids cannot grow this. */
const MAX_STATUS_KEYS = 64;
const EVIDENCE_BODY_CHARS = 1000;
/** Answers this small are judged once per distinct (status, content type, body): bursts repeat the same answer. */
const MEMO_BODY_BYTES = 512;
const MEMO_ENTRIES = 256;

export interface BurstEvidence {
  /** 1-based number of the request in the burst. */
  request: number;
  /** The request's transaction id, when ids vary per request. */
  transactionId: string | null;
  status: number | null;
  contentType: string | null;
  body: string | null;
  error: string | null;
  problems: string[];
  durationMs: number;
}

export interface BurstTotals {
  sent: number;
  answered: number;
  /** No answer at all: refused, reset, timeout. */
  failed: number;
  /** Answers or failures that differ from the expectation. */
  mismatched: number;
  latency: LatencySummary;
  /** "204", "400 INVALID_SIGNATURE", "no answer: timeout" → count, most frequent first. */
  statuses: { key: string; count: number }[];
  evidence: BurstEvidence[];
}

export interface BurstTally {
  add(result: SendResult, request: number, transactionId?: string): void;
  totals(): BurstTotals;
}

export function createBurstTally(expectation: Expectation): BurstTally {
  const latency = new LatencyHistogram();
  const statuses = new Map<string, number>();
  const evidence: BurstEvidence[] = [];
  const memo = new Map<string, { key: string; problems: string[] }>();
  let sent = 0;
  let answered = 0;
  let failed = 0;
  let mismatched = 0;

  const count = (key: string) => {
    const known = statuses.get(key);
    if (known !== undefined) statuses.set(key, known + 1);
    else if (statuses.size < MAX_STATUS_KEYS) statuses.set(key, 1);
    else statuses.set("other", (statuses.get("other") ?? 0) + 1);
  };

  const judge = (status: number, body: Uint8Array, contentType: string): { key: string; problems: string[] } => {
    const memoKey = body.length <= MEMO_BODY_BYTES ? `${status}\n${contentType}\n${Buffer.from(body).toString("latin1")}` : undefined;
    const known = memoKey === undefined ? undefined : memo.get(memoKey);
    if (known) return known;
    const code = body.length > 0 ? errorCodeOf(body) : undefined;
    const verdict = { key: code ? `${status} ${code}` : String(status), problems: checkResponse(status, body, expectation).problems };
    if (memoKey !== undefined && memo.size < MEMO_ENTRIES) memo.set(memoKey, verdict);
    return verdict;
  };

  return {
    add(result, request, transactionId) {
      sent++;
      latency.record(result.durationMs);
      let problems: string[];
      if (result.kind === "reply") {
        answered++;
        const verdict = judge(result.status, result.body, result.headers["content-type"] ?? "");
        count(verdict.key);
        problems = verdict.problems;
      } else {
        failed++;
        count(`no answer: ${result.error.kind}`);
        problems = [result.error.message];
      }
      if (problems.length === 0) return;
      mismatched++;
      if (evidence.length >= EVIDENCE_LIMIT) return;
      const reply = result.kind === "reply" ? result : undefined;
      const text = reply ? Buffer.from(reply.body).toString("utf8") : null;
      evidence.push({
        request,
        transactionId: transactionId ?? null,
        status: reply?.status ?? null,
        contentType: reply?.headers["content-type"] ?? null,
        body: text === null ? null : text.length > EVIDENCE_BODY_CHARS ? `${text.slice(0, EVIDENCE_BODY_CHARS)}…` : text,
        error: result.kind === "no-reply" ? result.error.message : null,
        problems,
        durationMs: Math.round(result.durationMs * 1000) / 1000,
      });
    },
    totals() {
      return {
        sent,
        answered,
        failed,
        mismatched,
        latency: latency.summary(),
        statuses: [...statuses].map(([key, n]) => ({ key, count: n })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key)),
        evidence: [...evidence],
      };
    },
  };
}
