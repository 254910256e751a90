import type { Budgets } from '../budgets.js';
import { assertBudget } from '../budgets.js';
import { BulkheadRejectedError } from '../errors/BulkheadRejectedError.js';
import { CircuitOpenError } from '../errors/CircuitOpenError.js';
import { TimeoutError } from '../errors/TimeoutError.js';
import { liveDeadline, scheduleWithin } from '../internal/AmbientDeadline.js';
import { cancelDeadline } from '../internal/DeadlineQueue.js';
import type { BlockingPool } from './BlockingPool.js';
import { commandKind, usesScanBudget } from './commandKinds.js';
import type { IoredisClient, IoredisModule } from './createIoredisClient.js';
import { deadlineRefusal, MIN_COMMAND_BUDGET_MS } from './deadlineRefusal.js';
import { PendingCall, type PendingCallHost, Phase } from './PendingCall.js';
import type { RedisBreaker } from './RedisBreaker.js';
import type { RedisBlockingCallOptions, RedisCallOptions } from './RedisCallOptions.js';
import type { CommandExecutor } from './RedisCommands.js';
import type { RedisConnection } from './RedisConnection.js';
import type { RedisLog } from './RedisLog.js';
import type { ResolvedRedisManagerOptions } from './RedisManagerOptions.js';
import type { RedisCallOutcome, RedisStatsRecorder } from './RedisStats.js';
import { unavailableError } from './unavailableError.js';

/** ioredis refusing a command because its socket is not writable (nothing was sent). */
const NOT_WRITABLE = /isn't writeable and enableOfflineQueue|isn't ready and enableOfflineQueue/;
const RETRYABLE_REPLY = /^(LOADING|TRYAGAIN|CLUSTERDOWN|MASTERDOWN)\b/;
const RAW_COMMAND_OPTIONS = { replyEncoding: 'utf8' } as const;

/**
 * A manager's command path: every command from admission to settlement. A command runs under its
 * category budget (clamped by an ambient `withDeadline`), through the breaker and within the
 * bound on work in flight; it is sent at once on a ready connection, else waits (bounded) for
 * one or fails fast while Redis is down; reads retry with jittered backoff inside the same
 * budget; a failure settles as a typed error or the call's fallback. Also the non-hot paths that
 * share the breaker and the stats: blocking commands on the pool. The manager owns it and closes
 * it. @internal
 */
export class RedisCommandPath implements PendingCallHost, CommandExecutor {
  /** Calls admitted and not yet settled. */
  inFlight = 0;
  /** Calls waiting for an in-flight slot. */
  readonly slotQueue: PendingCall[] = [];
  /** Set when the manager starts closing: new calls are refused and nothing is retried. */
  closing = false;
  private callsHead: PendingCall | null = null;
  private drained: (() => void) | undefined = undefined;
  private readonly budgets: Budgets;
  private readonly commandOptions: { replyEncoding: 'utf8'; keyPrefix?: string };

  constructor(
    private readonly connection: RedisConnection,
    private readonly breaker: RedisBreaker | undefined,
    private readonly pool: BlockingPool,
    readonly stats: RedisStatsRecorder,
    private readonly log: RedisLog,
    private readonly options: ResolvedRedisManagerOptions,
  ) {
    this.budgets = options.budgets;
    this.commandOptions = options.keyPrefix === '' ? { replyEncoding: 'utf8' } : { replyEncoding: 'utf8', keyPrefix: options.keyPrefix };
  }

