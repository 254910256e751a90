import { runOutsideDeadline } from './internal/AmbientDeadline.js';
import { assertBudget } from './budgets.js';
import type { CallContext } from './CallContext.js';
import { LazyDisposedError } from './errors/LazyDisposedError.js';
import { CallScope } from './internal/CallScope.js';
import { type OptionKeys, rejectUnknownKeys } from './internal/rejectUnknownKeys.js';

export interface LazyOptions<T> {
  /** Wait after the first failed attempt before the next caller may try again, ms. Default 100. */
  initialBackoffMs?: number;
  /** Largest wait between attempts, ms; the wait doubles per consecutive failure. Default 30 000. */
  maxBackoffMs?: number;
  /** Releases the value on `dispose()` (and on `reset()` when `disposeOnReset` is set). */
  dispose?: (value: T) => void | PromiseLike<void>;
  /** Names the resource in errors. */
  name?: string;
}

const OPTION_KEYS: OptionKeys<LazyOptions<unknown>> = { initialBackoffMs: true, maxBackoffMs: true, dispose: true, name: true };

export type LazyState = 'idle' | 'pending' | 'ready' | 'failed' | 'disposed';

/** The function `lazy()` returns. Call it to get the value. */
export interface Lazy<T> {
  (): Promise<T>;
  /** `'failed'` means the last attempt failed and its backoff is not over. */
  readonly state: LazyState;
  /**
   * Forgets the value (or failure), so the next call initialises again. An attempt in flight
   * is aborted (its `signal` fires) and its waiters still get its result. Does not dispose the
   * old value.
   */
  reset(): void;
  /**
   * Aborts an attempt in flight, disposes the value if there is one (waiting for an attempt
   * in flight to finish first) and makes every later call reject.
   */
  dispose(): Promise<void>;
}

const IDLE = 0;
const PENDING = 1;
const READY = 2;
const FAILED = 3;
const DISPOSED = 4;
const STATES: readonly LazyState[] = ['idle', 'pending', 'ready', 'failed', 'disposed'];

/**
 * Single-flight async initialisation. The first call starts `init`; calls made while it runs
 * share that attempt; later calls get the value. A failed attempt is not cached as success:
 * callers within the backoff get the failure at once, the first caller after it starts a new
 * attempt (backoff doubles per consecutive failure, reset on success). An attempt runs outside
 * any ambient deadline (`withDeadline`): the value is shared, so the deadline of the caller that
 * happened to start it must not cut it short.
 *
 * ```ts
 * const getIndex = lazy(({ signal }) => buildIndex(signal));
 * const index = await getIndex();
 * getIndex.reset();
 * ```
 */
export function lazy<T>(init: (context: CallContext) => PromiseLike<T> | T, options: LazyOptions<T> = {}): Lazy<T> {
  if (typeof init !== 'function') throw new TypeError('lazy: init must be a function');
  if (typeof options !== 'object' || options === null) throw new TypeError('lazy: options must be an object');
  rejectUnknownKeys(options, OPTION_KEYS, 'lazy');
  const initialBackoff = assertBudget(options.initialBackoffMs ?? 100, 'lazy: options.initialBackoffMs');
  const maxBackoff = assertBudget(options.maxBackoffMs ?? 30_000, 'lazy: options.maxBackoffMs');
  if (maxBackoff < initialBackoff) throw new RangeError(`lazy: options.maxBackoffMs (${maxBackoff}) must not be less than options.initialBackoffMs (${initialBackoff})`);
  const disposeValue = options.dispose;
  if (disposeValue !== undefined && typeof disposeValue !== 'function') throw new TypeError('lazy: options.dispose must be a function');
  const name = options.name;

  let state = IDLE;
  let value: T | undefined;
  let pending: Promise<T> | undefined;
  let scope: CallScope | undefined;
  let failure: unknown;
  let retryAt = 0;
  let failures = 0;
  /** Bumped by reset/dispose so an attempt that finishes afterwards changes nothing. */
  let epoch = 0;

  function attempt(): Promise<T> {
    const mine = ++epoch;
    const attemptScope = (scope = new CallScope());
    state = PENDING;
    // Shared by every caller: built under its own budgets, not under the ambient deadline
    // (withDeadline) of whichever caller happened to come first.
    const p = runOutsideDeadline(async () => init(attemptScope)).then(
      (result) => {
        if (mine === epoch) {
          state = READY;
          value = result;
          failures = 0;
          pending = scope = undefined;
        }
        return result;
      },
      (error: unknown) => {
        if (mine === epoch) {
          state = FAILED;
          failure = error;
          retryAt = performance.now() + Math.min(maxBackoff, initialBackoff * 2 ** failures);
          failures++;
          pending = scope = undefined;
        }
        throw error;
      },
    );
    pending = p;
    return p;
  }

  const get = (): Promise<T> => {
    switch (state) {
      case READY:
        return Promise.resolve(value as T);
      case PENDING:
        return pending as Promise<T>;
      case FAILED:
        if (performance.now() < retryAt) return Promise.reject(failure);
        return attempt();
      case DISPOSED:
        return Promise.reject(new LazyDisposedError(name));
      default:
        return attempt();
    }
  };

  const reset = (): void => {
    if (state === DISPOSED) return;
    epoch++;
    scope?.abort(new Error(`${name ?? 'lazy value'} was reset`));
    state = IDLE;
    value = undefined;
    pending = scope = undefined;
    failure = undefined;
    failures = 0;
  };

  const dispose = async (): Promise<void> => {
    if (state === DISPOSED) return;
    const inFlight = pending;
    const had = state === READY;
    const old = value;
    epoch++;
    scope?.abort(new LazyDisposedError(name));
    state = DISPOSED;
    value = undefined;
    pending = scope = undefined;
    failure = undefined;
    if (disposeValue === undefined) return;
    if (had) {
      await disposeValue(old as T);
    } else if (inFlight !== undefined) {
      let settled: { value: T } | undefined;
      try {
        settled = { value: await inFlight };
      } catch {
        // The attempt failed: nothing to dispose.
      }
      if (settled !== undefined) await disposeValue(settled.value);
    }
  };

  return Object.defineProperties(get, {
    state: { get: () => (state === FAILED && performance.now() >= retryAt ? 'idle' : STATES[state]), enumerable: true },
    reset: { value: reset, enumerable: true },
    dispose: { value: dispose, enumerable: true },
  }) as Lazy<T>;
}
