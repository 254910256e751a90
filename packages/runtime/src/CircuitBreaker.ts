import { assertBudget } from './budgets.js';
import type { CancellationSource, GuardedFn } from './CallContext.js';
import { CircuitOpenError } from './errors/CircuitOpenError.js';
import { isTimeoutError } from './errors/TimeoutError.js';
import { onSourceAbort, sourceAborted } from './internal/CallScope.js';
import { Listeners } from './internal/Listeners.js';
import { isThenable, toPromise } from './internal/isThenable.js';
import { type OptionKeys, rejectUnknownKeys } from './internal/rejectUnknownKeys.js';
import { SlidingWindow } from './internal/SlidingWindow.js';
import { toContext } from './internal/toContext.js';
import type { Policy } from './Policy.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

/** Opens when the share of failed calls in a sliding time window reaches `threshold`. */
export interface FailureRateTrigger {
  /** Failure share that opens the circuit, in (0, 1]. */
  threshold: number;
  /** Length of the sliding window, ms. Default 10 000. */
  windowMs?: number;
  /** Calls the window must hold before the rate counts. Default 10. */
  minimumCalls?: number;
}

/**
 * Opens when the share of calls slower than `durationMs` (successful or not) in a sliding
 * window reaches `threshold`: a dependency that answers in 9 s instead of 9 ms is down too.
 */
export interface SlowCallTrigger {
  /** A call that takes longer than this is slow, ms. */
  durationMs: number;
  /** Slow-call share that opens the circuit, in (0, 1]. */
  threshold: number;
  /** Default 10 000. */
  windowMs?: number;
  /** Default 10. */
  minimumCalls?: number;
}

export interface CircuitBreakerOptions {
  /** Shown in errors and snapshots. */
  name?: string;
  /** Opens after this many failures in a row. The default mode (5) when no trigger is given. */
  consecutiveFailures?: number;
  failureRate?: FailureRateTrigger;
  slowCalls?: SlowCallTrigger;
  /** How long the circuit stays open before it lets trial calls through, ms. Default 10 000. */
  halfOpenAfterMs?: number;
  /**
   * Trial calls let through at once while half-open; all of them must succeed to close.
   * Default 1.
   */
  halfOpenTrials?: number;
  /** Which errors count as failures. Others pass through without counting. Default: all. */
  isFailure?: (error: unknown) => boolean;
}

export type OpenReason = 'consecutive-failures' | 'failure-rate' | 'slow-calls' | 'trial-failed' | 'manual';

export interface CircuitOpenEvent {
  reason: OpenReason;
  /** The failure that tipped it, when there was one. */
  error?: unknown;
}

export interface CircuitRejectEvent {
  error: CircuitOpenError;
}

export interface CircuitBreakerSnapshot {
  name: string | undefined;
  state: CircuitState;
  consecutiveFailures: number;
  /** Failure-rate window, when configured. */
  failureWindow: { calls: number; failures: number; rate: number } | undefined;
  /** Slow-call window, when configured. */
  slowWindow: { calls: number; slow: number; rate: number } | undefined;
  /** ms until a trial call is allowed, when open. */
  retryAfterMs: number;
  trialsInFlight: number;
  totals: { calls: number; successes: number; failures: number; ignored: number; rejected: number; opened: number };
}

const OPTION_KEYS: OptionKeys<CircuitBreakerOptions> = {
  name: true, consecutiveFailures: true, failureRate: true, slowCalls: true, halfOpenAfterMs: true, halfOpenTrials: true, isFailure: true,
};
const FAILURE_RATE_KEYS: OptionKeys<FailureRateTrigger> = { threshold: true, windowMs: true, minimumCalls: true };
const SLOW_CALL_KEYS: OptionKeys<SlowCallTrigger> = { durationMs: true, threshold: true, windowMs: true, minimumCalls: true };

const CLOSED = 0;
const OPEN = 1;
const HALF_OPEN = 2;
type StateCode = typeof CLOSED | typeof OPEN | typeof HALF_OPEN;
const STATE_NAMES: readonly CircuitState[] = ['closed', 'open', 'half-open'];

/** Returned by the `on…` methods: call it to remove the listener. */
export type Disposer = () => void;

