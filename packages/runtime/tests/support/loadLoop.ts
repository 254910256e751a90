import type { RedisManager } from '../../src/index.js';
import { type Settled, timed } from './faultHarness.js';

export interface LoadResult extends Settled<unknown> {
  op: 'get' | 'set';
  /** performance.now() when the call started. */
  at: number;
}

/**
 * `concurrency` loops issuing alternating SET/GET through `manager.redis` until `stop()`; every
 * call's settlement is recorded. A short pause after a fast failure keeps a down Redis from
 * turning the loops into a busy spin.
 */
export function loadLoop(manager: RedisManager, concurrency: number, prefix = 'load'): { results: LoadResult[]; stop(): Promise<LoadResult[]> } {
  const results: LoadResult[] = [];
  let running = true;
  const loop = async (worker: number): Promise<void> => {
    for (let i = 0; running; i++) {
      const op = (i & 1) === 0 ? 'set' : 'get';
      const key = `${prefix}:${worker}:${i % 50}`;
      const at = performance.now();
      const settled = await timed(op === 'set' ? manager.redis.set(key, String(i)) : manager.redis.get(key));
      results.push({ ...settled, op, at });
      if (!settled.ok) await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const loops = Array.from({ length: concurrency }, (_, w) => loop(w));
  return {
    results,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return results;
    },
  };
}
