import { TimeoutError } from '../errors/TimeoutError.js';
import { redactCredentials } from './redactCredentials.js';
import type { RedisBreaker } from './RedisBreaker.js';
import type { ConnectionObserver, RedisConnection } from './RedisConnection.js';
import type { RedisLog } from './RedisLog.js';
import type { ResolvedRedisManagerOptions } from './RedisManagerOptions.js';

/** The manager's view of its connection. */
export type RedisHealthState =
  /** Nothing asked for Redis yet (lazy: no connection is opened before the first command). */
  | 'idle'
  /** Connecting for the first time, or reconnecting after a drop. */
  | 'connecting'
  /** Connected, the last PING answered quickly and the breaker is closed. */
  | 'ready'
  /** Connected, but PINGs are slow or the breaker is not closed. */
  | 'degraded'
  /** Connection attempts fail or a PING got no answer within its budget. */
  | 'down'
  /** `close()` was called. */
  | 'closed';

export interface RedisPingResult {
  ok: boolean;
  /** Round trip (or time until failure) in ms. */
  ms: number;
  /** `Date.now()` when the PING settled. */
  at: number;
  /** Redacted error message when it failed. */
  error?: string;
}

export interface RedisHealth {
  state: RedisHealthState;
  /** `Date.now()` when `state` last changed. */
  since: number;
  /** ioredis connection status (`wait`, `connecting`, `ready`, `reconnecting`, `end`, …). */
  connection: string;
  breaker: 'closed' | 'open' | 'half-open' | 'disabled';
  lastPing: RedisPingResult | undefined;
  /** Why the state is what it is (redacted). */
  reason: string;
  /** `redis://host:port/db`, never with credentials. */
  target: string;
}

export interface RedisHealthChange {
  from: RedisHealthState;
  to: RedisHealthState;
  health: RedisHealth;
}

/**
 * Watches the shared connection: keeps the manager's {@link RedisHealth} (from the connection's
 * state, the breaker and the last PING), tells the `health` listeners when its state changes, and
 * every `healthIntervalMs` (never two at once, on an unref'd timer, so the monitor alone never
 * keeps a process alive) PINGs the connection, replacing it when the PING gets no answer or the
 * handshake never completes. @internal
 */
export class RedisHealthMonitor implements ConnectionObserver {
  /** The manager's `health` listeners. */
  readonly listeners = new Set<(change: RedisHealthChange) => void>();
  private readonly health: RedisHealth;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;

  constructor(
    private readonly connection: RedisConnection,
    private readonly breaker: RedisBreaker | undefined,
    private readonly options: ResolvedRedisManagerOptions,
    private readonly log: RedisLog,
  ) {
    this.health = {
      state: 'idle',
      since: Date.now(),
      connection: 'wait',
      breaker: breaker === undefined ? 'disabled' : 'closed',
      lastPing: undefined,
      reason: 'no command yet (lazy connect)',
      target: options.description,
    };
  }

  get active(): boolean {
    return this.timer !== undefined;
  }

  /** The current health (a copy). */
  snapshot(): RedisHealth {
    this.refresh('');
    return { ...this.health };
  }

  connectionCreated(): void {
    this.start();
  }

  connectionChanged(reason: string): void {
    this.refresh(reason);
  }

  start(): void {
    const intervalMs = this.options.healthIntervalMs;
    if (this.stopped || this.timer !== undefined || intervalMs === 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = true;
      this.tick().then(
        () => {
          this.running = false;
        },
        () => {
          this.running = false;
        },
      );
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    const connection = this.connection;
    const client = connection.client;
    if (client === undefined || connection.closing) return;
    const status = client.status;
    if (status === 'end') {
      // ioredis gave up (e.g. every sentinel failed): start over.
      client.connect().catch(() => undefined);
      return;
    }
    const { connectTimeoutMs, slowPingMs } = this.options;
    if (status !== 'ready') {
      // TCP up but the handshake never completed (a stalled server accepts connections).
      if ((status === 'connect' || status === 'connecting') && performance.now() - connection.connectingSince > connectTimeoutMs) {
        connection.recycle(`handshake not completed within ${connectTimeoutMs} ms`);
      }
      return;
    }
    const started = performance.now();
    let result: RedisPingResult;
    try {
      await connection.ping(client, Math.min(this.options.budgets.redis, 2000));
      const ms = performance.now() - started;
      result = { ok: true, ms, at: Date.now() };
      this.breaker?.probe(true);
    } catch (err) {
      const ms = performance.now() - started;
      const message = redactCredentials(err instanceof Error ? err.message : String(err), this.options.secrets);
      result = { ok: false, ms, at: Date.now(), error: message };
      this.breaker?.probe(false);
      if (err instanceof TimeoutError) connection.recycle(`PING got no answer within ${Math.round(ms)} ms`);
    }
    this.health.lastPing = result;
    this.refresh(result.ok ? (result.ms > slowPingMs ? `slow PING (${Math.round(result.ms)} ms)` : 'PING ok') : `PING failed: ${result.error ?? ''}`);
  }

  /** Recomputes the state; `reason`, when not empty, becomes the health's reason. */
  refresh(reason: string): void {
    const health = this.health;
    const previous = health.state;
    const breaker = this.breaker === undefined ? 'disabled' : this.breaker.state;
    const ping = health.lastPing;
    let state: RedisHealthState;
    switch (this.connection.state) {
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
    health.connection = this.connection.client?.status ?? 'wait';
    health.breaker = breaker;
    if (reason !== '') health.reason = reason;
    if (state === previous) return;
    health.state = state;
    health.since = Date.now();
    const change: RedisHealthChange = { from: previous, to: state, health: { ...health } };
    const level = state === 'down' || state === 'degraded' ? 'warn' : 'info';
    this.log.log(level, `redis ${this.options.name}: ${previous} → ${state} (${health.reason})`, { target: this.options.description });
    for (const l of this.listeners) {
      try {
        l(change);
      } catch {
        // A listener's failure must not break the manager.
      }
    }
  }
}
