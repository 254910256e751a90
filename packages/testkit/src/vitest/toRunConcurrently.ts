import type { MatcherState } from 'vitest';
import { assertKnownOptions } from '../assertKnownOptions.js';
import { failureMessage } from './failureMessage.js';
import { concurrencyRecordOf, trackConcurrency, type TrackedCall } from './trackConcurrency.js';

export interface ToRunConcurrentlyOptions {
  /** At least this many calls must be in flight at the same moment. Default: all of them (without `maxInFlight`). */
  minOverlap?: number;
  /** Never more than this many calls in flight at once (bounded concurrency). */
  maxInFlight?: number;
}

function count(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`toRunConcurrently: options.${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function timeline(calls: readonly TrackedCall[]): string {
  const shown = calls.slice(0, 20).map((call, i) => {
    const end = call.endMs === undefined ? 'still pending' : `${call.endMs.toFixed(1)} ms`;
    return `  #${i}: ${call.startMs.toFixed(1)} ms → ${end}${call.outcome === 'rejected' ? ' (rejected)' : ''}`;
  });
  if (calls.length > shown.length) shown.push(`  … ${calls.length - shown.length} more`);
  return shown.join('\n');
}

/**
 * `await expect(tasks).toRunConcurrently({ minOverlap, maxInFlight })`.
 *
 * `tasks` is either an array of functions, which the matcher calls one after another without
 * waiting and then awaits, or a function wrapped by `trackConcurrency()` that the code under test
 * has already called. A call is in flight from its start until its promise settles; the peak
 * number in flight must be at least `minOverlap` and at most `maxInFlight`. A task that rejects
 * fails the assertion with its error.
 */
export async function toRunConcurrently(this: MatcherState, received: unknown, options: ToRunConcurrentlyOptions = {}) {
  assertKnownOptions('toRunConcurrently', options, ['minOverlap', 'maxInFlight']);
  const maxInFlight = count('maxInFlight', options.maxInFlight);
  let calls: readonly TrackedCall[];
  let peak: number;
  const record = concurrencyRecordOf(received);
  if (record !== undefined) {
    calls = record.calls;
    peak = record.peak;
  } else if (Array.isArray(received) && received.every((task) => typeof task === 'function')) {
    const run = trackConcurrency((task: () => unknown) => task());
    const results = await Promise.allSettled((received as Array<() => unknown>).map((task) => run(task)));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
    calls = run.concurrency.calls;
    peak = run.concurrency.peak;
  } else {
    throw new TypeError('toRunConcurrently: expect() needs an array of functions returning promises, or a function wrapped with trackConcurrency()');
  }
  const minOverlap = count('minOverlap', options.minOverlap) ?? (maxInFlight === undefined ? calls.length : undefined);
  const tooFew = minOverlap !== undefined && peak < minOverlap;
  const tooMany = maxInFlight !== undefined && peak > maxInFlight;
  const pass = !tooFew && !tooMany;
  const wanted = [minOverlap !== undefined ? `at least ${minOverlap}` : undefined, maxInFlight !== undefined ? `at most ${maxInFlight}` : undefined]
    .filter((part) => part !== undefined)
    .join(' and ');
  const observed = peak <= 1 && calls.length > 1 ? `at most ${peak} was in flight at a time: they ran one after another` : `at most ${peak} were in flight at once`;
  return {
    pass,
    message: () =>
      failureMessage(
        this,
        'toRunConcurrently',
        { received: 'tasks', expected: 'options' },
        `expected ${calls.length} calls ${pass ? 'not ' : ''}to have ${wanted} in flight at once, but ${observed}\n${timeline(calls)}`,
        { expected: `${wanted} in flight at once`, received: `a peak of ${peak} in flight` },
      ),
    actual: peak,
    expected: minOverlap ?? maxInFlight,
  };
}
