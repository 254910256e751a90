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
 * Runs `ping` every `intervalMs` (never two at once) on an unref'd timer, so the monitor alone
 * never keeps a process alive. @internal
 */
export class RedisHealthMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly tick: () => Promise<void>,
  ) {}

  get active(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (this.stopped || this.timer !== undefined || this.intervalMs === 0) return;
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
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
