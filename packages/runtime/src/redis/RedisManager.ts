import type { ChainableCommander, Command } from 'ioredis';
import type { BudgetCategory, Budgets } from '../budgets.js';
import { assertBudget } from '../budgets.js';
import { BulkheadRejectedError } from '../errors/BulkheadRejectedError.js';
import { CircuitOpenError } from '../errors/CircuitOpenError.js';
import { RedisUnavailableError } from '../errors/RedisUnavailableError.js';
import { TimeoutError } from '../errors/TimeoutError.js';
import type { CallOutcome } from '../errors/brand.js';
import { type AmbientDeadline, liveDeadline, runOutsideDeadline, scheduleWithin } from '../internal/AmbientDeadline.js';
import { cancelDeadline, type DeadlineEntry, type DeadlineList } from '../internal/DeadlineQueue.js';
import { withTimeout } from '../withTimeout.js';
import { BlockingPool } from './BlockingPool.js';
import { blockingTimeoutMs } from './blockingTimeoutMs.js';
import { closeIoredisClient, destroyStream, isCluster } from './closeIoredisClient.js';
import { commandKind, isBlockingInvocation, usesScanBudget } from './commandKinds.js';
import { createIoredisClient, type IoredisClient, type IoredisModule, loadIoredis } from './createIoredisClient.js';
import { rejectUnknownKeys } from '../internal/rejectUnknownKeys.js';
import {
  BLOCKING_CALL_OPTION_KEYS,
  CALL_OPTION_KEYS,
  CLOSE_OPTION_KEYS,
  callOptionsError,
  type RedisBlockingCallOptions,
  type RedisCallOptions,
  type RedisCloseOptions,
  SCAN_ITERATOR_OPTION_KEYS,
  type ScanIteratorOptions,
} from './RedisCallOptions.js';
import { createRedisCommands, createSafeRedisCommands, type RedisCommands, type SafeRedisCommands } from './RedisCommands.js';
import { RedisBreaker } from './RedisBreaker.js';
import { type RedisMessageListener, RedisSubscriber, type RedisSubscription } from './RedisSubscriber.js';
import { type RedisHealth, type RedisHealthChange, RedisHealthMonitor, type RedisHealthState, type RedisPingResult } from './RedisHealthMonitor.js';
import { type RedisManagerOptions, type ResolvedRedisManagerOptions, resolveRedisManagerOptions } from './RedisManagerOptions.js';
import { type RedisCallOutcome, type RedisManagerStats, RedisStatsRecorder } from './RedisStats.js';
import { redactCredentials, redactError } from './redactCredentials.js';
import { deadlineRefusal, MIN_COMMAND_BUDGET_MS } from './deadlineRefusal.js';

export type { RedisMessageListener, RedisSubscription } from './RedisSubscriber.js';
export type { RedisCloseOptions, ScanIteratorOptions } from './RedisCallOptions.js';

/** Listener signatures of {@link RedisManager.on}. */
export interface RedisManagerEvents {
  /** The health state changed. */
  health: (change: RedisHealthChange) => void;
  /** The breaker changed state. */
  breaker: (state: 'closed' | 'open' | 'half-open') => void;
}

type ConnState = 'idle' | 'connecting' | 'ready' | 'down' | 'closed';

const enum Phase {
  /** Waiting for an in-flight slot. */
  Slot,
  /** Waiting for the connection to become ready. */
  Connection,
  /** Written to the socket, waiting for the reply. */
  Sent,
  /** Waiting before a retry. */
  Backoff,
  Done,
}

/** ioredis refusing a command because its socket is not writable (nothing was sent). */
const NOT_WRITABLE = /isn't writeable and enableOfflineQueue|isn't ready and enableOfflineQueue/;
const RETRYABLE_REPLY = /^(LOADING|TRYAGAIN|CLUSTERDOWN|MASTERDOWN)\b/;
const RAW_COMMAND_OPTIONS = { replyEncoding: 'utf8' } as const;

/**
 * One admitted command, from admission to its settlement; also its own deadline entry.
 *
 * On the fast path (connection ready, slot free) the caller gets `command.promise.then(…)`
 * directly: one promise more than raw ioredis. A deadline rejects the ioredis command itself
 * (as ioredis' own `commandTimeout` does: it stays queued so later replies still match). Only a
 * call that has to wait (for a connection, a slot or a retry) gets a deferred promise of its own.
 */
class PendingCall<T = unknown> implements DeadlineEntry {
  dlPrev: DeadlineEntry | null = null;
  dlNext: DeadlineEntry | null = null;
  dlList: DeadlineList | null = null;
  dlAt = 0;
  /** Intrusive list of admitted calls (for close()). */
  prev: PendingCall | null = null;
  next: PendingCall | null = null;
  phase = Phase.Connection;
  /** Attempts written to a socket: > 0 means a write may have been applied. */
  written = 0;
  attempt = 0;
  command: Command | undefined = undefined;
  backoff: NodeJS.Timeout | undefined = undefined;
  queued = false;
  raw = false;
  /** The ambient deadline (`withDeadline`) this call waits on instead of its own budget. */
  inherited: AmbientDeadline | undefined = undefined;
  resolve: ((value: T | PromiseLike<T>) => void) | undefined = undefined;
  reject: ((error: unknown) => void) | undefined = undefined;
  promise: Promise<T> | undefined = undefined;

  constructor(
    readonly manager: RedisManager,
    readonly name: string,
    readonly args: unknown[],
    readonly budgetMs: number,
    readonly started: number,
    readonly retries: number,
    readonly options: RedisCallOptions<T> | undefined,
  ) {}

  /** The call's own promise, made when it first has to wait. */
  deferred(): Promise<T> {
    this.promise ??= new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    return this.promise;
  }