/**
 * A circuit breaker: stops calling a dependency that keeps failing (or keeps being slow), and
 * rejects at once with {@link CircuitOpenError} while open. After `halfOpenAfterMs` it lets
 * `halfOpenTrials` calls through; if they all succeed it closes, if one fails it opens again.
 * No timers: the open → half-open move happens when the next call (or `state` read) finds the
 * wait over.
 */
export class CircuitBreaker implements Policy {
  readonly name: string | undefined;
  private readonly maxConsecutive: number;
  private readonly failureWindow: SlidingWindow | undefined;
  private readonly failureThreshold: number;
  private readonly failureMinimum: number;
  private readonly slowWindow: SlidingWindow | undefined;
  private readonly slowMs: number;
  private readonly slowThreshold: number;
  private readonly slowMinimum: number;
  private readonly halfOpenAfterMs: number;
  private readonly halfOpenTrials: number;
  private readonly isFailure: ((error: unknown) => boolean) | undefined;
  private readonly timesCalls: boolean;

  private code: StateCode = CLOSED;
  /** Bumped on every transition; results from an older generation don't count. */
  private generation = 0;
  private consecutive = 0;
  private openedAt = 0;
  private trialsInFlight = 0;
  private trialSuccesses = 0;
  private readonly totals = { calls: 0, successes: 0, failures: 0, ignored: 0, rejected: 0, opened: 0 };

  private readonly openListeners = new Listeners<CircuitOpenEvent>();
  private readonly halfOpenListeners = new Listeners<void>();
  private readonly closeListeners = new Listeners<void>();
  private readonly rejectListeners = new Listeners<CircuitRejectEvent>();

  constructor(options: CircuitBreakerOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError('CircuitBreaker: options must be an object');
    rejectUnknownKeys(options, OPTION_KEYS, 'CircuitBreaker');
    const { name, consecutiveFailures, failureRate, slowCalls, halfOpenAfterMs = 10_000, halfOpenTrials = 1, isFailure } = options;
    if (name !== undefined && typeof name !== 'string') throw new TypeError('CircuitBreaker: options.name must be a string');
    this.name = name;
    const anyTrigger = consecutiveFailures !== undefined || failureRate !== undefined || slowCalls !== undefined;
    this.maxConsecutive = anyTrigger ? (consecutiveFailures === undefined ? Infinity : positiveInt(consecutiveFailures, 'consecutiveFailures')) : 5;
    if (failureRate !== undefined) {
      checkObject(failureRate, 'failureRate');
      rejectUnknownKeys(failureRate, FAILURE_RATE_KEYS, 'CircuitBreaker', 'failureRate.');
      this.failureThreshold = rate(failureRate.threshold, 'failureRate.threshold');
      this.failureMinimum = positiveInt(failureRate.minimumCalls ?? 10, 'failureRate.minimumCalls');
      this.failureWindow = new SlidingWindow(windowMs(failureRate.windowMs, 'failureRate.windowMs'));
    } else {
      this.failureThreshold = Infinity;
      this.failureMinimum = Infinity;
    }
    if (slowCalls !== undefined) {
      checkObject(slowCalls, 'slowCalls');
      rejectUnknownKeys(slowCalls, SLOW_CALL_KEYS, 'CircuitBreaker', 'slowCalls.');
      this.slowMs = assertBudget(slowCalls.durationMs, 'CircuitBreaker: options.slowCalls.durationMs');
      this.slowThreshold = rate(slowCalls.threshold, 'slowCalls.threshold');
      this.slowMinimum = positiveInt(slowCalls.minimumCalls ?? 10, 'slowCalls.minimumCalls');
      this.slowWindow = new SlidingWindow(windowMs(slowCalls.windowMs, 'slowCalls.windowMs'));
    } else {
      this.slowMs = Infinity;
      this.slowThreshold = Infinity;
      this.slowMinimum = Infinity;
    }
    this.halfOpenAfterMs = assertBudget(halfOpenAfterMs, 'CircuitBreaker: options.halfOpenAfterMs');
    this.halfOpenTrials = positiveInt(halfOpenTrials, 'halfOpenTrials');
    if (isFailure !== undefined && typeof isFailure !== 'function') throw new TypeError('CircuitBreaker: options.isFailure must be a function');
    this.isFailure = isFailure;
    this.timesCalls = this.failureWindow !== undefined || this.slowWindow !== undefined;
  }

  /** The current state (moving open → half-open if the wait is over). */
  get state(): CircuitState {
    if (this.code === OPEN) this.maybeHalfOpen(performance.now());
    return STATE_NAMES[this.code]!;
  }

