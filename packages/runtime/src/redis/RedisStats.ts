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
    this.attrs = Object.fromEntries(CALL_OUTCOMES.map((o) => [o, { 'redis.manager': managerName, outcome: o }])) as unknown as Record<RedisCallOutcome, Record<string, string>>;
    if (meter !== undefined) {
      this.counter = meter.createCounter('asyncguard.redis.calls', { description: 'Redis calls by outcome' });
      this.histogram = meter.createHistogram('asyncguard.redis.duration', { description: 'Redis call duration', unit: 'ms' });
    }
  }

  record(outcome: RedisCallOutcome, ms: number): void {
    this.counts[outcome]++;
    this.latency.record(ms);
    if (this.counter !== undefined) {
      const attributes = this.attrs[outcome];
      this.counter.add(1, attributes);
      this.histogram?.record(ms, attributes);
    }
  }
}
