/**
 * Call counts over the last `windowMs`, in `buckets` time slices (so old calls age out in
 * steps of `windowMs / buckets`). Recording and reading are O(1) amortised; no timers.
 */
export class SlidingWindow {
  calls = 0;
  failures = 0;
  slow = 0;
  private readonly bucketMs: number;
  private readonly bucketCalls: Float64Array;
  private readonly bucketFailures: Float64Array;
  private readonly bucketSlow: Float64Array;
  /** Index (in bucket units since the epoch of the clock) of the newest bucket. */
  private newest = -Infinity;

  constructor(
    readonly windowMs: number,
    private readonly buckets = 10,
  ) {
    this.bucketMs = windowMs / buckets;
    this.bucketCalls = new Float64Array(buckets);
    this.bucketFailures = new Float64Array(buckets);
    this.bucketSlow = new Float64Array(buckets);
  }

  record(now: number, failed: boolean, slow: boolean): void {
    const slot = this.advance(now);
    this.bucketCalls[slot]! += 1;
    this.calls += 1;
    if (failed) {
      this.bucketFailures[slot]! += 1;
      this.failures += 1;
    }
    if (slow) {
      this.bucketSlow[slot]! += 1;
      this.slow += 1;
    }
  }

  /** Drops buckets older than the window; call before reading the totals. */
  advance(now: number): number {
    const index = Math.floor(now / this.bucketMs);
    const n = this.buckets;
    if (index !== this.newest) {
      if (index < this.newest) {
        // The clock went backwards (fake timers): start over rather than mis-age buckets.
        this.reset();
      } else {
        const stale = Math.min(n, index - this.newest);
        for (let i = 1; i <= stale; i++) this.clear(((index - stale + i) % n + n) % n);
      }
      this.newest = index;
    }
    return ((index % n) + n) % n;
  }

  reset(): void {
    this.bucketCalls.fill(0);
    this.bucketFailures.fill(0);
    this.bucketSlow.fill(0);
    this.calls = this.failures = this.slow = 0;
    this.newest = -Infinity;
  }

  private clear(slot: number): void {
    this.calls -= this.bucketCalls[slot]!;
    this.failures -= this.bucketFailures[slot]!;
    this.slow -= this.bucketSlow[slot]!;
    this.bucketCalls[slot] = this.bucketFailures[slot] = this.bucketSlow[slot] = 0;
  }
}
