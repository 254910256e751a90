import { LatencyHistogram, type LatencySummary } from './LatencyHistogram.js';
import type { MeterLike } from './RedisManagerOptions.js';

/** How a call ended. */
export type RedisCallOutcome =
  /** The server answered. */
  | 'ok'
  /** The server answered with an error (WRONGTYPE, NOSCRIPT, …). */
  | 'replyError'
  /** The budget ran out. */
  | 'timeout'
  /** No usable connection (down, closed, reconnecting, offline queue full). */
  | 'unavailable'
  /** The breaker refused the call. */
  | 'circuitOpen'
  /** The bulkhead (in-flight bound) refused the call. */
  | 'rejected';

export const CALL_OUTCOMES: readonly RedisCallOutcome[] = ['ok', 'replyError', 'timeout', 'unavailable', 'circuitOpen', 'rejected'];

export interface RedisManagerStats {
  /** Calls by how they ended. */
  calls: Record<RedisCallOutcome, number>;
  /** Failed calls answered with a fallback instead. */
  fallbacks: number;
  /** Retry attempts made (reads after a connection failure). */
  retries: number;
  /** Latency of settled calls, all outcomes, in ms. */
  latency: LatencySummary;
  /** Calls admitted and not yet settled (including those waiting for a connection). */
  inFlight: number;
  /** Calls waiting for an in-flight slot. */
  queued: number;
  breaker: 'closed' | 'open' | 'half-open' | 'disabled';
  /** Dedicated connections for blocking commands and pub/sub. */
  pool: { size: number; busy: number; waiting: number; max: number; subscriber: boolean };
}

/**
 * The call-duration histogram, as OpenTelemetry's database semantic conventions name it. Values are
 * in seconds (unit `s`); until 0.1 it was `asyncguard.redis.duration` in milliseconds.
 */
export const REDIS_DURATION_METRIC = 'db.client.operation.duration';

/** Counters behind `manager.stats()` and the optional OpenTelemetry instruments. @internal */
export class RedisStatsRecorder {
  readonly counts: Record<RedisCallOutcome, number> = { ok: 0, replyError: 0, timeout: 0, unavailable: 0, circuitOpen: 0, rejected: 0 };
  fallbacks = 0;
  retries = 0;
  readonly latency = new LatencyHistogram();
  private readonly counter: ReturnType<MeterLike['createCounter']> | undefined;
  private readonly histogram: ReturnType<MeterLike['createHistogram']> | undefined;
  private readonly attrs: Record<RedisCallOutcome, Record<string, string>>;

  constructor(
    readonly managerName: string,
    meter: MeterLike | undefined,
  ) {
    // OpenTelemetry's database semantic conventions: `db.system.name`, and `error.type` on a failed call.
    this.attrs = Object.fromEntries(CALL_OUTCOMES.map((o) => [
      o,
      { 'db.system.name': 'redis', 'redis.manager': managerName, outcome: o, ...(o === 'ok' ? {} : { 'error.type': o }) },
    ])) as unknown as Record<RedisCallOutcome, Record<string, string>>;
    if (meter !== undefined) {
      this.counter = meter.createCounter('asyncguard.redis.calls', { description: 'Redis calls by outcome' });
      // The semantic-convention histogram: named `db.client.operation.duration`, in seconds (not ms),
      // with the convention's bucket advice (1 ms … 10 s).
      this.histogram = meter.createHistogram(REDIS_DURATION_METRIC, {
        description: 'Duration of Redis calls through the manager, every outcome',
        unit: 's',
        advice: { explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10] },
      });
    }
  }

  record(outcome: RedisCallOutcome, ms: number): void {
    this.counts[outcome]++;
    this.latency.record(ms);
    if (this.counter !== undefined) {
      const attributes = this.attrs[outcome];
      this.counter.add(1, attributes);
      this.histogram?.record(ms / 1000, attributes);
    }
  }
}
