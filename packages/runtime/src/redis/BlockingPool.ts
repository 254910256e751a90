import { BulkheadRejectedError } from '../errors/BulkheadRejectedError.js';
import { TimeoutError } from '../errors/TimeoutError.js';
import { withTimeout } from '../withTimeout.js';
import type { IoredisClient } from './createIoredisClient.js';
import type { RedisConnection } from './RedisConnection.js';
import { unavailableError } from './unavailableError.js';

interface Waiter {
  resolve(client: IoredisClient): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
}

/**
 * A small bounded pool of dedicated connections for blocking commands (BLPOP, XREAD BLOCK, …),
 * so a command that blocks on the server never stalls the shared command connection.
 *
 * A connection comes back to the pool only after a clean reply. One that timed out, was aborted
 * or lost its socket is closed instead: the server may still be blocked on it, and its next
 * reply would belong to a command nobody waits for.
 */
export class BlockingPool {
  private readonly idle: IoredisClient[] = [];
  private readonly all = new Set<IoredisClient>();
  private readonly waiters: Waiter[] = [];
  private creating = 0;
  private closed = false;

  constructor(
    private readonly connection: RedisConnection,
    readonly max: number,
    private readonly maxWaiting: number,
    /** The `redis` budget: to open a connection, and the grace for a blocking reply. */
    private readonly connectBudgetMs: number,
  ) {}

  get size(): number {
    return this.all.size + this.creating;
  }

  get busy(): number {
    return this.all.size - this.idle.length + this.creating;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** A connection for one blocking command, within `budgetMs` (to connect or to wait for one). */
  async acquire(budgetMs: number, operation: string): Promise<IoredisClient> {
    if (this.closed) throw unavailableError(operation, 'closed', 'not-sent', []);
    const ready = this.idle.pop();
    if (ready !== undefined) return ready;
    if (this.size < this.max) {
      this.creating++;
      try {
        const client = await this.connection.openDedicated(budgetMs);
        if (this.closed) {
          client.disconnect();
          throw unavailableError(operation, 'closed', 'not-sent', []);
        }
        this.all.add(client);
        return client;
      } finally {
        this.creating--;
      }
    }
    if (this.waiters.length >= this.maxWaiting) {
      throw new BulkheadRejectedError({ operation, bulkhead: 'redis blocking pool', reason: 'queue-full', maxConcurrent: this.max, maxQueue: this.maxWaiting, elapsedMs: 0 });
    }
    const started = performance.now();
    return new Promise<IoredisClient>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new TimeoutError({ operation, budgetMs, elapsedMs: performance.now() - started, outcome: 'not-sent', message: `${operation}: no blocking connection free within ${budgetMs} ms (pool of ${this.max}); it was not sent` }));
        }, budgetMs),
      };
      this.waiters.push(waiter);
    });
  }

  /**
   * Sends one blocking command on `client` (from {@link acquire}) and gives the connection back:
   * to the pool after a reply (a server error is a reply), closed otherwise. The command's own
   * timeout is respected: its budget is its block time plus one `redis` budget of grace for the
   * reply to travel; a 0 (forever) timeout waits until `signal` aborts.
   */
  async send<T>(client: IoredisClient, name: string, args: unknown[], blockMs: number, signal: AbortSignal | undefined, operation: string): Promise<T> {
    const budget = blockMs === 0 ? undefined : Math.min(2 ** 31 - 1, blockMs + this.connectBudgetMs);
    let reusable = false;
    try {
      const pending = client.call(name, ...(args as string[])) as Promise<T>;
      const value = budget === undefined ? await untilAborted(pending, signal as AbortSignal) : await withTimeout(pending, budget, { operation, signal, outcome: 'unknown' });
      reusable = true;
      return value;
    } catch (err) {
      reusable = err instanceof Error && err.name === 'ReplyError';
      throw err;
    } finally {
      this.release(client, reusable);
    }
  }

  /** Returns a connection after a clean reply, or closes it when its state is unknown. */
  release(client: IoredisClient, reusable: boolean): void {
    if (!reusable || this.closed || client.status !== 'ready') {
      this.all.delete(client);
      client.disconnect();
      // A slot freed up: a waiter may open a new connection.
      const waiter = this.waiters.shift();
      if (waiter !== undefined) {
        clearTimeout(waiter.timer);
        this.creating++;
        this.connection.openDedicated(this.connectBudgetMs).then(
          (c) => {
            this.creating--;
            if (this.closed) {
              c.disconnect();
              waiter.reject(unavailableError(undefined, 'closed', 'not-sent', []));
              return;
            }
            this.all.add(c);
            waiter.resolve(c);
          },
          (err: unknown) => {
            this.creating--;
            waiter.reject(err);
          },
        );
      }
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      clearTimeout(waiter.timer);
      waiter.resolve(client);
    } else {
      this.idle.push(client);
    }
  }

  /** Closes every connection (a blocked command is cut) and rejects every waiter. */
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(unavailableError(undefined, 'closed', 'not-sent', []));
    }
    for (const c of this.all) c.disconnect();
    this.all.clear();
    this.idle.length = 0;
  }
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
