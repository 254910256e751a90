import { assertBudget } from './budgets.js';
import type { GuardedFn } from './CallContext.js';
import { AmbientDeadline, liveDeadline } from './internal/AmbientDeadline.js';
import { type OptionKeys, rejectUnknownKeys } from './internal/rejectUnknownKeys.js';

export interface WithDeadlineOptions {
  /** Names the deadline in `TimeoutError`s, e.g. `GET /facts/:id`: the calls it cuts say who set it. */
  operation?: string | undefined;
}

const OPTION_KEYS: OptionKeys<WithDeadlineOptions> = { operation: true };

/**
 * Runs `fn` under an ambient deadline `ms` milliseconds from now, carried by
 * `AsyncLocalStorage` through `await`, timers, `setImmediate` and event emitters.
 *
 * - Every time-bounded piece of the runtime called inside (`withTimeout`, `timeoutPolicy`,
 *   `retry`, `Bulkhead`, `offload`, `RedisManager`, the LlamaIndex adapters) clamps itself to
 *   what is left; the `TimeoutError` of a call cut by the deadline has `firedBy: 'deadline'` and
 *   names the operation that set it in `deadlineOperation`.
 * - A nested `withDeadline` can only shorten the deadline, never extend it.
 * - Settles like `fn`; at the deadline rejects with a `TimeoutError` (after one macrotask, so a
 *   body that awaits only calls cut by the deadline rejects with their more precise error).
 * - `fn` receives a context whose `signal` (the same as `currentSignal()`) aborts at the deadline.
 * - When `fn` settles the scope ends: work it left running no longer inherits the deadline.
 * - Throws a `RangeError` at once for a negative, NaN, infinite or too large `ms`.
 */
export function withDeadline<T>(ms: number, fn: GuardedFn<T>, options?: WithDeadlineOptions): Promise<T> {
  assertBudget(ms, 'withDeadline: ms');
  if (typeof fn !== 'function') throw new TypeError('withDeadline: fn must be a function');
  let operation: string | undefined;
  if (options !== undefined) {
    if (typeof options !== 'object' || options === null) throw new TypeError('withDeadline: options must be an object');
    rejectUnknownKeys(options, OPTION_KEYS, 'withDeadline');
    operation = options.operation;
    if (operation !== undefined && typeof operation !== 'string') throw new TypeError('withDeadline: options.operation must be a string');
  }
  return new AmbientDeadline(ms, operation, performance.now(), liveDeadline()).run(fn);
}

/** Milliseconds left before the ambient deadline (0 once it has passed), or `undefined` outside any `withDeadline`. */
export function remainingBudget(): number | undefined {
  const deadline = liveDeadline();
  return deadline === undefined ? undefined : Math.max(0, deadline.at - performance.now());
}

/**
 * An `AbortSignal` that aborts (with the deadline's `TimeoutError`) at the ambient deadline, or
 * `undefined` outside any `withDeadline`. Created on first read, once per deadline; pass it to
 * APIs that take one (`fetch`, `fs`, `child_process`).
 */
export function currentSignal(): AbortSignal | undefined {
  return liveDeadline()?.signal;
}
