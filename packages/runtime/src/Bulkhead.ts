import { assertBudget } from './budgets.js';
import type { CancellationSource, GuardedFn } from './CallContext.js';
import { BulkheadRejectedError, type BulkheadRejectionReason } from './errors/BulkheadRejectedError.js';
import { type AmbientDeadline, deadlinePassed, liveDeadline, scheduleWithin } from './internal/AmbientDeadline.js';
import { onSourceAbort, sourceAborted } from './internal/CallScope.js';
import { cancelDeadline, type DeadlineEntry, type DeadlineList } from './internal/DeadlineQueue.js';
import { isThenable, toPromise } from './internal/isThenable.js';
import { type OptionKeys, rejectUnknownKeys } from './internal/rejectUnknownKeys.js';
import { toContext } from './internal/toContext.js';
import type { Policy } from './Policy.js';

export interface BulkheadOptions {
  /** Calls running at once. */
  maxConcurrent: number;
  /** Calls that may wait for a slot; beyond that, calls are rejected at once. Default 0. */
  maxQueue?: number;
  /** How long a call may wait in the queue before it is rejected, ms. Default: no limit. */
  queueTimeoutMs?: number;
  /** Shown in errors. */
  name?: string;
  /** Names the guarded operation in errors. */
  operation?: string;
}

const OPTION_KEYS: OptionKeys<BulkheadOptions> = { maxConcurrent: true, maxQueue: true, queueTimeoutMs: true, name: true, operation: true };

export interface BulkheadSnapshot {
  name: string | undefined;
  running: number;
  queued: number;
  maxConcurrent: number;
  maxQueue: number;
  /** Calls rejected so far, by reason. */
  rejected: Record<BulkheadRejectionReason, number>;
}

/**
 * Limits how many calls run at once, with a bounded queue in front. When both are full the
 * call is rejected at once with {@link BulkheadRejectedError} — during an outage this is what
 * keeps pending work (and memory) from growing without bound. A queued call leaves the queue
 * when its queue timeout passes or the caller's signal aborts, and inside `withDeadline` at the
 * ambient deadline (with a `TimeoutError` whose `firedBy` is `'deadline'`).
 */
export class Bulkhead implements Policy {
  readonly name: string | undefined;
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  private readonly queueTimeoutMs: number | undefined;
  /** @internal */
  readonly operation: string | undefined;
  private running = 0;
  private queued = 0;
  private head: QueuedCall<unknown> | null = null;
  private tail: QueuedCall<unknown> | null = null;
  private readonly rejected: Record<BulkheadRejectionReason, number> = { 'queue-full': 0, 'queue-timeout': 0 };

  constructor(options: BulkheadOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('Bulkhead: options must be an object with maxConcurrent');
    rejectUnknownKeys(options, OPTION_KEYS, 'Bulkhead');
    const { maxConcurrent, maxQueue = 0, queueTimeoutMs, name, operation } = options;
    this.maxConcurrent = count(maxConcurrent, 'maxConcurrent', 1);
    this.maxQueue = count(maxQueue, 'maxQueue', 0);
    this.queueTimeoutMs = queueTimeoutMs === undefined ? undefined : assertBudget(queueTimeoutMs, 'Bulkhead: options.queueTimeoutMs');
    if (name !== undefined && typeof name !== 'string') throw new TypeError('Bulkhead: options.name must be a string');
    if (operation !== undefined && typeof operation !== 'string') throw new TypeError('Bulkhead: options.operation must be a string');
    this.name = name;
    this.operation = operation;
  }

  execute<T>(fn: GuardedFn<T>, signal?: CancellationSource): Promise<T> {
    if (this.running < this.maxConcurrent) {
      this.running++;
      return this.run(fn, signal);
    }
    if (this.queued >= this.maxQueue) return Promise.reject(this.rejection('queue-full', 0));
    const aborted = sourceAborted(signal);
    if (aborted !== undefined) return Promise.reject(aborted.reason);
    const ambient = liveDeadline();
    if (ambient !== undefined && deadlinePassed(ambient, performance.now())) {
      return Promise.reject(ambient.timeoutFor(this.operation, 0, 0, 'not-sent'));
    }
    return new Promise<T>((resolve, reject) => {
      const call = new QueuedCall<T>(this, fn, signal, resolve, reject);
      this.enqueue(call as QueuedCall<unknown>);
      // The queue timeout, or the ambient deadline when that comes first.
      call.inherited = scheduleWithin(call, this.queueTimeoutMs, call.enqueuedAt, ambient);
      call.watch();
    });
  }

