import { assertBudget } from './budgets.js';
import type { CallContext, CancellationSource, GuardedFn } from './CallContext.js';
import type { CallOutcome } from './errors/brand.js';
import { TimeoutError } from './errors/TimeoutError.js';
import { CallScope, isAbortSignal } from './internal/CallScope.js';
import { isThenable } from './internal/isThenable.js';
import { cancelDeadline, type DeadlineEntry, type DeadlineList } from './internal/DeadlineQueue.js';
import { type AmbientDeadline, deadlinePassed, liveDeadline, scheduleWithin } from './internal/AmbientDeadline.js';
import { type OptionKeys, rejectUnknownKeys } from './internal/rejectUnknownKeys.js';

export interface WithTimeoutOptions {
  /** Names the operation in the `TimeoutError`, e.g. `redis.get` or `index.build`. */
  operation?: string | undefined;
  /** Gives up early (rejecting with the signal's reason) when this aborts. */
  signal?: AbortSignal | undefined;
  /**
   * Called when `work` rejects after the call already gave up (deadline or abort). Such a
   * rejection is never left unhandled; by default it is dropped.
   */
  onLateRejection?: ((error: unknown, gaveUpWith: unknown) => void) | undefined;
  /**
   * Whether a timed-out call may still take effect, recorded on the `TimeoutError`. A function
   * is asked at the moment of the timeout (e.g. "has the command been written yet?").
   */
  outcome?: CallOutcome | (() => CallOutcome | undefined) | undefined;
}

/** @internal Every option key (timeoutPolicy takes the same ones but `signal`). */
export const WITH_TIMEOUT_OPTION_KEYS: OptionKeys<WithTimeoutOptions> = { operation: true, signal: true, onLateRejection: true, outcome: true };

/** The work `withTimeout` bounds: a promise already running, or a function that starts it. */
export type TimeoutWork<T> = PromiseLike<T> | GuardedFn<T>;

/**
 * Waits for `work` at most `ms` milliseconds.
 *
 * - Rejects with a {@link TimeoutError} (operation, budget, elapsed) at the deadline, or with
 *   the outer `signal`'s reason when that aborts first; otherwise settles like `work`.
 * - A function receives a {@link CallContext}; its `signal` is created only if read and aborts
 *   only when the call gives up — never on success.
 * - No timer is left behind on any path; a settled call never keeps the process alive.
 * - A rejection of `work` after the deadline goes to `onLateRejection`, never unhandled.
 * - Throws a `RangeError` at once for a negative, NaN, infinite or too large (> 2^31-1) `ms`.
 * - Inside `withDeadline` the budget is clamped to what is left of the ambient deadline; if that
 *   fires first the `TimeoutError` says so (`firedBy: 'deadline'`, `deadlineOperation`), and a
 *   call made after the deadline passed rejects at once without starting `work`.
 *
 * The deadline releases the caller; it cannot stop work that ignores its signal (a Redis
 * command already written may still run; see `TimeoutError.outcome`).
 */
export function withTimeout<T>(work: TimeoutWork<T>, ms: number, options?: WithTimeoutOptions): Promise<T> {
  assertBudget(ms, 'withTimeout: ms');
  if (typeof work !== 'function' && !isThenable(work)) throw new TypeError('withTimeout: work must be a promise or a function');
  if (options !== undefined) checkOptions(options);
  return runWithTimeout(work, ms, options, options?.signal);
}

function checkOptions(options: WithTimeoutOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('withTimeout: options must be an object');
  rejectUnknownKeys(options, WITH_TIMEOUT_OPTION_KEYS, 'withTimeout');
  const { signal, onLateRejection, operation, outcome } = options;
  if (signal !== undefined && !isAbortSignal(signal)) throw new TypeError('withTimeout: options.signal must be an AbortSignal');
  if (onLateRejection !== undefined && typeof onLateRejection !== 'function') {
    throw new TypeError('withTimeout: options.onLateRejection must be a function');
  }
  if (operation !== undefined && typeof operation !== 'string') throw new TypeError('withTimeout: options.operation must be a string');
  if (outcome !== undefined && outcome !== 'not-sent' && outcome !== 'unknown' && typeof outcome !== 'function') {
    throw new TypeError(`withTimeout: options.outcome must be 'not-sent', 'unknown' or a function`);
  }
}