  /** Runs one command under its budget, through the breaker and the bulkhead. */
  execute<T>(name: string, args: unknown[], options: RedisCallOptions<T> | undefined, raw = false): Promise<T> {
    const started = performance.now();
    let budgetMs: number;
    if (options?.budgetMs !== undefined) {
      try {
        budgetMs = assertBudget(options.budgetMs, `redis.${name} budgetMs`);
      } catch (err) {
        return Promise.reject(err);
      }
    } else {
      budgetMs = usesScanBudget(name) ? this.budgets.redisScan : this.budgets.redis;
    }
    // Inside withDeadline: the budget is min(category budget, what is left), and a command
    // left with less than the floor is not sent at all.
    let ambient = liveDeadline();
    if (ambient !== undefined) {
      const left = ambient.expired ? 0 : ambient.at - started;
      if (left < MIN_COMMAND_BUDGET_MS) return this.refuse('unavailable', deadlineRefusal(`redis.${name}`, ambient, left), options, started);
      if (left < budgetMs) budgetMs = left;
      else ambient = undefined;
    }
    if (this.closing) {
      return this.refuse('unavailable', unavailableError(`redis.${name}`, 'the manager is closed', 'not-sent', this.options.secrets), options, started);
    }
    const breaker = this.breaker;
    if (breaker !== undefined && !breaker.tryPass()) {
      return this.refuse('circuitOpen', breaker.openError(`redis.${name}`), options, started);
    }
    const retry = this.options.retry;
    const retries = retry === false || options?.retry === false ? 0 : options?.retry === true || commandKind(name) === 'read' ? retry.maxAttempts - 1 : 0;
    const call = new PendingCall<T>(this, name, args, budgetMs, started, retries, options);
    call.raw = raw;
    call.inherited = scheduleWithin(call, ambient === undefined ? budgetMs : undefined, started, ambient);
    if (this.inFlight >= this.options.bulkhead.maxConcurrent) {
      if (this.slotQueue.length >= this.options.bulkhead.maxQueue) {
        cancelDeadline(call);
        breaker?.release();
        const { maxConcurrent, maxQueue } = this.options.bulkhead;
        return this.refuse('rejected', new BulkheadRejectedError({ operation: `redis.${name}`, bulkhead: `redis:${this.options.name}`, reason: 'queue-full', maxConcurrent, maxQueue, elapsedMs: 0 }), options, started);
      }
      call.phase = Phase.Slot;
      this.slotQueue.push(call as PendingCall);
      return call.deferred();
    }
    return this.admit(call as PendingCall) as Promise<T>;
  }

  /** Takes an in-flight slot and starts the call; returns its promise. */
  private admit(call: PendingCall): Promise<unknown> {
    this.inFlight++;
    const head = this.callsHead;
    call.next = head;
    if (head !== null) head.prev = call;
    this.callsHead = call;
    return this.route(call);
  }

  /** Sends `call` now if the connection is ready, else waits (bounded) or fails fast. */
  private route(call: PendingCall): Promise<unknown> {
    const client = this.connection.client;
    if (client !== undefined && client.status === 'ready') return this.dispatch(call, client);
    call.phase = Phase.Connection;
    const promise = call.deferred();
    this.connection.awaitConnection(call);
    return promise;
  }

  /** The connection became ready while `call` waited. */
  connectionReady(call: PendingCall): void {
    if (call.phase !== Phase.Connection) return;
    void this.route(call);
  }

  /** Redis is down or closed while `call` waited (or when it arrived). */
  connectionFailed(call: PendingCall, reason: string): void {
    if (call.phase !== Phase.Connection) return;
    const now = performance.now();
    // Redis being unreachable is what the breaker is for (a closed manager is not).
    if (!this.closing) this.breaker?.failure();
    this.failDeferred(
      call,
      'unavailable',
      unavailableError(`redis.${call.name}`, reason, call.written > 0 ? 'unknown' : 'not-sent', this.options.secrets, { elapsedMs: now - call.started, budgetMs: call.budgetMs }),
      now,
    );
  }

  /**
   * Writes the command and returns its own promise: no promise of ours in between. ioredis'
   * resolve/reject are wrapped instead, so the call is settled (stats, breaker, deadline) as the
   * reply arrives, before its caller resumes; a failure may become a retry or a fallback, whose
   * promise the command's then adopts. A command the call no longer owns (timed out, cut by
   * close(), or replaced by a retry) is already settled: ioredis' late reply or rejection of it
   * changes nothing.
   */
  private dispatch(call: PendingCall, client: IoredisClient): Promise<unknown> {
    const connection = this.connection;
    const io = connection.io as IoredisModule;
    const command = new io.Command(call.name, call.args as never[], call.raw ? RAW_COMMAND_OPTIONS : this.commandOptions);
    const settle = command.resolve;
    const fail = command.reject;
    command.resolve = (value: unknown): void => {
      // ioredis converts the reply; if that throws it calls `command.reject` (below) instead.
      settle(value);
      if (call.command === command) this.onReply(call);
    };
    command.reject = (error: Error): void => {
      if (call.command !== command) return;
      let next: Promise<unknown>;
      try {
        next = this.onCommandError(call, error);
      } catch (err) {
        fail(err as Error);
        return;
      }
      // A retry's or a fallback's promise: `settle` passes a non-reply value through unchanged.
      settle(next);
    };
    call.command = command;
    call.settleCommand = settle;
    call.failCommand = fail;
    call.phase = Phase.Sent;
    call.written++;
    connection.beforeWrite(client);
    client.sendCommand(command);
    const promise = command.promise as Promise<unknown>;
    if (call.resolve !== undefined) promise.then(call.resolve, call.reject);
    return promise;
  }