  snapshot(): BulkheadSnapshot {
    return {
      name: this.name,
      running: this.running,
      queued: this.queued,
      maxConcurrent: this.maxConcurrent,
      maxQueue: this.maxQueue,
      rejected: { ...this.rejected },
    };
  }

  /** @internal */
  run<T>(fn: GuardedFn<T>, signal: CancellationSource | undefined): Promise<T> {
    let result: PromiseLike<T> | T;
    try {
      result = fn(toContext(signal));
    } catch (error) {
      this.release();
      return Promise.reject(error);
    }
    if (!isThenable(result)) {
      this.release();
      return Promise.resolve(result);
    }
    return toPromise(result).then(
      (value) => {
        this.release();
        return value;
      },
      (error: unknown) => {
        this.release();
        throw error;
      },
    );
  }

  /** @internal */
  rejection(reason: BulkheadRejectionReason, elapsedMs: number): BulkheadRejectedError {
    this.rejected[reason]++;
    return new BulkheadRejectedError({
      operation: this.operation,
      bulkhead: this.name,
      reason,
      maxConcurrent: this.maxConcurrent,
      maxQueue: this.maxQueue,
      budgetMs: reason === 'queue-timeout' ? this.queueTimeoutMs : undefined,
      elapsedMs,
    });
  }

  private release(): void {
    this.running--;
    const next = this.head;
    if (next !== null) {
      this.dequeue(next);
      this.running++;
      next.start();
    }
  }

  private enqueue(call: QueuedCall<unknown>): void {
    this.queued++;
    call.qPrev = this.tail;
    if (this.tail === null) this.head = call;
    else this.tail.qNext = call;
    this.tail = call;
  }

  /** @internal */
  dequeue(call: QueuedCall<unknown>): void {
    this.queued--;
    const { qPrev: prev, qNext: next } = call;
    if (prev === null) this.head = next;
    else prev.qNext = next;
    if (next === null) this.tail = prev;
    else next.qPrev = prev;
    call.qPrev = call.qNext = null;
    call.settled = true;
    cancelDeadline(call);
    call.unwatch();
  }
}

/** A call waiting for a slot: a node of the bulkhead's queue and of the deadline queue. */
class QueuedCall<T> implements DeadlineEntry {
  qPrev: QueuedCall<unknown> | null = null;
  qNext: QueuedCall<unknown> | null = null;
  dlPrev: DeadlineEntry | null = null;
  dlNext: DeadlineEntry | null = null;
  dlList: DeadlineList | null = null;
  dlAt = 0;
  settled = false;
  readonly enqueuedAt = performance.now();
  /** The ambient deadline that bounds the wait instead of the queue timeout. */
  inherited: AmbientDeadline | undefined = undefined;
  private unsubscribe: (() => void) | undefined = undefined;

  constructor(
    private readonly bulkhead: Bulkhead,
    private readonly fn: GuardedFn<T>,
    private readonly signal: CancellationSource | undefined,
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  start(): void {
    this.bulkhead.run(this.fn, this.signal).then(this.resolve, this.reject);
  }

  expire(now: number): void {
    if (this.settled) return;
    // The deadline queue already unlinked this entry; take it out of the bulkhead's queue.
    this.bulkhead.dequeue(this as QueuedCall<unknown>);
    const inherited = this.inherited;
    if (inherited !== undefined) {
      // Never started: a TimeoutError naming the deadline that ran out while it waited.
      this.reject(inherited.timeoutFor(this.bulkhead.operation, inherited.at - this.enqueuedAt, now - this.enqueuedAt, 'not-sent'));
      return;
    }
    this.reject(this.bulkhead.rejection('queue-timeout', now - this.enqueuedAt));
  }

  /** Leaves the queue if the caller gives up while waiting. */
  watch(): void {
    const source = this.signal;
    if (source === undefined) return;
    this.unsubscribe = onSourceAbort(source, (reason) => {
      if (this.settled) return;
      this.bulkhead.dequeue(this as QueuedCall<unknown>);
      this.reject(reason);
    });
  }

  unwatch(): void {
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    unsubscribe?.();
  }
}

function count(value: unknown, what: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(`Bulkhead: options.${what} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}
