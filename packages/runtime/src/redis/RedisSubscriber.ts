import type { IoredisClient } from './createIoredisClient.js';
import type { RedisConnection } from './RedisConnection.js';
import type { RedisLog } from './RedisLog.js';
import type { TimedOperations } from './TimedOperations.js';
import { unavailableError } from './unavailableError.js';

export interface RedisSubscription {
  readonly channels: readonly string[];
  /** Stops delivering to this listener (UNSUBSCRIBE when it was the last one), within the `redis` budget. */
  unsubscribe(): Promise<void>;
}

export type RedisMessageListener = (message: string, channel: string) => void;

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

  constructor(
    private readonly shared: RedisConnection,
    private readonly ops: TimedOperations,
    private readonly log: RedisLog,
    /** The `redis` budget: to connect, SUBSCRIBE and UNSUBSCRIBE. */
    private readonly budgetMs: number,
  ) {}

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
        await this.ops.timed(() => sub.subscribe(...fresh), this.budgetMs, 'redis.subscribe');
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
        if (empty.length > 0 && s !== undefined && s.status === 'ready' && !this.shared.closing) {
          await this.ops.timed(() => s.unsubscribe(...empty), this.budgetMs, 'redis.unsubscribe');
        }
      },
    };
  }

  private connect(): Promise<IoredisClient> {
    this.opening ??= this.shared.openDedicated(this.budgetMs).then(
      (client) => {
        if (this.shared.closing) {
          client.disconnect();
          throw unavailableError('redis.subscribe', 'the manager is closed', 'not-sent', []);
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
        // A listener's failure is logged; delivery to the others goes on.
        this.log.once(`listener:${channel}`, 'warn', `redis ${this.log.name}: a subscriber listener for "${channel}" threw: ${err instanceof Error ? err.message : String(err)}`, {});
      }
    }
  }
}