  execute<T>(fn: GuardedFn<T>, signal?: CancellationSource): Promise<T> {
    if (signal !== undefined) {
      const aborted = sourceAborted(signal);
      if (aborted !== undefined) return Promise.reject(aborted.reason);
    }
    let trial = false;
    if (this.code !== CLOSED) {
      const rejection = this.admit();
      if (rejection !== undefined) return Promise.reject(rejection);
      trial = true;
    }
    this.totals.calls++;
    const generation = this.generation;
    const start = this.timesCalls || trial ? performance.now() : 0;
    if (signal !== undefined) return this.executeWatched(fn, signal, generation, trial, start);
    let result: PromiseLike<T> | T;
    try {
      result = fn(toContext(signal));
    } catch (error) {
      this.settle(generation, trial, start, true, error, false);
      return Promise.reject(error);
    }
    if (!isThenable(result)) {
      this.settle(generation, trial, start, false, undefined, false);
      return Promise.resolve(result);
    }
    return toPromise(result).then(
      (value) => {
        this.settle(generation, trial, start, false, undefined, false);
        return value;
      },
      (error: unknown) => {
        this.settle(generation, trial, start, true, error, false);
        throw error;
      },
    );
  }

  /**
   * A call whose caller can give up: the outcome is decided when the caller gives up, if that
   * comes first — a `TimeoutError` counts as a failure (subject to `isFailure`), any other abort
   * is ignored — so a call that hangs past an outer timeout can't hold a trial slot forever.
   */
  private executeWatched<T>(fn: GuardedFn<T>, signal: CancellationSource, generation: number, trial: boolean, start: number): Promise<T> {
    let decided = false;
    const decide = (failed: boolean, error: unknown, ignore: boolean): void => {
      if (decided) return;
      decided = true;
      unsubscribe();
      this.settle(generation, trial, start, failed, error, ignore);
    };
    const unsubscribe = onSourceAbort(signal, (reason) => decide(true, reason, !isTimeoutError(reason)));
    let result: PromiseLike<T> | T;
    try {
      result = fn(toContext(signal));
    } catch (error) {
      decide(true, error, false);
      return Promise.reject(error);
    }
    return Promise.resolve(result).then(
      (value) => {
        decide(false, undefined, false);
        return value;
      },
      (error: unknown) => {
        decide(true, error, false);
        throw error;
      },
    );
  }

  /** Opens the circuit by hand (e.g. from a health check). */
  open(): void {
    this.toOpen(performance.now(), 'manual', undefined);
  }

  /**
   * Ends the wait of an open circuit now: it becomes half-open and lets the next trial calls
   * through (e.g. when a health check sees the dependency answer again). No-op unless open.
   */
  halfOpen(): void {
    if (this.code === OPEN) this.toHalfOpen();
  }

  /** Closes the circuit by hand and forgets past failures. */
  close(): void {
    if (this.code !== CLOSED) this.toClosed();
  }

  onOpen(listener: (event: CircuitOpenEvent) => void): Disposer {
    return this.openListeners.add(listener);
  }

  onHalfOpen(listener: () => void): Disposer {
    return this.halfOpenListeners.add(listener);
  }

  onClose(listener: () => void): Disposer {
    return this.closeListeners.add(listener);
  }

  /** Called for every call refused while open or while the trial slots are taken. */
  onReject(listener: (event: CircuitRejectEvent) => void): Disposer {
    return this.rejectListeners.add(listener);
  }

  snapshot(): CircuitBreakerSnapshot {
    const now = performance.now();
    const state = this.state;
    const fw = this.failureWindow;
    const sw = this.slowWindow;
    fw?.advance(now);
    sw?.advance(now);
    return {
      name: this.name,
      state,
      consecutiveFailures: this.consecutive,
      failureWindow: fw === undefined ? undefined : { calls: fw.calls, failures: fw.failures, rate: fw.calls === 0 ? 0 : fw.failures / fw.calls },
      slowWindow: sw === undefined ? undefined : { calls: sw.calls, slow: sw.slow, rate: sw.calls === 0 ? 0 : sw.slow / sw.calls },
      retryAfterMs: this.code === OPEN ? Math.max(0, this.openedAt + this.halfOpenAfterMs - now) : 0,
      trialsInFlight: this.trialsInFlight,
      totals: { ...this.totals },
    };
  }

