/**
 * A fixed-size log-linear latency histogram: O(1) record, no allocation, percentiles within about
 * 3% of the true value. 16 sub-buckets per power of two of microseconds, from 1 µs to ~35 min.
 */
const SUB_BUCKETS = 16;
const OCTAVES = 32;

export interface LatencySummary {
  count: number;
  /** Milliseconds. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export class LatencyHistogram {
  private readonly counts = new Uint32Array(SUB_BUCKETS * OCTAVES);
  private total = 0;
  private maxMs = 0;

  /** Records one latency in milliseconds. */
  record(ms: number): void {
    const us = ms * 1000;
    let index = 0;
    if (us >= 1) {
      // floor(log2(us)) by counting leading zeros (exact, and much cheaper than Math.log2) while
      // the microseconds fit in 32 bits (~71 min); the last bucket takes anything longer anyway.
      const octave = us < 4294967296 ? 31 - Math.clz32(us) : 32;
      const base = 2 ** octave;
      index = Math.min(SUB_BUCKETS * OCTAVES - 1, octave * SUB_BUCKETS + Math.floor(((us - base) / base) * SUB_BUCKETS));
    }
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.total++;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  get count(): number {
    return this.total;
  }

  /** The latency (ms) below which `q` (0..1) of the recorded values fall; 0 when empty. */
  percentile(q: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.min(this.maxMs, bucketUpperMs(i));
    }
    return this.maxMs;
  }

  summary(): LatencySummary {
    return { count: this.total, p50: this.percentile(0.5), p90: this.percentile(0.9), p99: this.percentile(0.99), max: this.maxMs };
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.maxMs = 0;
  }
}

function bucketUpperMs(index: number): number {
  if (index === 0) return 0.001;
  const octave = Math.floor(index / SUB_BUCKETS);
  const sub = index % SUB_BUCKETS;
  const base = 2 ** octave;
  return (base + ((sub + 1) * base) / SUB_BUCKETS) / 1000;
}