  expire(now: number): void {
    this.manager._expire(this as unknown as PendingCall, now);
  }

  ready(): void {
    this.manager._connectionReady(this as unknown as PendingCall);
  }

  fail(reason: string): void {
    this.manager._connectionFailed(this as unknown as PendingCall, reason);
  }
}

/** Something waiting for the connection to become ready. */
interface ReadyWaiter {
  /** In the manager's waiter list and counted in `liveWaiters`. */
  queued: boolean;
  ready(): void;
  fail(reason: string): void;
}

/**
 * A pooled, bounded, observable Redis client. Services get one from `getRedisManager()` and use
 * `manager.redis.get(…)` instead of `new Redis()`:
 *
 * - lazy: nothing connects until the first command;
 * - every command runs under its category budget and settles by it (`TimeoutError` with
 *   `outcome` — `'not-sent'` or `'unknown'`), through a circuit breaker, within a bound on work in
 *   flight; reads retry with jittered backoff inside the same budget, writes never do by default;
 * - while Redis is down commands fail fast (`RedisUnavailableError`), there is no unbounded
 *   offline queue, and nothing becomes an unhandled rejection or an unhandled `'error'` event;
 * - blocking commands and pub/sub use a small pool of dedicated connections;
 * - a health monitor PINGs on an interval, reports `connecting/ready/degraded/down` and replaces a
 *   stalled connection; `close({ drainMs })` leaves no socket or timer behind.
 */
export class RedisManager implements AsyncDisposable {
  readonly name: string;
  /** The typed command facade. */
  readonly redis: RedisCommands;
  /** The same facade, never rejecting: a failure resolves the call's fallback, or `undefined`. */
  readonly safe: SafeRedisCommands;
  readonly budgets: Budgets;

  /** @internal */
  readonly options: ResolvedRedisManagerOptions;
  /** @internal Set by the registry. */
  _onClose: (() => void) | undefined = undefined;
  private io: IoredisModule | undefined;
  private client: IoredisClient | undefined;
  private connState: ConnState = 'idle';
  private lastError = '';
  private readonly waiters: ReadyWaiter[] = [];
  private liveWaiters = 0;
  private readonly slotQueue: PendingCall[] = [];
  private inFlight = 0;
  private callsHead: PendingCall | null = null;
  private lastReplyAt = 0;
  /** Timed-out commands since the last reply, each after a whole budget of silence. */
  private silentTimeouts = 0;
  private connectingSince = 0;
  private readonly breaker: RedisBreaker | undefined;
  private readonly stats_: RedisStatsRecorder;
  private readonly monitor: RedisHealthMonitor;
  private readonly pool: BlockingPool;
  private health_: RedisHealth;
  private readonly listeners: { [K in keyof RedisManagerEvents]: Set<RedisManagerEvents[K]> } = { health: new Set(), breaker: new Set() };
  private readonly subscriber: RedisSubscriber;
  private closePromise: Promise<void> | undefined;
  private drained: (() => void) | undefined;
  private readonly commandOptions: { replyEncoding: 'utf8'; keyPrefix?: string };
  private corked: { uncork(): void } | undefined = undefined;
  private readonly corkable: boolean;
  private readonly logTimes = new Map<string, { at: number; suppressed: number }>();
  /** Removes the in-flight gauge's callback (set when a meter is given). */
  private readonly unobserve: (() => void) | undefined;