/**
 * The shared engine (also behind the timeout policy). `parent` may be a lazy scope from an
 * outer policy; `ms` is already validated.
 * @internal
 */
export function runWithTimeout<T>(
  work: TimeoutWork<T>,
  ms: number,
  options: WithTimeoutOptions | undefined,
  parent: CancellationSource | undefined,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const call = new TimedCall<T>(resolve, reject, ms, options);
    if (parent !== undefined) {
      call.link(parent);
      if (call.aborted) {
        // Already aborted: don't start the work; still observe a given promise.
        if (typeof work !== 'function') observeLate(work, call);
        reject(call.reason);
        return;
      }
      call.onAbort((reason) => call.gaveUp(reason));
    }
    const ambient = liveDeadline();
    if (ambient !== undefined && deadlinePassed(ambient, call.start)) {
      call.inherited = ambient;
      if (typeof work !== 'function') observeLate(work, call);
      call.unlink();
      call.expire(call.start, 'not-sent');
      return;
    }
    call.inherited = scheduleWithin(call, ms, call.start, ambient);
    let pending: PromiseLike<T> | T;
    if (typeof work === 'function') {
      try {
        pending = work(call);
      } catch (error) {
        call.fail(error);
        return;
      }
    } else {
      pending = work;
    }
    if (isThenable(pending)) {
      pending.then(
        (value) => call.succeed(value),
        (error: unknown) => call.fail(error),
      );
    } else {
      call.succeed(pending);
    }
  });
}

function observeLate<T>(work: PromiseLike<T>, call: TimedCall<T>): void {
  work.then(undefined, (error: unknown) => call.reportLate(error));
}

/** One pending call: its own deadline-queue node and cancellation scope. */
class TimedCall<T> extends CallScope implements DeadlineEntry, CallContext {
  dlPrev: DeadlineEntry | null = null;
  dlNext: DeadlineEntry | null = null;
  dlList: DeadlineList | null = null;
  dlAt = 0;
  readonly start: number;
  /** The ambient deadline this call waits on instead of its own budget, when that comes first. */
  inherited: AmbientDeadline | undefined = undefined;
  private done = false;

  constructor(
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
    private readonly budgetMs: number,
    private readonly options: WithTimeoutOptions | undefined,
  ) {
    super();
    this.start = performance.now();
  }

  succeed(value: T): void {
    if (this.done) return;
    this.done = true;
    cancelDeadline(this);
    this.unlink();
    this.resolve(value);
  }

  fail(error: unknown): void {
    if (this.done) {
      this.reportLate(error);
      return;
    }
    this.done = true;
    cancelDeadline(this);
    this.unlink();
    this.reject(error);
  }

  /** Deadline reached (its own, or the inherited one); `known` overrides the outcome when the work never started. */
  expire(now: number, known?: CallOutcome): void {
    if (this.done) return;
    const options = this.options;
    let outcome = known ?? options?.outcome;
    if (typeof outcome === 'function') {
      try {
        outcome = outcome();
      } catch {
        outcome = undefined;
      }
    }
    const inherited = this.inherited;
    const error =
      inherited === undefined
        ? new TimeoutError({ operation: options?.operation, budgetMs: this.budgetMs, elapsedMs: now - this.start, outcome })
        : inherited.timeoutFor(options?.operation, this.budgetMs, now - this.start, outcome);
    this.done = true;
    this.reject(error);
    this.abort(error);
  }

  /** The parent scope aborted first. */
  gaveUp(reason: unknown): void {
    if (this.done) return;
    this.done = true;
    cancelDeadline(this);
    this.reject(reason);
    this.abort(reason);
  }

  reportLate(error: unknown): void {
    const hook = this.options?.onLateRejection;
    if (hook === undefined) return;
    try {
      hook(error, this.reason);
    } catch {
      // A throwing hook must not turn a handled late rejection into an unhandled one.
    }
  }
}
