// Latencies of a burst in bounded memory, HDR-style: values in microseconds, exact below 256 µs, then
// 128 linear sub-buckets per power of two (under 0.8 % error). A million samples cost what ten do.
// A percentile is the highest value its bucket can hold (never flattering), capped at the true maximum.

const SUB_BUCKET_BITS = 7;
const SUB_BUCKETS = 1 << SUB_BUCKET_BITS; // 128
const EXACT_BELOW = SUB_BUCKETS * 2; // 256 µs
/** Values above this many µs (about 38 hours) share the last bucket. */
const MAX_TRACKED_US = 2 ** 37 - 1;
const BUCKET_COUNT = EXACT_BELOW + (37 - 8) * SUB_BUCKETS;

function indexOf(us: number): number {
  if (us < EXACT_BELOW) return us;
  const magnitude = Math.floor(Math.log2(us)); // 8..36
  const shift = magnitude - SUB_BUCKET_BITS;
  const sub = Math.floor(us / 2 ** shift) - SUB_BUCKETS; // 0..127
  return EXACT_BELOW + (magnitude - 8) * SUB_BUCKETS + sub;
}

/** The highest value in µs that lands in bucket `index`. */
function highestOf(index: number): number {
  if (index < EXACT_BELOW) return index;
  const offset = index - EXACT_BELOW;
  const magnitude = Math.floor(offset / SUB_BUCKETS) + 8;
  const sub = (offset % SUB_BUCKETS) + SUB_BUCKETS;
  const shift = magnitude - SUB_BUCKET_BITS;
  return (sub + 1) * 2 ** shift - 1;
}

export interface LatencySummary {
  count: number;
  /** Milliseconds, 0.001 ms resolution. */
  minMs: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKET_COUNT);
  private total = 0;
  private sumUs = 0;
  private minUs = Infinity;
  private maxUs = 0;

  record(ms: number): void {
    const us = Math.min(MAX_TRACKED_US, Math.max(0, Math.round(ms * 1000)));
    this.counts[indexOf(us)]! += 1;
    this.total++;
    this.sumUs += us;
    if (us < this.minUs) this.minUs = us;
    if (us > this.maxUs) this.maxUs = us;
  }

  get count(): number {
    return this.total;
  }

  /** The value at or below which `percent` of the samples fall, in ms (0 when empty). */
  percentile(percent: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((percent / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(highestOf(i), this.maxUs) / 1000;
    }
    return this.maxUs / 1000;
  }

  summary(): LatencySummary {
    const empty = this.total === 0;
    return {
      count: this.total,
      minMs: empty ? 0 : this.minUs / 1000,
      meanMs: empty ? 0 : Math.round(this.sumUs / this.total) / 1000,
      p50Ms: this.percentile(50),
      p95Ms: this.percentile(95),
      p99Ms: this.percentile(99),
      maxMs: this.maxUs / 1000,
    };
  }
}