  private onReply(call: PendingCall): void {
    const now = performance.now();
    this.connection.replied(now);
    this.breaker?.success();
    this.finish(call, 'ok', now);
  }

  /** Settles a failed attempt: a retry, a fallback, or a rethrow (as a typed error). */
  private onCommandError(call: PendingCall, error: unknown): Promise<unknown> {
    const now = performance.now();
    if (error instanceof Error && error.name === 'ReplyError') {
      // The server answered: the connection is fine.
      this.connection.replied(now);
      this.breaker?.success();
      if (RETRYABLE_REPLY.test(error.message)) {
        const retried = this.retryLater(call, now);
        if (retried !== undefined) return retried;
      }
      this.finish(call, 'replyError', now);
      return this.afterFailure(call, error);
    }
    let message = error instanceof Error ? error.message : String(error);
    if (NOT_WRITABLE.test(message)) {
      call.written--;
      message = 'not connected (the connection was just lost)';
    } else if (message.includes('MaxRetriesPerRequest') || message === 'Connection is closed.') {
      message = 'the connection closed before the reply';
    }
    this.breaker?.failure();
    const retried = this.retryLater(call, now);
    if (retried !== undefined) return retried;
    this.finish(call, 'unavailable', now);
    const timing = { elapsedMs: now - call.started, budgetMs: call.budgetMs };
    return this.afterFailure(call, unavailableError(`redis.${call.name}`, error, call.written > 0 ? 'unknown' : 'not-sent', this.options.secrets, timing, message));
  }

  /** Fails the call's current command with `error` (or its fallback) after the call was finished. */
  private rejectCommand(call: PendingCall, error: unknown): void {
    const settle = call.settleCommand as (value: unknown) => void;
    const fail = call.failCommand as (error: Error) => void;
    call.settleCommand = call.failCommand = undefined;
    const fallback = call.options?.fallback;
    if (fallback === undefined) fail(error as Error);
    else settle(this.useFallback(call.name, error, fallback));
  }

  /** The fallback's value, or a rethrow. */
  private afterFailure(call: PendingCall, error: unknown): Promise<unknown> {
    const fallback = call.options?.fallback;
    if (fallback === undefined) throw error;
    return this.useFallback(call.name, error, fallback);
  }

  /** Schedules a retry inside the budget when the call allows one; returns its promise, or undefined. */
  private retryLater(call: PendingCall, now: number): Promise<unknown> | undefined {
    const retry = this.options.retry;
    if (retry === false || call.attempt >= call.retries || this.closing) return undefined;
    const ceiling = Math.min(retry.maxDelayMs, retry.initialDelayMs * retry.factor ** call.attempt);
    const delay = retry.random() * ceiling;
    // Not worth it when the retry could not get a reply before the deadline.
    if (call.dlAt - now <= delay + 1) return undefined;
    call.attempt++;
    this.stats.retries++;
    call.phase = Phase.Backoff;
    call.command = undefined;
    const promise = call.deferred();
    call.backoff = setTimeout(() => {
      call.backoff = undefined;
      if (call.phase !== Phase.Backoff) return;
      if (this.breaker !== undefined && !this.breaker.tryPass()) {
        const at = performance.now();
        this.failDeferred(call, 'circuitOpen', this.breaker.openError(`redis.${call.name}`), at);
        return;
      }
      void this.route(call);
    }, delay);
    return promise;
  }

