import { AsyncLocalStorage } from 'node:async_hooks';
import type { CallOutcome } from '../errors/brand.js';
import { TimeoutError } from '../errors/TimeoutError.js';
import { CallScope } from './CallScope.js';
import { attachDeadline, cancelDeadline, type DeadlineEntry, type DeadlineList, expireAll, privateDeadlineList, scheduleDeadline } from './DeadlineQueue.js';

interface SharedState {
  readonly storage: AsyncLocalStorage<AmbientDeadline>;
  /**
   * Deadlines whose body is still running, in this process. While none is, no call can have an
   * ambient deadline, and the time-bounded pieces skip the `AsyncLocalStorage` lookup entirely:
   * the no-deadline path costs one property load and a comparison.
   */
  live: number;
}

/**
 * One storage per process, shared by every copy of the runtime (the ESM and CJS builds, the
 * `./fastify` and `./llamaindex` entries of the CJS build, a second version in node_modules):
 * a deadline set through one copy must bound the calls made through another.
 */
const SHARED_KEY = Symbol.for('asyncguard.ambientDeadline');
const shared: SharedState = ((globalThis as Record<symbol, unknown>)[SHARED_KEY] as SharedState | undefined) ??
  ((globalThis as Record<symbol, unknown>)[SHARED_KEY] = { storage: new AsyncLocalStorage<AmbientDeadline>(), live: 0 } satisfies SharedState) as SharedState;
const storage = shared.storage;

/**
 * One `withDeadline` scope: the ambient deadline that calls made inside it inherit.
 *
 * - Its own deadline is an entry of the shared deadline queue; a nested deadline that would
 *   outlive its parent is clamped to it and waits in the parent's private list instead.
 * - Calls that inherit it (a `withTimeout` whose budget is longer than what is left, a queued
 *   bulkhead call, a Redis command) wait in its private list, not in the shared queue: their
 *   deadline is this one's, so they cost an append and an unlink, and no timer or per-budget list.
 * - It is also a {@link CallScope}: `currentSignal()` is its lazily created signal.
 * - When the body settles the scope ends: later work that still carries it in its async context
 *   (detached `then`s, timers the body started) no longer inherits it, and its timer is
 *   dropped unless calls are still waiting on it (then it runs to the deadline).
 * @internal
 */
export class AmbientDeadline extends CallScope implements DeadlineEntry {
  dlPrev: DeadlineEntry | null = null;
  dlNext: DeadlineEntry | null = null;
  dlList: DeadlineList | null = null;
  dlAt = 0;
  /** `performance.now()` time at which it fires. */
  readonly at: number;
  /** The deadline whose time is in force: this one, or the ancestor it was clamped to. */
  readonly origin: AmbientDeadline;
  /** Calls (and clamped nested deadlines) that inherit this deadline. */
  readonly inheritors: DeadlineList = privateDeadlineList();
  /** The body has settled. */
  ended = false;
  /** The deadline has passed. */
  expired = false;
  private rejectRace: ((error: unknown) => void) | undefined = undefined;

  constructor(
    /** The budget asked for, ms. */
    readonly budgetMs: number,
    readonly operation: string | undefined,
    readonly start: number,
    readonly parent: AmbientDeadline | undefined,
  ) {
    super();
    shared.live++;
    const own = start + budgetMs;
    if (parent !== undefined && parent.at <= own) {
      this.at = parent.at;
      this.origin = parent.origin;
      if (parent.expired) this.expired = true;
      else attachDeadline(parent.inheritors, this, parent.at);
    } else {
      this.at = own;
      this.origin = this;
      scheduleDeadline(this, budgetMs, start);
    }
  }

  /** Runs `fn` with this deadline ambient; settles like it, or rejects at the deadline. */
  run<T>(fn: (scope: AmbientDeadline) => PromiseLike<T> | T): Promise<T> {
    if (this.expired) {
      this.end();
      return Promise.reject(this.timeoutFor(this.operation, this.budgetMs, 0, 'not-sent', true));
    }
    let result: PromiseLike<T> | T;
    try {
      result = this.enter(fn);
    } catch (error) {
      this.end();
      return Promise.reject(error);
    }
    if (result === null || (typeof result !== 'object' && typeof result !== 'function') || typeof (result as PromiseLike<T>).then !== 'function') {
      this.end();
      return Promise.resolve(result as T);
    }
    return this.race(result as PromiseLike<T>);
  }

