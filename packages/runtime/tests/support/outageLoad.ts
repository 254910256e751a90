import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { RedisManager } from '../../src/index.js';

/** The heap in use after three full garbage collections (the first call exposes `gc`). */
export async function settledHeap(): Promise<number> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return process.memoryUsage().heapUsed;
}

/**
 * Load for a manager whose Redis is down: each `tick()` issues 10 commands (alternating GET and
 * a 100-byte SET, fresh keys) without waiting for them, and records how many were issued, how many
 * settled and the most pending at once. The memory test paces ticks by count, the bench by clock.
 */
export function outageLoad(manager: RedisManager): { tick(): void; readonly issued: number; readonly settled: number; readonly maxPending: number } {
  let issued = 0;
  let settled = 0;
  let maxPending = 0;
  const done = (): void => {
    settled++;
  };
  return {
    tick() {
      for (let i = 0; i < 10; i++) {
        issued++;
        const key = `mem:${issued}`;
        const p = issued % 2 === 0 ? manager.redis.set(key, 'x'.repeat(100)) : manager.redis.get(key);
        p.then(done, done);
      }
      maxPending = Math.max(maxPending, issued - settled);
    },
    get issued() {
      return issued;
    },
    get settled() {
      return settled;
    },
    get maxPending() {
      return maxPending;
    },
  };
}