  /** Not closed: returns the rejection, or undefined after taking a trial slot. */
  private admit(): CircuitOpenError | undefined {
    const now = performance.now();
    if (this.code === OPEN) this.maybeHalfOpen(now);
    if (this.code === HALF_OPEN && this.trialsInFlight < this.halfOpenTrials) {
      this.trialsInFlight++;
      return undefined;
    }
    const error = new CircuitOpenError({
      breaker: this.name,
      state: this.code === OPEN ? 'open' : 'half-open',
      retryAfterMs: this.code === OPEN ? Math.max(0, this.openedAt + this.halfOpenAfterMs - now) : 0,
    });
    this.totals.rejected++;
    this.rejectListeners.emit({ error });
    return error;
  }

  private maybeHalfOpen(now: number): void {
    if (now - this.openedAt < this.halfOpenAfterMs) return;
    this.toHalfOpen();
  }

  private toHalfOpen(): void {
    this.code = HALF_OPEN;
    this.generation++;
    this.trialsInFlight = 0;
    this.trialSuccesses = 0;
    this.halfOpenListeners.emit(undefined);
  }

  private settle(generation: number, trial: boolean, start: number, failed: boolean, error: unknown, ignore: boolean): void {
    const counts = !ignore && (!failed || this.isFailure === undefined || safePredicate(this.isFailure, error));
    if (failed && !counts) this.totals.ignored++;
    else if (failed) this.totals.failures++;
    else this.totals.successes++;
    if (generation !== this.generation) return; // a transition happened meanwhile: stale result
    const now = this.timesCalls || trial ? performance.now() : 0;
    const slow = now - start > this.slowMs;
    if (trial) {
      this.trialsInFlight--;
      if (!counts) return;
      if (failed || slow) {
        this.toOpen(now, 'trial-failed', failed ? error : undefined);
      } else if (++this.trialSuccesses >= this.halfOpenTrials) {
        this.toClosed();
      }
      return;
    }
    if (this.code !== CLOSED || !counts) return;
    if (failed) {
      if (++this.consecutive >= this.maxConsecutive) {
        this.toOpen(now || performance.now(), 'consecutive-failures', error);
        return;
      }
    } else {
      this.consecutive = 0;
    }
    const fw = this.failureWindow;
    if (fw !== undefined) {
      fw.record(now, failed, false);
      if (fw.calls >= this.failureMinimum && fw.failures >= this.failureThreshold * fw.calls) {
        this.toOpen(now, 'failure-rate', error);
        return;
      }
    }
    const sw = this.slowWindow;
    if (sw !== undefined) {
      sw.record(now, failed, slow);
      if (sw.calls >= this.slowMinimum && sw.slow >= this.slowThreshold * sw.calls) {
        this.toOpen(now, 'slow-calls', error);
      }
    }
  }

  private toOpen(now: number, reason: OpenReason, error: unknown): void {
    this.code = OPEN;
    this.generation++;
    this.openedAt = now;
    this.trialsInFlight = 0;
    this.totals.opened++;
    this.resetCounts();
    this.openListeners.emit(error === undefined ? { reason } : { reason, error });
  }

  private toClosed(): void {
    this.code = CLOSED;
    this.generation++;
    this.trialsInFlight = 0;
    this.resetCounts();
    this.closeListeners.emit(undefined);
  }

  private resetCounts(): void {
    this.consecutive = 0;
    this.trialSuccesses = 0;
    this.failureWindow?.reset();
    this.slowWindow?.reset();
  }
}

function safePredicate(predicate: (error: unknown) => boolean, error: unknown): boolean {
  try {
    return predicate(error) === true;
  } catch {
    return true;
  }
}

function checkObject(value: unknown, what: string): void {
  if (typeof value !== 'object' || value === null) throw new TypeError(`CircuitBreaker: options.${what} must be an object`);
}

function positiveInt(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`CircuitBreaker: options.${what} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function rate(value: unknown, what: string): number {
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
    throw new RangeError(`CircuitBreaker: options.${what} must be a number in (0, 1], got ${String(value)}`);
  }
  return value;
}

function windowMs(value: unknown, what: string): number {
  const ms = assertBudget(value ?? 10_000, `CircuitBreaker: options.${what}`);
  if (ms === 0) throw new RangeError(`CircuitBreaker: options.${what} must be greater than 0`);
  return ms;
}