  constructor(options: RedisManagerOptions = {}) {
    this.options = resolveRedisManagerOptions(options);
    this.name = this.options.name;
    this.budgets = this.options.budgets;
    this.corkable = this.options.mode !== 'cluster';
    this.commandOptions = this.options.keyPrefix === '' ? { replyEncoding: 'utf8' } : { replyEncoding: 'utf8', keyPrefix: this.options.keyPrefix };
    this.stats_ = new RedisStatsRecorder(this.name, this.options.meter);
    const b = this.options.breaker;
    this.breaker = b === false ? undefined : new RedisBreaker(b, this.options.breakerConsecutiveOnly, this.options.breakerHalfOpenOnPing, (state) => this.onBreakerChange(state));
    this.subscriber = new RedisSubscriber({
      open: (budget) => this.openDedicated(budget),
      timed: (fn, budget, operation) => this.timed(fn, budget, operation),
      closed: () => this.closePromise !== undefined,
      listenerFailed: (channel, err) =>
        this.logOnce(`listener:${channel}`, 'warn', `redis ${this.name}: a subscriber listener for "${channel}" threw: ${err instanceof Error ? err.message : String(err)}`, {}),
      budgetMs: this.budgets.redis,
    });
    this.monitor = new RedisHealthMonitor(this.options.healthIntervalMs, () => this.healthTick());
    this.pool = new BlockingPool((budget) => this.openDedicated(budget), this.options.blockingPool.max, this.options.blockingPool.maxWaiting, this.budgets.redis);
    this.health_ = {
      state: 'idle',
      since: Date.now(),
      connection: 'wait',
      breaker: this.breaker === undefined ? 'disabled' : 'closed',
      lastPing: undefined,
      reason: 'no command yet (lazy connect)',
      target: this.options.description,
    };
    this.redis = createRedisCommands(this);
    this.safe = createSafeRedisCommands(this.redis, (command, error) => this.logFailure(command, error, 'safe'));
    const gauge = this.options.meter?.createObservableGauge?.('asyncguard.redis.in_flight', { description: 'Redis commands in flight' });
    if (gauge !== undefined) {
      const observe = (result: { observe(value: number, attributes?: Record<string, string>): void }): void => result.observe(this.inFlight, { 'redis.manager': this.name });
      gauge.addCallback(observe);
      this.unobserve = () => gauge.removeCallback?.(observe);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Public API

  /** Runs any command (`manager.call('zadd', key, 1, 'a')`) under the budget of its category. */
  call<T = unknown>(command: string, ...args: unknown[]): Promise<T> {
    return this.callWith<T>(command, args, undefined);
  }

  /** {@link call} with per-call options (`{ fallback, budgetMs, retry }`). */
  callWith<T = unknown>(command: string, args: readonly unknown[], options: RedisCallOptions<T> | RedisBlockingCallOptions<T> | undefined): Promise<T> {
    if (typeof command !== 'string' || command === '') return Promise.reject(new TypeError('RedisManager.call: command must be a non-empty string'));
    const name = command.toLowerCase();
    const kind = commandKind(name);
    if (kind === 'subscribe') {
      return Promise.reject(new TypeError(`RedisManager.call: ${name.toUpperCase()} needs a dedicated connection; use manager.subscribe()`));
    }
    const blocking = kind === 'blocking' && isBlockingInvocation(name, args);
    const invalid = callOptionsError(options, blocking ? BLOCKING_CALL_OPTION_KEYS : CALL_OPTION_KEYS, name);
    if (invalid !== undefined) return Promise.reject(invalid);
    if (blocking) {
      let blockMs: number;
      try {
        blockMs = blockingTimeoutMs(name, args);
      } catch (err) {
        return Promise.reject(err);
      }
      return this.executeBlocking<T>(name, [...args], blockMs, options);
    }
    return this.execute<T>(name, [...args], options);
  }

  /** Current health (synchronous; updated by connection events and the PING monitor). */
  health(): RedisHealth {
    this.refreshHealth('');
    return { ...this.health_ };
  }

  /** Counts by outcome, latency percentiles, in-flight work, breaker state and pool use. */
  stats(): RedisManagerStats {
    return {
      calls: { ...this.stats_.counts },
      fallbacks: this.stats_.fallbacks,
      retries: this.stats_.retries,
      latency: this.stats_.latency.summary(),
      inFlight: this.inFlight,
      queued: this.slotQueue.length,
      breaker: this.breaker === undefined ? 'disabled' : this.breaker.state,
      pool: { size: this.pool.size, busy: this.pool.busy, waiting: this.pool.waiting, max: this.pool.max, subscriber: this.subscriber.client !== undefined },
    };
  }

  /** Subscribes to a manager event; returns the unsubscriber. */
  on<K extends keyof RedisManagerEvents>(event: K, listener: RedisManagerEvents[K]): () => void {
    const set = this.listeners[event] as Set<RedisManagerEvents[K]>;
    set.add(listener);
    return () => set.delete(listener);
  }

  /** The budget of `category` for this manager. */
  budget(category: BudgetCategory): number {
    return this.budgets[category];
  }

  /**
   * Queues commands on one pipeline and runs it under one budget (the `redis` budget unless
   * `budgetMs` is given). Resolves ioredis' `[error, result][]`. Never retried.
   */
  pipeline(build: (pipeline: ChainableCommander) => void, options?: RedisCallOptions<[Error | null, unknown][]>): Promise<[Error | null, unknown][]> {
    return this.runBatch('pipeline', build, options, false);
  }

  /** Like {@link pipeline} but wrapped in MULTI/EXEC; resolves `null` when a WATCH aborted it. */
  multi(build: (multi: ChainableCommander) => void, options?: RedisCallOptions<[Error | null, unknown][] | null>): Promise<[Error | null, unknown][] | null> {
    return this.runBatch('multi', build, options, true);
  }

  /**
   * Yields every key matching `pattern` (SCAN, on every master of a cluster). Each SCAN step has
   * its own budget; the key prefix, if any, is applied to the pattern and removed from the keys.
   */
  async *scanIterator(pattern = '*', options: ScanIteratorOptions = {}): AsyncGenerator<string, void, undefined> {
    if (typeof options !== 'object' || options === null) throw new TypeError('scanIterator: options must be an object');
    rejectUnknownKeys(options, SCAN_ITERATOR_OPTION_KEYS, 'scanIterator');
    const count = options.count ?? 100;
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`scanIterator: count must be a positive integer, got ${String(count)}`);
    const stepBudget = options.stepBudgetMs === undefined ? this.budgets.redisScan : assertBudget(options.stepBudgetMs, 'scanIterator: stepBudgetMs');
    const prefix = this.options.keyPrefix;
    const args = (cursor: string): unknown[] => {
      const a: unknown[] = [cursor, 'MATCH', prefix + pattern, 'COUNT', count];
      if (options.type !== undefined) a.push('TYPE', options.type);
      return a;
    };
    const strip = (key: string): string => (prefix !== '' && key.startsWith(prefix) ? key.slice(prefix.length) : key);
    await this.whenReady(stepBudget, 'redis.scan');
    const client = this.client;
    if (client !== undefined && isCluster(client)) {
      for (const node of client.nodes('master')) {
        let cursor = '0';
        do {
          const [next, keys] = await this.timed(() => node.scan(...(args(cursor) as [string])) as Promise<[string, string[]]>, stepBudget, 'redis.scan');
          cursor = next;
          for (const key of keys) yield strip(key);
        } while (cursor !== '0');
      }
      return;
    }
    let cursor = '0';
    do {
      // Raw SCAN (no prefix added by the command object: the pattern carries it).
      const [next, keys] = await this.execute<[string, string[]]>('scan', args(cursor), { budgetMs: stepBudget }, true);
      cursor = next;
      for (const key of keys) yield strip(key);
    } while (cursor !== '0');
  }

  /**
   * Delivers messages of `channels` to `listener` over a dedicated subscriber connection
   * (resubscribed after a reconnect). SUBSCRIBE itself runs under the `redis` budget.
   */
  async subscribe(channels: string | readonly string[], listener: RedisMessageListener): Promise<RedisSubscription> {
    const list = typeof channels === 'string' ? [channels] : [...channels];
    if (list.length === 0 || list.some((c) => typeof c !== 'string' || c === '')) throw new TypeError('subscribe: channels must be non-empty strings');
    if (typeof listener !== 'function') throw new TypeError('subscribe: listener must be a function');
    this.assertOpen('redis.subscribe');
    return this.subscriber.subscribe(list, listener);
  }

  /**
   * Stops accepting work, waits up to `drainMs` for commands in flight, then cuts the rest
   * (`RedisUnavailableError`, outcome `'unknown'`) and closes every connection. Resolves once the
   * sockets are closed and no timer of the manager is left. Safe to call twice.
   */
  close(options: RedisCloseOptions = {}): Promise<void> {
    if (typeof options !== 'object' || options === null) throw new TypeError('RedisManager.close: options must be an object');
    rejectUnknownKeys(options, CLOSE_OPTION_KEYS, 'RedisManager.close');
    const drainMs = options.drainMs === undefined ? 2000 : assertBudget(options.drainMs, 'RedisManager.close: drainMs');
    this.closePromise ??= this.shutdown(drainMs);
    return this.closePromise;
  }

  /** `await using manager = createRedisManager(…)`: `close()` (default drain) at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.closePromise !== undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // The command path

  /** @internal Used by the facade. */
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
    if (this.closePromise !== undefined) {
      return this.refuse('unavailable', new RedisUnavailableError({ operation: `redis.${name}`, reason: 'the manager is closed', outcome: 'not-sent' }), options, started);
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
        return this.refuse('rejected', new BulkheadRejectedError({ operation: `redis.${name}`, bulkhead: `redis:${this.name}`, reason: 'queue-full', maxConcurrent, maxQueue, elapsedMs: 0 }), options, started);
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
    const client = this.client;
    if (client !== undefined && client.status === 'ready') return this.dispatch(call, client);
    call.phase = Phase.Connection;
    const promise = call.deferred();
    this.awaitConnection(call);
    return promise;
  }

  /** Queues `waiter` until the connection is ready (bounded), or fails it at once when Redis is down. */
  private awaitConnection(waiter: ReadyWaiter): void {
    if (this.connState === 'idle') this.startConnecting();
    switch (this.connState) {
      case 'closed':
        failSoon(waiter, 'the manager is closed');
        return;
      case 'down':
        // Fail fast: the last connection attempt failed; the reconnect loop runs in the background.
        failSoon(waiter, this.lastError === '' ? 'Redis is down' : `Redis is down (${this.lastError})`);
        return;
      default:
        break;
    }
    if (this.liveWaiters >= this.options.bulkhead.maxQueue) {
      failSoon(waiter, `offline queue full (${this.options.bulkhead.maxQueue} commands waiting for a connection)`);
      return;
    }
    this.liveWaiters++;
    waiter.queued = true;
    // Waiters that left early (deadline) stay in the array until the next flush; compact it
    // when they pile up so a long reconnect can't grow it without bound.
    if (this.waiters.length > 2 * this.liveWaiters + 64) {
      const live = this.waiters.filter((w) => w.queued);
      this.waiters.length = 0;
      this.waiters.push(...live);
    }
    this.waiters.push(waiter);
  }

  private unqueue(waiter: ReadyWaiter): void {
    if (!waiter.queued) return;
    waiter.queued = false;
    this.liveWaiters--;
  }

  /** @internal The connection became ready while `call` waited. */
  _connectionReady(call: PendingCall): void {
    if (call.phase !== Phase.Connection) return;
    void this.route(call);
  }

  /** @internal Redis is down or closed while `call` waited (or when it arrived). */
  _connectionFailed(call: PendingCall, reason: string): void {
    if (call.phase !== Phase.Connection) return;
    const now = performance.now();
    // Redis being unreachable is what the breaker is for (a closed manager is not).
    if (this.closePromise === undefined) this.breaker?.failure();
    this.failDeferred(
      call,
      'unavailable',
      new RedisUnavailableError({
        operation: `redis.${call.name}`,
        reason: redactCredentials(reason, this.options.secrets),
        outcome: call.written > 0 ? 'unknown' : 'not-sent',
        elapsedMs: now - call.started,
        budgetMs: call.budgetMs,
      }),
      now,
    );
  }

  /** Writes the command; the returned promise settles the call (and its deferred, if any). */
  private dispatch(call: PendingCall, client: IoredisClient): Promise<unknown> {
    const io = this.io as IoredisModule;
    const command = new io.Command(call.name, call.args as never[], call.raw ? RAW_COMMAND_OPTIONS : this.commandOptions);
    call.command = command;
    call.phase = Phase.Sent;
    call.written++;
    if (this.corked === undefined && this.corkable) this.cork(client);
    client.sendCommand(command);
    const settled = command.promise.then(
      (value: unknown) => this.onReply(call, value),
      (error: unknown) => this.onCommandError(call, command, error),
    );
    if (call.resolve !== undefined) settled.then(call.resolve, call.reject);
    return settled;
  }

  /**
   * Holds the socket's writes until the end of the current tick, so the commands issued in one
   * tick leave in one `writev` instead of one syscall each (what dominates the client's CPU at
   * high concurrency). Standalone and Sentinel only; Cluster spreads commands over node sockets.
   */
  private cork(client: IoredisClient): void {
    const stream = (client as { stream?: { cork(): void; uncork(): void; writable?: boolean } }).stream;
    if (stream === undefined || stream.writable !== true) return;
    stream.cork();
    this.corked = stream;
    process.nextTick(this.uncork);
  }

  private readonly uncork = (): void => {
    const stream = this.corked;
    this.corked = undefined;
    stream?.uncork();
  };

  private onReply(call: PendingCall, value: unknown): unknown {
    const now = performance.now();
    this.lastReplyAt = now;
    this.silentTimeouts = 0;
    this.breaker?.success();
    this.finish(call, 'ok', now);
    return value;
  }

  /** Settles a failed attempt: retry, fallback, or rethrow (as a typed error). */
  private onCommandError(call: PendingCall, command: Command, error: unknown): unknown {
    if (call.phase === Phase.Done) {
      // The deadline (or close()) rejected the command with its own error, already counted.
      return this.afterFailure(call, error);
    }
    const now = performance.now();
    void command;
    if (error instanceof Error && error.name === 'ReplyError') {
      // The server answered: the connection is fine.
      this.lastReplyAt = now;
      this.silentTimeouts = 0;
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
    return this.afterFailure(
      call,
      new RedisUnavailableError({
        operation: `redis.${call.name}`,
        reason: redactCredentials(message, this.options.secrets),
        outcome: call.written > 0 ? 'unknown' : 'not-sent',
        elapsedMs: now - call.started,
        budgetMs: call.budgetMs,
        cause: redactError(error, this.options.secrets),
      }),
    );
  }

  /** The fallback's value, or a rethrow. */
  private afterFailure(call: PendingCall, error: unknown): unknown {
    const fallback = call.options?.fallback;
    if (fallback === undefined) throw error;
    return this.useFallback(call.name, error, fallback);
  }

  /** Schedules a retry inside the budget when the call allows one; returns its promise, or undefined. */
  private retryLater(call: PendingCall, now: number): Promise<unknown> | undefined {
    const retry = this.options.retry;
    if (retry === false || call.attempt >= call.retries || this.closePromise !== undefined) return undefined;
    const ceiling = Math.min(retry.maxDelayMs, retry.initialDelayMs * retry.factor ** call.attempt);
    const delay = retry.random() * ceiling;
    // Not worth it when the retry could not get a reply before the deadline.
    if (call.dlAt - now <= delay + 1) return undefined;
    call.attempt++;
    this.stats_.retries++;
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

  /** @internal The call's deadline passed. */
  _expire(call: PendingCall, now: number): void {
    const phase = call.phase;
    if (phase === Phase.Done) return;
    const operation = `redis.${call.name}`;
    if (phase === Phase.Slot) {
      const i = this.slotQueue.indexOf(call);
      if (i >= 0) this.slotQueue.splice(i, 1);
      call.phase = Phase.Done;
      const { maxConcurrent, maxQueue } = this.options.bulkhead;
      this.settleRefused(call, 'rejected', new BulkheadRejectedError({ operation, bulkhead: `redis:${this.name}`, reason: 'queue-timeout', maxConcurrent, maxQueue, budgetMs: call.budgetMs, elapsedMs: now - call.started }), now);
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
    const command = phase === Phase.Sent ? call.command : undefined;
    if (command !== undefined) {
      this.finish(call, 'timeout', now);
      // Rejects the caller's promise through onCommandError (which sees the call is done).
      command.reject(error);
      // Nothing has come back on this connection for a whole budget, for a second timed-out
      // command in a row: it is stalled or blackholed (one slow command alone is not enough).
      // Replace it; the commands still queued on it fail at once.
      if (now - this.lastReplyAt >= call.budgetMs && ++this.silentTimeouts >= 2) {
        this.recycle(`no reply for ${Math.round(now - this.lastReplyAt)} ms`);
      }
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
    this.unqueue(call);
    call.phase = Phase.Done;
    call.command = undefined;
    cancelDeadline(call);
    const { prev, next } = call;
    if (prev === null) this.callsHead = next;
    else prev.next = next;
    if (next !== null) next.prev = prev;
    call.prev = call.next = null;
    this.inFlight--;
    this.stats_.record(outcome, now - call.started);
    if (this.slotQueue.length > 0) {
      const queued = this.slotQueue.shift() as PendingCall;
      void this.admit(queued);
    }
    if (this.inFlight === 0 && this.drained !== undefined) this.drained();
  }

  /** Settles a call that was never admitted (its slot wait ended). */
  private settleRefused(call: PendingCall, outcome: RedisCallOutcome, error: unknown, now: number): void {
    this.breaker?.release(); // it never ran, so it can't be the breaker's trial
    this.stats_.record(outcome, now - call.started);
    const reject = call.reject as (error: unknown) => void;
    const resolve = call.resolve as (value: unknown) => void;
    const fallback = call.options?.fallback;
    if (fallback === undefined) reject(error);
    else this.useFallback(call.name, error, fallback).then(resolve, reject);
  }

  private refuse<T>(outcome: RedisCallOutcome, error: unknown, options: RedisCallOptions<T> | undefined, started: number): Promise<T> {
    this.stats_.record(outcome, performance.now() - started);
    const fallback = options?.fallback;
    if (fallback === undefined) return rejectSoon(error);
    return this.useFallback(commandOf(error), error, fallback);
  }

  private useFallback<T>(command: string, error: unknown, fallback: T | ((error: unknown) => T | PromiseLike<T>)): Promise<T> {
    this.stats_.fallbacks++;
    this.logFailure(command, error, 'fallback');
    try {
      return Promise.resolve(typeof fallback === 'function' ? (fallback as (error: unknown) => T | PromiseLike<T>)(error) : fallback);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Blocking commands

  /** @internal Runs a blocking command on a dedicated connection from the pool. */
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
    // The command's own timeout is respected: the budget is its block time plus one `redis`
    // budget of grace for the reply to travel.
    const budget = blockMs === 0 ? undefined : Math.min(2 ** 31 - 1, blockMs + this.budgets.redis);
    let reusable = false;
    try {
      const pending = client.call(name, ...(args as string[])) as Promise<T>;
      const value = budget === undefined ? await untilAborted(pending, signal as AbortSignal) : await withTimeout(pending, budget, { operation, signal, outcome: 'unknown' });
      reusable = true;
      this.stats_.record('ok', performance.now() - started);
      return value;
    } catch (err) {
      const isReply = err instanceof Error && err.name === 'ReplyError';
      reusable = isReply;
      const outcome: RedisCallOutcome = isReply ? 'replyError' : err instanceof TimeoutError ? 'timeout' : 'unavailable';
      const error =
        isReply || err instanceof TimeoutError || isAborted(signal)
          ? err
          : new RedisUnavailableError({ operation, reason: redactCredentials(err instanceof Error ? err.message : String(err), this.options.secrets), outcome: 'unknown', cause: redactError(err, this.options.secrets) });
      this.stats_.record(outcome, performance.now() - started);
      const fallback = options?.fallback;
      if (fallback === undefined || isAborted(signal)) throw error;
      return this.useFallback(name, error, fallback);
    } finally {
      this.pool.release(client, reusable);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Connections

  private startConnecting(): void {
    if (this.connState !== 'idle') return;
    // The connection and its health checks serve every caller: they must not inherit the
    // ambient deadline of the command that happened to start them.
    runOutsideDeadline(() => this.connect());
  }

  private connect(): void {
    this.setConnState('connecting', 'connecting');
    this.connectingSince = performance.now();
    loadIoredis().then(
      (io) => {
        if (this.closePromise !== undefined) return;
        this.io = io;
        const client = createIoredisClient(io, this.options);
        this.client = client;
        this.attach(client);
        this.monitor.start();
        client.connect().catch(() => {
          // Failures arrive as 'error'/'close' events, handled in attach().
        });
      },
      (err: unknown) => {
        this.markDown(err instanceof Error ? err.message : String(err));
      },
    );
  }

  private attach(client: IoredisClient): void {
    client.on('ready', () => {
      this.lastReplyAt = performance.now();
      this.silentTimeouts = 0;
      this.setConnState('ready', 'connected');
      const waiting = this.waiters.splice(0);
      for (const w of waiting) {
        if (!w.queued) continue;
        this.unqueue(w);
        w.ready();
      }
    });
    client.on('error', (err: Error) => {
      const message = redactCredentials(err.message, this.options.secrets);
      if (client.status !== 'ready') {
        // A connect attempt failed: fail fast until the reconnect loop gets through.
        this.markDown(message);
      }
      this.logOnce(`error:${message}`, 'warn', `redis ${this.name}: ${message}`, { target: this.options.description });
    });
    // Cluster reports node-level failures separately.
    client.on('node error', (err: Error) => {
      this.logOnce(`node:${err.message}`, 'warn', `redis ${this.name} cluster node: ${redactCredentials(err.message, this.options.secrets)}`, {});
    });
    client.on('close', () => {
      if (this.connState === 'ready') {
        this.connectingSince = performance.now();
        this.setConnState('connecting', 'connection closed; reconnecting');
      }
    });
    client.on('connecting', () => {
      this.connectingSince = performance.now();
    });
    client.on('reconnecting', () => {
      if (this.connState === 'ready') this.setConnState('connecting', 'reconnecting');
    });
    client.on('end', () => {
      if (this.closePromise === undefined) this.markDown('connection ended');
    });
  }

  private markDown(reason: string): void {
    this.lastError = reason;
    if (this.connState === 'closed') return;
    this.setConnState('down', reason);
    const waiting = this.waiters.splice(0);
    for (const w of waiting) {
      if (!w.queued) continue;
      this.unqueue(w);
      w.fail(`Redis is down (${reason})`);
    }
  }

  private setConnState(state: ConnState, reason: string): void {
    this.connState = state;
    this.refreshHealth(reason);
  }

  /** Replaces a stalled connection: destroying the socket fails what was queued on it at once. */
  private recycle(reason: string): void {
    const client = this.client;
    if (client === undefined || this.closePromise !== undefined) return;
    this.logOnce('recycle', 'warn', `redis ${this.name}: replacing a stalled connection (${reason})`, { target: this.options.description });
    this.lastReplyAt = performance.now();
    this.silentTimeouts = 0;
    if (isCluster(client)) {
      for (const node of client.nodes('all')) destroyStream(node);
    } else {
      destroyStream(client);
    }
    this.markDown(reason);
  }

  /** Opens a dedicated connection (blocking pool, subscriber) within `budgetMs`. */
  private async openDedicated(budgetMs: number): Promise<IoredisClient> {
    const io = this.io ?? (this.io = await loadIoredis());
    const client = createIoredisClient(io, this.options);
    client.on('error', (err: Error) => {
      this.logOnce(`dedicated:${err.message}`, 'warn', `redis ${this.name} (dedicated connection): ${redactCredentials(err.message, this.options.secrets)}`, {});
    });
    try {
      await withTimeout(client.connect(), budgetMs, { operation: 'redis.connect', outcome: 'not-sent' });
    } catch (err) {
      client.disconnect();
      if (err instanceof TimeoutError) throw err;
      throw new RedisUnavailableError({ operation: 'redis.connect', reason: redactCredentials(err instanceof Error ? err.message : String(err), this.options.secrets), outcome: 'not-sent', cause: redactError(err, this.options.secrets) });
    }
    return client;
  }

  /** Resolves when the shared connection is ready, within `budgetMs`; for non-hot paths. */
  private whenReady(budgetMs: number, operation: string): Promise<void> {
    this.assertOpen(operation);
    if (this.client !== undefined && this.client.status === 'ready') return Promise.resolve();
    const started = performance.now();
    return new Promise<void>((resolve, reject) => {
      const st: { settled: boolean; timer: NodeJS.Timeout | undefined } = { settled: false, timer: undefined };
      const waiter: ReadyWaiter = {
        queued: false,
        ready: () => {
          if (st.settled) return;
          st.settled = true;
          clearTimeout(st.timer);
          resolve();
        },
        fail: (reason) => {
          if (st.settled) return;
          st.settled = true;
          clearTimeout(st.timer);
          reject(new RedisUnavailableError({ operation, reason: redactCredentials(reason, this.options.secrets), outcome: 'not-sent', elapsedMs: performance.now() - started, budgetMs }));
        },
      };
      this.awaitConnection(waiter);
      if (st.settled) return;
      st.timer = setTimeout(() => {
        if (st.settled) return;
        st.settled = true;
        this.unqueue(waiter);
        reject(new TimeoutError({ operation, budgetMs, elapsedMs: performance.now() - started, outcome: 'not-sent' }));
      }, budgetMs);
    });
  }

  /** Runs `fn` under `budgetMs` through the breaker, recording stats (non-hot paths). */
  private async timed<T>(fn: () => Promise<T>, budgetMs: number, operation: string, outcome: CallOutcome = 'unknown'): Promise<T> {
    const started = performance.now();
    if (this.breaker !== undefined && !this.breaker.tryPass()) {
      this.stats_.record('circuitOpen', 0);
      throw this.breaker.openError(operation);
    }
    try {
      const value = await withTimeout(fn, budgetMs, { operation, outcome });
      this.breaker?.success();
      this.stats_.record('ok', performance.now() - started);
      return value;
    } catch (err) {
      const isReply = err instanceof Error && err.name === 'ReplyError';
      if (isReply) {
        this.breaker?.success();
        this.stats_.record('replyError', performance.now() - started);
        throw err;
      }
      this.breaker?.failure();
      if (err instanceof TimeoutError) {
        this.stats_.record('timeout', performance.now() - started);
        throw err;
      }
      this.stats_.record('unavailable', performance.now() - started);
      throw new RedisUnavailableError({ operation, reason: redactCredentials(err instanceof Error ? err.message : String(err), this.options.secrets), outcome, cause: redactError(err, this.options.secrets) });
    }
  }

  private async runBatch<R>(kind: 'pipeline' | 'multi', build: (p: ChainableCommander) => void, options: RedisCallOptions<R> | undefined, transaction: boolean): Promise<R> {
    const operation = `redis.${kind}`;
    const started = performance.now();
    if (typeof build !== 'function') throw new TypeError(`${kind}: build must be a function that queues commands`);
    const invalid = callOptionsError(options, CALL_OPTION_KEYS, kind);
    if (invalid !== undefined) throw invalid;
    const budgetMs = options?.budgetMs === undefined ? this.budgets.redis : assertBudget(options.budgetMs, `${operation} budgetMs`);
    try {
      await this.whenReady(budgetMs, operation);
      const client = this.client as IoredisClient;
      const batch = transaction ? client.multi() : client.pipeline();
      build(batch);
      const remaining = Math.max(0, budgetMs - (performance.now() - started));
      return (await this.timed(() => batch.exec() as Promise<unknown>, remaining, operation)) as R;
    } catch (err) {
      const fallback = options?.fallback;
      if (fallback === undefined) throw err;
      return this.useFallback(kind, err, fallback);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Health

  private async healthTick(): Promise<void> {
    const client = this.client;
    if (client === undefined || this.closePromise !== undefined) return;
    const status = client.status;
    if (status === 'end') {
      // ioredis gave up (e.g. every sentinel failed): start over.
      client.connect().catch(() => undefined);
      return;
    }
    if (status !== 'ready') {
      // TCP up but the handshake never completed (a stalled server accepts connections).
      if ((status === 'connect' || status === 'connecting') && performance.now() - this.connectingSince > this.options.connectTimeoutMs) {
        this.recycle(`handshake not completed within ${this.options.connectTimeoutMs} ms`);
      }
      return;
    }
    const started = performance.now();
    let result: RedisPingResult;
    try {
      await this.pingRaw(client, Math.min(this.budgets.redis, 2000));
      const ms = performance.now() - started;
      result = { ok: true, ms, at: Date.now() };
      this.breaker?.probe(true);
    } catch (err) {
      const ms = performance.now() - started;
      const message = redactCredentials(err instanceof Error ? err.message : String(err), this.options.secrets);
      result = { ok: false, ms, at: Date.now(), error: message };
      this.breaker?.probe(false);
      if (err instanceof TimeoutError) this.recycle(`PING got no answer within ${Math.round(ms)} ms`);
    }
    this.health_.lastPing = result;
    this.refreshHealth(result.ok ? (result.ms > this.options.slowPingMs ? `slow PING (${Math.round(result.ms)} ms)` : 'PING ok') : `PING failed: ${result.error ?? ''}`);
  }

  /** A PING outside the breaker and the bulkhead (it is how the breaker learns Redis is back). */
  private pingRaw(client: IoredisClient, budgetMs: number): Promise<unknown> {
    const io = this.io as IoredisModule;
    const command = new io.Command('ping', [], { replyEncoding: 'utf8' });
    client.sendCommand(command);
    command.promise.then(
      () => {
        this.lastReplyAt = performance.now();
        this.silentTimeouts = 0;
      },
      () => undefined,
    );
    return withTimeout(command.promise, budgetMs, { operation: 'redis.ping', outcome: 'unknown' });
  }

  private refreshHealth(reason: string): void {
    const previous = this.health_.state;
    const breaker = this.breaker === undefined ? 'disabled' : this.breaker.state;
    const ping = this.health_.lastPing;
    let state: RedisHealthState;
    switch (this.connState) {
      case 'idle':
        state = 'idle';
        break;
      case 'closed':
        state = 'closed';
        break;
      case 'down':
        state = 'down';
        break;
      case 'connecting':
        state = 'connecting';
        break;
      case 'ready':
        state = breaker === 'open' || breaker === 'half-open' || (ping !== undefined && (!ping.ok || ping.ms > this.options.slowPingMs)) ? 'degraded' : 'ready';
        break;
    }
    this.health_.connection = this.client?.status ?? 'wait';
    this.health_.breaker = breaker;
    if (reason !== '') this.health_.reason = reason;
    if (state === previous) return;
    this.health_.state = state;
    this.health_.since = Date.now();
    const change: RedisHealthChange = { from: previous, to: state, health: { ...this.health_ } };
    const level = state === 'down' || state === 'degraded' ? 'warn' : 'info';
    this.log(level, `redis ${this.name}: ${previous} → ${state} (${this.health_.reason})`, { target: this.options.description });
    for (const l of this.listeners.health) {
      try {
        l(change);
      } catch {
        // A listener's failure must not break the manager.
      }
    }
  }

  private onBreakerChange(state: 'closed' | 'open' | 'half-open'): void {
    this.refreshHealth(`breaker ${state}`);
    for (const l of this.listeners.breaker) {
      try {
        l(state);
      } catch {
        // ignore
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Shutdown

  private async shutdown(drainMs: number): Promise<void> {
    this._onClose?.();
    this.monitor.stop();
    // Calls waiting for a slot or a connection were never sent: refuse them now.
    const now = performance.now();
    for (const call of this.slotQueue.splice(0)) {
      call.phase = Phase.Done;
      cancelDeadline(call);
      this.settleRefused(call, 'unavailable', new RedisUnavailableError({ operation: `redis.${call.name}`, reason: 'the manager is closing', outcome: 'not-sent' }), now);
    }
    for (const w of this.waiters.splice(0)) {
      if (!w.queued) continue;
      this.unqueue(w);
      w.fail('the manager is closing');
    }
    for (let call = this.callsHead; call !== null; call = call.next) {
      if (call.phase === Phase.Backoff) {
        clearTimeout(call.backoff);
        call.backoff = undefined;
        call.phase = Phase.Connection; // settled below through its deferred
      }
    }
    if (this.inFlight > 0 && drainMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, drainMs);
        this.drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.drained = undefined;
    }
    // Cut what is left.
    const cutAt = performance.now();
    for (let call = this.callsHead; call !== null; ) {
      const next = call.next;
      const error = new RedisUnavailableError({ operation: `redis.${call.name}`, reason: 'the manager closed before the reply', outcome: call.written > 0 ? 'unknown' : 'not-sent' });
      const command = call.phase === Phase.Sent ? call.command : undefined;
      if (command !== undefined) {
        this.finish(call, 'unavailable', cutAt);
        command.reject(error);
      } else {
        this.failDeferred(call, 'unavailable', error, cutAt);
      }
      call = next;
    }
    this.setConnState('closed', 'closed');
    this.pool.close();
    const clients = [this.client, this.subscriber.client].filter((c): c is IoredisClient => c !== undefined);
    await Promise.all(clients.map((c) => closeIoredisClient(c)));
    this.unobserve?.();
    this.logTimes.clear();
  }

  private assertOpen(operation: string): void {
    if (this.closePromise !== undefined) throw new RedisUnavailableError({ operation, reason: 'the manager is closed', outcome: 'not-sent' });
  }

  // ---------------------------------------------------------------------------------------------
  // Logging (always redacted, rate-limited per message kind)

  private log(level: 'debug' | 'info' | 'warn' | 'error', message: string, meta: Record<string, unknown>): void {
    const logger = this.options.logger;
    if (logger === undefined) return;
    const text = redactCredentials(message, this.options.secrets);
    try {
      logger[level]({ manager: this.name, ...meta }, text);
    } catch {
      // A broken logger must not break Redis calls.
    }
  }

  /** Logs `message` at most once a second per `key`, counting what it suppressed. */
  private logOnce(key: string, level: 'warn' | 'info', message: string, meta: Record<string, unknown>): void {
    const now = Date.now();
    const entry = this.logTimes.get(key);
    if (entry !== undefined && now - entry.at < 1000) {
      entry.suppressed++;
      return;
    }
    const suppressed = entry?.suppressed ?? 0;
    if (this.logTimes.size > 1000) this.logTimes.clear();
    this.logTimes.set(key, { at: now, suppressed: 0 });
    this.log(level, message, suppressed > 0 ? { ...meta, suppressed } : meta);
  }

  private logFailure(command: string, error: unknown, via: 'fallback' | 'safe'): void {
    const reason = error instanceof Error ? error.name : typeof error;
    const message = error instanceof Error ? error.message : String(error);
    this.logOnce(`${via}:${command}:${reason}`, 'warn', `redis ${this.name}: ${command} failed (${reason}); ${via === 'fallback' ? 'using its fallback' : 'safe facade returned undefined'}`, {
      command,
      reason,
      error: redactCredentials(message, this.options.secrets),
    });
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

function failSoon(waiter: ReadyWaiter, reason: string): void {
  setImmediate(() => waiter.fail(reason));
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** Waits for `pending` until `signal` aborts. */
function untilAborted<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
