import { expect } from 'vitest';
import type { RedisManager } from '../../src/index.js';
import { isCircuitOpenError, isRedisUnavailableError, isTimeoutError } from '../../src/index.js';
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

/**
 * What a fault must never break: every call settled within `boundMs`, every failure is one of the
 * typed errors, and a failed SET says whether it may still apply (`not-sent` or `unknown`).
 */
export function expectLoadInvariants(results: readonly LoadResult[], boundMs: number): void {
  expect(results.length).toBeGreaterThan(0);
  const late = results.filter((r) => r.ms > boundMs);
  expect(late.map((r) => `${r.op} ${Math.round(r.ms)} ms ${r.ok ? 'ok' : String(r.error)}`)).toEqual([]);
  for (const r of results) {
    if (r.ok) continue;
    const typed = isTimeoutError(r.error) || isRedisUnavailableError(r.error) || isCircuitOpenError(r.error);
    expect(typed, String(r.error)).toBe(true);
    if (r.op === 'set' && (isTimeoutError(r.error) || isRedisUnavailableError(r.error))) {
      expect(['not-sent', 'unknown']).toContain((r.error as { outcome?: string }).outcome);
    }
  }
}