  /** The call's deadline passed. */
  expire(call: PendingCall, now: number): void {
    const phase = call.phase;
    if (phase === Phase.Done) return;
    const operation = `redis.${call.name}`;
    if (phase === Phase.Slot) {
      const i = this.slotQueue.indexOf(call);
      if (i >= 0) this.slotQueue.splice(i, 1);
      call.phase = Phase.Done;
      const { maxConcurrent, maxQueue } = this.options.bulkhead;
      this.settleRefused(call, 'rejected', new BulkheadRejectedError({ operation, bulkhead: `redis:${this.options.name}`, reason: 'queue-timeout', maxConcurrent, maxQueue, budgetMs: call.budgetMs, elapsedMs: now - call.started }), now);
      return;
    }
    if (phase === Phase.Backoff && call.backoff !== undefined) {
      clearTimeout(call.backoff);
      call.backoff = undefined;
    }
    if (phase === Phase.Sent || phase === Phase.Connection) this.breaker?.failure();
    const outcome = call.written > 0 ? 'unknown' : 'not-sent';
    const elapsedMs = now - call.started;
    const error =
      call.inherited === undefined
        ? new TimeoutError({ operation, budgetMs: call.budgetMs, elapsedMs, outcome })
        : call.inherited.timeoutFor(operation, call.budgetMs, elapsedMs, outcome);
    if (phase === Phase.Sent && call.command !== undefined) {
      this.finish(call, 'timeout', now);
      // Rejects the command itself (as ioredis' own commandTimeout does: it stays queued, so
      // later replies still match); its late reply is ignored.
      this.rejectCommand(call, error);
      // A stalled or blackholed connection is replaced (see commandTimedOut).
      this.connection.commandTimedOut(now, call.budgetMs);
      return;
    }
    this.failDeferred(call, 'timeout', error, now);
  }

  /** Finishes a call that is waiting on its deferred promise (not on a command) with `error`. */
  private failDeferred(call: PendingCall, outcome: RedisCallOutcome, error: unknown, now: number): void {
    this.finish(call, outcome, now);
    const reject = call.reject as (error: unknown) => void;
    const resolve = call.resolve as (value: unknown) => void;
    const fallback = call.options?.fallback;
    if (fallback === undefined) reject(error);
    else this.useFallback(call.name, error, fallback).then(resolve, reject);
  }

  /** Bookkeeping when an admitted call settles. */
  private finish(call: PendingCall, outcome: RedisCallOutcome, now: number): void {
    this.connection.unqueue(call);
    call.phase = Phase.Done;
    call.command = undefined;
    cancelDeadline(call);
    const { prev, next } = call;
    if (prev === null) this.callsHead = next;
    else prev.next = next;
    if (next !== null) next.prev = prev;
    call.prev = call.next = null;
    this.inFlight--;
    this.stats.record(outcome, now - call.started);
    if (this.slotQueue.length > 0) {
      const queued = this.slotQueue.shift() as PendingCall;
      void this.admit(queued);
    }
    if (this.inFlight === 0 && this.drained !== undefined) this.drained();
  }

  /** Settles a call that was never admitted (its slot wait ended). */
  private settleRefused(call: PendingCall, outcome: RedisCallOutcome, error: unknown, now: number): void {
    this.breaker?.release(); // it never ran, so it can't be the breaker's trial
    this.stats.record(outcome, now - call.started);
    const reject = call.reject as (error: unknown) => void;
    const resolve = call.resolve as (value: unknown) => void;
    const fallback = call.options?.fallback;
    if (fallback === undefined) reject(error);
    else this.useFallback(call.name, error, fallback).then(resolve, reject);
  }

  private refuse<T>(outcome: RedisCallOutcome, error: unknown, options: RedisCallOptions<T> | undefined, started: number): Promise<T> {
    this.stats.record(outcome, performance.now() - started);
    const fallback = options?.fallback;
    if (fallback === undefined) return rejectSoon(error);
    return this.useFallback(commandOf(error), error, fallback);
  }

