import { assertBudget } from './budgets.js';
import type { CallContext, CancellationSource } from './CallContext.js';
import { isCircuitOpenError } from './errors/CircuitOpenError.js';
import { liveDeadline } from './internal/AmbientDeadline.js';
import { isAbortSignal, onSourceAbort, sourceAborted, UNDERLYING } from './internal/CallScope.js';
import { isThenable, toPromise } from './internal/isThenable.js';
import { type OptionKeys, rejectUnknownKeys } from './internal/rejectUnknownKeys.js';
import { toContext } from './internal/toContext.js';
import type { Policy } from './Policy.js';

export interface RetryInfo {
  /** The attempt that just failed, from 1. */
  attempt: number;
  error: unknown;
  /** The backoff before the next attempt, ms. */
  delayMs: number;
  /** Time since the first attempt started, ms. */
  elapsedMs: number;
}

export interface RetryOptions {
  /** Attempts in all, the first included. Default 3. */
  maxAttempts?: number;
  /**
   * No attempt starts later than this after the first one, and no backoff is slept past it,
   * ms. An attempt in flight is not cut short (bound it with a timeout). Default: no limit.
   */
  maxElapsedMs?: number;
  /** Backoff cap before the first retry, ms; it grows by `factor` per attempt. Default 100. */
  initialDelayMs?: number;
  /** Largest backoff cap, ms. Default 10 000. */
  maxDelayMs?: number;
  /** Default 2. */
  factor?: number;
  /**
   * Which errors to retry. Default: every error except `CircuitOpenError` (an open circuit
   * will refuse the retry too). Errors after the caller's signal aborted are never retried.
   */
  retryOn?: (error: unknown, attempt: number) => boolean;
  /** Called before each backoff, e.g. to log. */
  onRetry?: (info: RetryInfo) => void;
  /** Random source in [0, 1) for the jitter. Default `Math.random`. */
  random?: () => number;
}

export interface RetryCallOptions extends RetryOptions {
  /** Stops retrying (and the backoff) when this aborts, rejecting with its reason. */
  signal?: AbortSignal;
}

/** What each attempt gets: the caller's signal and the attempt number (from 1). */
export interface RetryContext extends CallContext {
  readonly attempt: number;
}

interface Settings {
  maxAttempts: number;
  maxElapsedMs: number;
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  retryOn: (error: unknown, attempt: number) => boolean;
  onRetry: ((info: RetryInfo) => void) | undefined;
  random: () => number;
}

const OPTION_KEYS: OptionKeys<RetryCallOptions> = {
  maxAttempts: true, maxElapsedMs: true, initialDelayMs: true, maxDelayMs: true, factor: true, retryOn: true, onRetry: true, random: true, signal: true,
};
const { signal: _signal, ...POLICY_KEYS } = OPTION_KEYS;

const defaultRetryOn = (error: unknown): boolean => !isCircuitOpenError(error);

/**
 * Retries with exponential backoff and full jitter: before retry `n` it sleeps a random time
 * in `[0, min(maxDelayMs, initialDelayMs * factor^(n-1)))`. Rejects with the last error when
 * attempts, time or `retryOn` say stop, or with the signal's reason when it aborts.
 *
 * Inside `withDeadline`, it never sleeps a backoff that would reach the ambient deadline: it
 * rejects with the last error instead.
 *
 * **Only for idempotent operations.** A failed attempt may still have taken effect (a
 * timed-out write can be applied later), so a retry can apply it twice.
 */
export class RetryPolicy implements Policy {
  private readonly settings: Settings;

  constructor(options: RetryOptions = {}) {
    this.settings = settle(options, 'retryPolicy');
  }

  execute<T>(fn: (context: RetryContext) => PromiseLike<T> | T, signal?: CancellationSource): Promise<T> {
    return run(fn, this.settings, signal);
  }
}

export function retryPolicy(options?: RetryOptions): RetryPolicy {
  return new RetryPolicy(options);
}

/** Runs `fn` with retries (see {@link RetryPolicy}). Only for idempotent operations. */
export function retry<T>(fn: (context: RetryContext) => PromiseLike<T> | T, options: RetryCallOptions = {}): Promise<T> {
  const settings = settle(options, 'retry');
  const { signal } = options;
  if (signal !== undefined && !isAbortSignal(signal)) throw new TypeError('retry: options.signal must be an AbortSignal');
  return run(fn, settings, signal);
}