  /** Runs `fn` with this deadline ambient and returns what it returns; the scope stays open until `end()` or `race()`. */
  enter<R>(fn: (scope: AmbientDeadline) => R): R {
    return storage.run(this, fn, this);
  }

  /** Settles like `pending` (ending the scope), or rejects at the deadline. */
  race<T>(pending: PromiseLike<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.rejectRace = reject;
      pending.then(
        (value) => {
          this.end();
          resolve(value);
        },
        (error: unknown) => {
          this.end();
          reject(error);
        },
      );
    });
  }

  /** The deadline passed: every inheritor times out, the signal aborts, then the body's promise rejects. */
  expire(now: number): void {
    if (this.expired) return;
    this.expired = true;
    const error = this.timeoutFor(this.operation, this.budgetMs, now - this.start, undefined, this.origin !== this);
    expireAll(this.inheritors, now);
    this.abort(error);
    const reject = this.rejectRace;
    if (reject === undefined || this.ended) return;
    // One macrotask of grace: a body that awaits only calls that inherit this deadline rejects
    // with their error (which names the call that was cut) before this backstop fires.
    setImmediate(() => {
      if (!this.ended) reject(error);
    });
  }

  /** A `TimeoutError` for `operation` (budget `budgetMs`) cut by this deadline; `inherited` unless it is this deadline's own. */
  timeoutFor(operation: string | undefined, budgetMs: number, elapsedMs: number, outcome: CallOutcome | undefined, inherited = true): TimeoutError {
    const origin = this.origin;
    return new TimeoutError({
      operation,
      budgetMs,
      elapsedMs,
      outcome,
      firedBy: inherited ? 'deadline' : 'budget',
      deadlineOperation: origin.operation,
      deadlineMs: origin.budgetMs,
    });
  }

  /** The body settled (or, for a scope opened with `enter`, its owner is done). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    shared.live--;
    this.rejectRace = undefined;
    // Calls still waiting (detached from the body) keep the timer, which then runs to the
    // deadline (at most its budget) even if they settle first.
    if (this.inheritors.head === null) cancelDeadline(this);
  }
}

/** The innermost deadline whose body is still running, if any. */
export function liveDeadline(): AmbientDeadline | undefined {
  if (shared.live === 0) return undefined;
  let d = storage.getStore();
  while (d !== undefined && d.ended) d = d.parent;
  return d;
}

/**
 * Puts `entry` (a call with budget `ms`, started at `now`) on the clock that bounds it: its own
 * budget in the shared deadline queue, or the ambient deadline when that comes first. Returns
 * the deadline it inherits, or undefined. The caller must handle `deadline.expired` itself
 * before (a call under a passed deadline should not start).
 * @internal
 */
export function scheduleWithin(entry: DeadlineEntry, ms: number | undefined, now: number, deadline: AmbientDeadline | undefined): AmbientDeadline | undefined {
  if (deadline !== undefined && (ms === undefined || deadline.at - now < ms)) {
    attachDeadline(deadline.inheritors, entry, deadline.at);
    return deadline;
  }
  if (ms !== undefined) scheduleDeadline(entry, ms, now);
  return undefined;
}

/** True when `deadline` can no longer be met at `now`. */
export function deadlinePassed(deadline: AmbientDeadline, now: number): boolean {
  return deadline.expired || deadline.at <= now;
}

/**
 * Runs `fn` outside any ambient deadline: for work shared by many callers (a `lazy` value, a
 * connection and its health checks) that must not inherit the deadline of whichever request
 * happened to start it.
 * @internal
 */
export function runOutsideDeadline<T>(fn: () => T): T {
  // With no deadline running, every deadline a continuation may carry has ended for good.
  return shared.live === 0 ? fn() : storage.exit(fn);
}