  useFallback<T>(command: string, error: unknown, fallback: T | ((error: unknown) => T | PromiseLike<T>)): Promise<T> {
    this.stats.fallbacks++;
    this.log.failure(command, error, 'fallback');
    try {
      return Promise.resolve(typeof fallback === 'function' ? (fallback as (error: unknown) => T | PromiseLike<T>)(error) : fallback);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Runs a blocking command on a dedicated connection from the pool. */
  async executeBlocking<T>(name: string, args: unknown[], blockMs: number, options: RedisBlockingCallOptions<T> | undefined): Promise<T> {
    const operation = `redis.${name}`;
    const started = performance.now();
    const signal = options?.signal;
    try {
      if (!Number.isFinite(blockMs) || blockMs < 0) throw new RangeError(`${operation}: the block timeout must be a non-negative number, got ${String(blockMs)}`);
      if (blockMs === 0 && signal === undefined) {
        throw new RangeError(`${operation}: a block timeout of 0 waits forever; pass a finite timeout, or an AbortSignal in options.signal`);
      }
      this.assertOpen(operation);
      // Blocking calls don't report to the breaker (a long block is not a failure), so they
      // never take its half-open trial: only an open breaker refuses them.
      if (this.breaker?.isOpen() === true) throw this.breaker.openError(operation);
      if (signal?.aborted === true) throw signal.reason;
    } catch (err) {
      if (err instanceof RangeError) return Promise.reject(err);
      return this.refuse(err instanceof CircuitOpenError ? 'circuitOpen' : 'unavailable', err, options, started);
    }
    let client: IoredisClient;
    try {
      client = await this.pool.acquire(this.budgets.redis, operation);
    } catch (err) {
      return this.refuse(err instanceof BulkheadRejectedError ? 'rejected' : err instanceof TimeoutError ? 'timeout' : 'unavailable', err, options, started);
    }
    try {
      const value = await this.pool.send<T>(client, name, args, blockMs, signal, operation);
      this.stats.record('ok', performance.now() - started);
      return value;
    } catch (err) {
      const isReply = err instanceof Error && err.name === 'ReplyError';
      const outcome: RedisCallOutcome = isReply ? 'replyError' : err instanceof TimeoutError ? 'timeout' : 'unavailable';
      const aborted = isAborted(signal); // (signal.aborted was narrowed to false above)
      const error = isReply || err instanceof TimeoutError || aborted ? err : unavailableError(operation, err, 'unknown', this.options.secrets);
      this.stats.record(outcome, performance.now() - started);
      const fallback = options?.fallback;
      if (fallback === undefined || aborted) throw error;
      return this.useFallback(name, error, fallback);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Closing (the manager's close() runs these in order)

  /** Refuses the calls waiting for a slot: they were never sent. */
  refuseWaiting(now: number): void {
    for (const call of this.slotQueue.splice(0)) {
      call.phase = Phase.Done;
      cancelDeadline(call);
      this.settleRefused(call, 'unavailable', unavailableError(`redis.${call.name}`, 'the manager is closing', 'not-sent', this.options.secrets), now);
    }
  }

  /** Calls waiting to retry are settled by the cut instead (through their deferred). */
  cancelRetries(): void {
    for (let call = this.callsHead; call !== null; call = call.next) {
      if (call.phase === Phase.Backoff) {
        clearTimeout(call.backoff);
        call.backoff = undefined;
        call.phase = Phase.Connection;
      }
    }
  }

  /** Resolves when nothing is in flight, or after `drainMs`. */
  async drain(drainMs: number): Promise<void> {
    if (this.inFlight === 0 || drainMs <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, drainMs);
      this.drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.drained = undefined;
  }

  /** Cuts every call still in flight (`RedisUnavailableError`, outcome `'unknown'` once written). */
  cutRemaining(): void {
    const cutAt = performance.now();
    for (let call = this.callsHead; call !== null; ) {
      const next = call.next;
      const error = unavailableError(`redis.${call.name}`, 'the manager closed before the reply', call.written > 0 ? 'unknown' : 'not-sent', this.options.secrets);
      if (call.phase === Phase.Sent && call.command !== undefined) {
        this.finish(call, 'unavailable', cutAt);
        this.rejectCommand(call, error);
      } else {
        this.failDeferred(call, 'unavailable', error, cutAt);
      }
      call = next;
    }
  }

  private assertOpen(operation: string): void {
    if (this.closing) throw unavailableError(operation, 'the manager is closed', 'not-sent', this.options.secrets);
  }
}

function commandOf(error: unknown): string {
  const op = (error as { operation?: unknown }).operation;
  return typeof op === 'string' ? op.replace(/^redis\./, '') : 'command';
}

/**
 * Fast failures are delivered on the next macrotask, not in a microtask: a retry-until-it-works
 * loop (`for (;;) { try { await redis.get(k) } catch {} }`) must still let I/O run — the
 * reconnect among it — instead of spinning on rejections that never yield.
 */
function rejectSoon<T>(error: unknown): Promise<T> {
  return new Promise<T>((_resolve, reject) => {
    setImmediate(reject, error);
  });
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
