import { BulkheadRejectedError } from '../errors/BulkheadRejectedError.js';
import { RedisUnavailableError } from '../errors/RedisUnavailableError.js';
import { TimeoutError } from '../errors/TimeoutError.js';
import type { IoredisClient } from './createIoredisClient.js';

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
    private readonly connect: (budgetMs: number) => Promise<IoredisClient>,
    readonly max: number,
    private readonly maxWaiting: number,
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
    if (this.closed) throw new RedisUnavailableError({ operation, reason: 'closed', outcome: 'not-sent' });
    const ready = this.idle.pop();
    if (ready !== undefined) return ready;
    if (this.size < this.max) {
      this.creating++;
      try {
        const client = await this.connect(budgetMs);
        if (this.closed) {
          client.disconnect();
          throw new RedisUnavailableError({ operation, reason: 'closed', outcome: 'not-sent' });
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
        this.connect(this.connectBudgetMs).then(
          (c) => {
            this.creating--;
            if (this.closed) {
              c.disconnect();
              waiter.reject(new RedisUnavailableError({ reason: 'closed', outcome: 'not-sent' }));
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
      w.reject(new RedisUnavailableError({ reason: 'closed', outcome: 'not-sent' }));
    }
    for (const c of this.all) c.disconnect();
    this.all.clear();
    this.idle.length = 0;
  }
}
