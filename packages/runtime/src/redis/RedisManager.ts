import type { ChainableCommander } from 'ioredis';
import type { BudgetCategory, Budgets } from '../budgets.js';
import { assertBudget } from '../budgets.js';
import { rejectUnknownKeys } from '../internal/rejectUnknownKeys.js';
import { BlockingPool } from './BlockingPool.js';
import { blockingTimeoutMs } from './blockingTimeoutMs.js';
import { closeIoredisClient, isCluster } from './closeIoredisClient.js';
import { commandKind, isBlockingInvocation } from './commandKinds.js';
import type { IoredisClient } from './createIoredisClient.js';
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
import { RedisCommandPath } from './RedisCommandPath.js';
import { createRedisCommands, createSafeRedisCommands, type RedisCommands, type SafeRedisCommands } from './RedisCommands.js';
import { RedisBreaker } from './RedisBreaker.js';
import { RedisConnection } from './RedisConnection.js';
import { type RedisHealth, type RedisHealthChange, RedisHealthMonitor } from './RedisHealthMonitor.js';
import { RedisLog } from './RedisLog.js';
import { type RedisManagerOptions, type ResolvedRedisManagerOptions, resolveRedisManagerOptions } from './RedisManagerOptions.js';
import { type RedisManagerStats, RedisStatsRecorder } from './RedisStats.js';
import { type RedisMessageListener, RedisSubscriber, type RedisSubscription } from './RedisSubscriber.js';
import { TimedOperations } from './TimedOperations.js';
import { unavailableError } from './unavailableError.js';

export type { RedisMessageListener, RedisSubscription } from './RedisSubscriber.js';
export type { RedisCloseOptions, ScanIteratorOptions } from './RedisCallOptions.js';

/** Listener signatures of {@link RedisManager.on}. */
export interface RedisManagerEvents {
  /** The health state changed. */
  health: (change: RedisHealthChange) => void;
  /** The breaker changed state. */
  breaker: (state: 'closed' | 'open' | 'half-open') => void;
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
  private readonly log: RedisLog;
  private readonly connection: RedisConnection;
  private readonly path: RedisCommandPath;
  private readonly ops: TimedOperations;
  private readonly breaker: RedisBreaker | undefined;
  private readonly stats_: RedisStatsRecorder;
  private readonly monitor: RedisHealthMonitor;
  private readonly pool: BlockingPool;
  private readonly subscriber: RedisSubscriber;
  private readonly listeners: { [K in keyof RedisManagerEvents]: Set<RedisManagerEvents[K]> };
  private closePromise: Promise<void> | undefined;
  /** Removes the in-flight gauge's callback (set when a meter is given). */
  private readonly unobserve: (() => void) | undefined;

  constructor(options: RedisManagerOptions = {}) {
    this.options = resolveRedisManagerOptions(options);
    this.name = this.options.name;
    this.budgets = this.options.budgets;
    this.log = new RedisLog(this.name, this.options.logger, this.options.secrets);
    this.stats_ = new RedisStatsRecorder(this.name, this.options.meter);
    const b = this.options.breaker;
    this.breaker = b === false ? undefined : new RedisBreaker(b, this.options.breakerConsecutiveOnly, this.options.breakerHalfOpenOnPing, (state) => this.onBreakerChange(state));
    // Dependencies point one way: the monitor, the pool, the command path and the subscriber take
    // the connection; it knows only the ConnectionObserver interface the monitor implements.
    this.connection = new RedisConnection(this.options, this.log);
    this.monitor = new RedisHealthMonitor(this.connection, this.breaker, this.options, this.log);
    this.connection.observer = this.monitor;
    this.listeners = { health: this.monitor.listeners, breaker: new Set() };
    this.pool = new BlockingPool(this.connection, this.options.blockingPool.max, this.options.blockingPool.maxWaiting, this.budgets.redis);
    this.path = new RedisCommandPath(this.connection, this.breaker, this.pool, this.stats_, this.log, this.options);
    this.ops = new TimedOperations(this.breaker, this.stats_, this.options.secrets);
    this.subscriber = new RedisSubscriber(this.connection, this.ops, this.log, this.budgets.redis);
    this.redis = createRedisCommands(this.path);
    this.safe = createSafeRedisCommands(this.redis, (command, error) => this.log.failure(command, error, 'safe'));
    const gauge = this.options.meter?.createObservableGauge?.('asyncguard.redis.in_flight', { description: 'Redis commands in flight' });
    if (gauge !== undefined) {
      const observe = (result: { observe(value: number, attributes?: Record<string, string>): void }): void => result.observe(this.path.inFlight, { 'redis.manager': this.name });
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
      return this.path.executeBlocking<T>(name, [...args], blockMs, options);
    }
    return this.path.execute<T>(name, [...args], options);
  }

