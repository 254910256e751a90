import { RedisUnavailableError } from '../errors/RedisUnavailableError.js';
import type { IoredisClient } from './createIoredisClient.js';

export interface RedisSubscription {
  readonly channels: readonly string[];
  /** Stops delivering to this listener (UNSUBSCRIBE when it was the last one), within the `redis` budget. */
  unsubscribe(): Promise<void>;
}

export type RedisMessageListener = (message: string, channel: string) => void;

/** What the subscriber needs from its manager. @internal */
export interface RedisSubscriberHost {
  /** Opens a dedicated connection within `budgetMs`. */
  open(budgetMs: number): Promise<IoredisClient>;
  /** Runs `fn` under `budgetMs` through the manager's breaker and stats. */
  timed<T>(fn: () => Promise<T>, budgetMs: number, operation: string): Promise<T>;
  closed(): boolean;
  /** A listener threw: the manager logs it; delivery to the others goes on. */
  listenerFailed(channel: string, error: unknown): void;
  readonly budgetMs: number;
}

/**
 * Pub/sub on one dedicated subscriber connection (a connection in subscriber mode can run
 * nothing else): listeners per channel, SUBSCRIBE only for channels new to the connection,
 * UNSUBSCRIBE when a channel's last listener leaves. ioredis resubscribes after a reconnect.
 * @internal
 */
export class RedisSubscriber {
  private connection: IoredisClient | undefined;
  private opening: Promise<IoredisClient> | undefined;
  private readonly listeners = new Map<string, Set<RedisMessageListener>>();

  constructor(private readonly host: RedisSubscriberHost) {}

  /** The subscriber connection, once opened. */
  get client(): IoredisClient | undefined {
    return this.connection;
  }

  async subscribe(channels: readonly string[], listener: RedisMessageListener): Promise<RedisSubscription> {
    const sub = await this.connect();
    const fresh = channels.filter((c) => !this.listeners.has(c));
    for (const c of channels) {
      let set = this.listeners.get(c);
      if (set === undefined) this.listeners.set(c, (set = new Set()));
      set.add(listener);
    }
    if (fresh.length > 0) {
      try {
        await this.host.timed(() => sub.subscribe(...fresh), this.host.budgetMs, 'redis.subscribe');
      } catch (err) {
        for (const c of channels) this.listeners.get(c)?.delete(listener);
        for (const c of fresh) if (this.listeners.get(c)?.size === 0) this.listeners.delete(c);
        throw err;
      }
    }
    let active = true;
    return {
      channels: [...channels],
      unsubscribe: async () => {
        if (!active) return;
        active = false;
        const empty: string[] = [];
        for (const c of channels) {
          const set = this.listeners.get(c);
          set?.delete(listener);
          if (set?.size === 0) {
            this.listeners.delete(c);
            empty.push(c);
          }
        }
        const s = this.connection;
        if (empty.length > 0 && s !== undefined && s.status === 'ready' && !this.host.closed()) {
          await this.host.timed(() => s.unsubscribe(...empty), this.host.budgetMs, 'redis.unsubscribe');
        }
      },
    };
  }

  private connect(): Promise<IoredisClient> {
    this.opening ??= this.host.open(this.host.budgetMs).then(
      (client) => {
        if (this.host.closed()) {
          client.disconnect();
          throw new RedisUnavailableError({ operation: 'redis.subscribe', reason: 'the manager is closed', outcome: 'not-sent' });
        }
        this.connection = client;
        client.on('message', (channel: string, message: string) => this.deliver(channel, message));
        return client;
      },
      (err: unknown) => {
        this.opening = undefined;
        throw err;
      },
    );
    return this.opening;
  }

  private deliver(channel: string, message: string): void {
    const set = this.listeners.get(channel);
    if (set === undefined) return;
    for (const listener of set) {
      try {
        listener(message, channel);
      } catch (err) {
        this.host.listenerFailed(channel, err);
      }
    }
  }
}