function settle(options: RetryOptions, who: string): Settings {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${who}: options must be an object`);
  rejectUnknownKeys(options, who === 'retry' ? OPTION_KEYS : POLICY_KEYS, who);
  const { maxAttempts = 3, maxElapsedMs, initialDelayMs = 100, maxDelayMs = 10_000, factor = 2, retryOn = defaultRetryOn, onRetry, random = Math.random } = options;
  if (typeof maxAttempts !== 'number' || !Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`${who}: options.maxAttempts must be a positive integer, got ${String(maxAttempts)}`);
  }
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1) throw new RangeError(`${who}: options.factor must be a finite number >= 1, got ${String(factor)}`);
  for (const [name, fnValue] of [['retryOn', retryOn], ['onRetry', onRetry], ['random', random]] as const) {
    if (fnValue !== undefined && typeof fnValue !== 'function') throw new TypeError(`${who}: options.${name} must be a function`);
  }
  const initial = assertBudget(initialDelayMs, `${who}: options.initialDelayMs`);
  const max = assertBudget(maxDelayMs, `${who}: options.maxDelayMs`);
  if (max < initial) throw new RangeError(`${who}: options.maxDelayMs (${max}) must not be less than options.initialDelayMs (${initial})`);
  return {
    maxAttempts,
    maxElapsedMs: maxElapsedMs === undefined ? Infinity : assertBudget(maxElapsedMs, `${who}: options.maxElapsedMs`),
    initialDelayMs: initial,
    maxDelayMs: max,
    factor,
    retryOn,
    onRetry,
    random,
  };
}

class AttemptContext implements RetryContext {
  constructor(
    private readonly base: CallContext,
    readonly attempt: number,
  ) {}

  get [UNDERLYING](): CallContext {
    return this.base;
  }

  get signal(): AbortSignal {
    return this.base.signal;
  }
}

function run<T>(fn: (context: RetryContext) => PromiseLike<T> | T, s: Settings, source: CancellationSource | undefined): Promise<T> {
  const base = toContext(source);
  const start = performance.now();
  // Fast path: a first attempt that succeeds costs one context and one promise.
  let first: PromiseLike<T> | T;
  try {
    first = fn(new AttemptContext(base, 1));
  } catch (error) {
    return retryAfter(fn, s, source, base, error, start);
  }
  if (!isThenable(first)) return Promise.resolve(first);
  return toPromise(first).then(undefined, (error: unknown) => retryAfter(fn, s, source, base, error, start));
}

async function retryAfter<T>(
  fn: (context: RetryContext) => PromiseLike<T> | T,
  s: Settings,
  source: CancellationSource | undefined,
  base: CallContext,
  firstError: unknown,
  start: number,
): Promise<T> {
  let error = firstError;
  for (let attempt = 1; ; attempt++) {
    const aborted = sourceAborted(source);
    if (aborted !== undefined) throw aborted.reason;
    if (attempt >= s.maxAttempts || !safeRetryOn(s, error, attempt)) throw error;
    const elapsed = performance.now() - start;
    const remaining = s.maxElapsedMs - elapsed;
    if (remaining <= 0) throw error;
    const cap = Math.min(s.maxDelayMs, s.initialDelayMs * s.factor ** (attempt - 1));
    const delay = Math.min(remaining, Math.floor(s.random() * cap));
    // Inside withDeadline: no backoff that would end at or past the deadline (the attempt
    // after it could not finish in time); stop with the last error instead.
    const deadline = liveDeadline();
    if (deadline !== undefined && deadline.at - performance.now() <= delay) throw error;
    try {
      s.onRetry?.({ attempt, error, delayMs: delay, elapsedMs: elapsed });
    } catch {
      // A logging hook must not change the outcome.
    }
    await sleep(delay, source);
    if (performance.now() - start > s.maxElapsedMs) throw error;
    try {
      return await fn(new AttemptContext(base, attempt + 1));
    } catch (next) {
      error = next;
    }
  }
}

function safeRetryOn(s: Settings, error: unknown, attempt: number): boolean {
  try {
    return s.retryOn(error, attempt) === true;
  } catch {
    return false;
  }
}

/**
 * Sleeps `ms`, rejecting with the source's reason if it aborts first. A zero backoff still
 * waits for the next macrotask, so a run of fast failures can't starve I/O.
 */
function sleep(ms: number, source: CancellationSource | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let unsubscribe: (() => void) | undefined;
    const wake = (): void => {
      unsubscribe?.();
      resolve();
    };
    const immediate = ms <= 0 ? setImmediate(wake) : undefined;
    const timer = ms <= 0 ? undefined : setTimeout(wake, ms);
    if (source === undefined) return;
    const onAbort = (reason: unknown): void => {
      if (immediate !== undefined) clearImmediate(immediate);
      if (timer !== undefined) clearTimeout(timer);
      reject(reason);
    };
    const already = sourceAborted(source);
    if (already !== undefined) onAbort(already.reason);
    else unsubscribe = onSourceAbort(source, onAbort);
  });
}
