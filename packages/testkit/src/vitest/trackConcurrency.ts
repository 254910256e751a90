import { realNow } from '../timers/realTimers.js';

/** One call of a tracked function: when it started and settled (real ms since tracking began). */
export interface TrackedCall {
  readonly startMs: number;
  readonly endMs: number | undefined;
  readonly outcome: 'pending' | 'resolved' | 'rejected';
}

/** What a tracked function records. */
export interface ConcurrencyRecord {
  readonly calls: readonly TrackedCall[];
  /** Most calls in flight at once. */
  readonly peak: number;
  /** Calls in flight right now. */
  readonly inFlight: number;
}

const RECORD = Symbol.for('asyncguard.concurrencyRecord');

export type TrackedFunction<F extends (...args: never[]) => unknown> = F & { readonly concurrency: ConcurrencyRecord };

/**
 * Wraps an async function to record how many of its calls are in flight at once. Pass the
 * wrapper to the code under test, then assert with `toRunConcurrently`:
 *
 * ```ts
 * const store = trackConcurrency(storeFact);
 * await storeAll(facts, store);
 * await expect(store).toRunConcurrently({ minOverlap: 10 });
 * ```
 * A call is in flight from the moment it is called until its promise settles.
 */
export function trackConcurrency<F extends (...args: never[]) => unknown>(fn: F): TrackedFunction<F> {
  if (typeof fn !== 'function') throw new TypeError(`trackConcurrency(): fn must be a function, got ${fn === null ? 'null' : typeof fn}`);
  const origin = realNow();
  const calls: Array<{ startMs: number; endMs: number | undefined; outcome: TrackedCall['outcome'] }> = [];
  let inFlight = 0;
  let peak = 0;
  const record: ConcurrencyRecord = {
    calls,
    get peak() {
      return peak;
    },
    get inFlight() {
      return inFlight;
    },
  };
  const tracked = function (this: unknown, ...args: Parameters<F>): unknown {
    const call: { startMs: number; endMs: number | undefined; outcome: TrackedCall['outcome'] } = { startMs: realNow() - origin, endMs: undefined, outcome: 'pending' };
    calls.push(call);
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    const settle = (outcome: 'resolved' | 'rejected'): void => {
      call.endMs = realNow() - origin;
      call.outcome = outcome;
      inFlight -= 1;
    };
    let result: unknown;
    try {
      result = fn.apply(this, args);
    } catch (err) {
      settle('rejected');
      throw err;
    }
    if (typeof (result as PromiseLike<unknown> | null)?.then !== 'function') {
      settle('resolved');
      return result;
    }
    return Promise.resolve(result as PromiseLike<unknown>).then(
      (value) => {
        settle('resolved');
        return value;
      },
      (err: unknown) => {
        settle('rejected');
        throw err;
      },
    );
  };
  Object.defineProperty(tracked, 'concurrency', { value: record });
  Object.defineProperty(tracked, RECORD, { value: record });
  return tracked as unknown as TrackedFunction<F>;
}

/** The record of a function made by {@link trackConcurrency}, or undefined. */
export function concurrencyRecordOf(value: unknown): ConcurrencyRecord | undefined {
  return typeof value === 'function' ? ((value as unknown as Record<symbol, ConcurrencyRecord | undefined>)[RECORD] ?? undefined) : undefined;
}