  /** Current health (synchronous; updated by connection events and the PING monitor). */
  health(): RedisHealth {
    return this.monitor.snapshot();
  }

  /** Counts by outcome, latency percentiles, in-flight work, breaker state and pool use. */
  stats(): RedisManagerStats {
    return {
      calls: { ...this.stats_.counts },
      fallbacks: this.stats_.fallbacks,
      retries: this.stats_.retries,
      latency: this.stats_.latency.summary(),
      inFlight: this.path.inFlight,
      queued: this.path.slotQueue.length,
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
    const client = this.connection.client;
    if (client !== undefined && isCluster(client)) {
      for (const node of client.nodes('master')) {
        let cursor = '0';
        do {
          const [next, keys] = await this.ops.timed(() => node.scan(...(args(cursor) as [string])) as Promise<[string, string[]]>, stepBudget, 'redis.scan');
          cursor = next;
          for (const key of keys) yield strip(key);
        } while (cursor !== '0');
      }
      return;
    }
    let cursor = '0';
    do {
      // Raw SCAN (no prefix added by the command object: the pattern carries it).
      const [next, keys] = await this.path.execute<[string, string[]]>('scan', args(cursor), { budgetMs: stepBudget }, true);
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
  // Internals

  /** @internal The command path's entry (the facade calls the path directly). */
  execute<T>(name: string, args: unknown[], options: RedisCallOptions<T> | undefined, raw = false): Promise<T> {
    return this.path.execute<T>(name, args, options, raw);
  }

  /** @internal Runs a blocking command on a dedicated connection from the pool. */
  executeBlocking<T>(name: string, args: unknown[], blockMs: number, options: RedisBlockingCallOptions<T> | undefined): Promise<T> {
    return this.path.executeBlocking<T>(name, args, blockMs, options);
  }

  /** Resolves when the shared connection is ready, within `budgetMs`; for non-hot paths. */
  private whenReady(budgetMs: number, operation: string): Promise<void> {
    this.assertOpen(operation);
    return this.connection.whenReady(budgetMs, operation);
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
      const client = this.connection.client as IoredisClient;
      const batch = transaction ? client.multi() : client.pipeline();
      build(batch);
      const remaining = Math.max(0, budgetMs - (performance.now() - started));
      return (await this.ops.timed(() => batch.exec() as Promise<unknown>, remaining, operation)) as R;
    } catch (err) {
      const fallback = options?.fallback;
      if (fallback === undefined) throw err;
      return this.path.useFallback(kind, err, fallback);
    }
  }

  private onBreakerChange(state: 'closed' | 'open' | 'half-open'): void {
    this.monitor.refresh(`breaker ${state}`);
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
    // New calls are refused, nothing is retried, reconnected or replaced any more.
    this.path.closing = true;
    this.connection.closing = true;
    // Calls waiting for a slot or a connection were never sent: refuse them now.
    this.path.refuseWaiting(performance.now());
    this.connection.failWaiters('the manager is closing');
    this.path.cancelRetries();
    await this.path.drain(drainMs);
    // Cut what is left.
    this.path.cutRemaining();
    this.connection.markClosed();
    this.pool.close();
    const clients = [this.connection.client, this.subscriber.client].filter((c): c is IoredisClient => c !== undefined);
    await Promise.all(clients.map((c) => closeIoredisClient(c)));
    this.unobserve?.();
    this.log.clear();
  }

  private assertOpen(operation: string): void {
    if (this.closePromise !== undefined) throw unavailableError(operation, 'the manager is closed', 'not-sent', this.options.secrets);
  }
}
