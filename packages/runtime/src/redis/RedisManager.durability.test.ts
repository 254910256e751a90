/**
 * Durability: with `appendonly yes` and `appendfsync always`, every write the manager
 * acknowledged must be on disk — present after `kill -9` and a restart.
 */
import { startRedisServer } from '@asyncguard/testkit';
import { describeWithRedis } from '@asyncguard/testkit/vitest';
import { expect, it } from 'vitest';
import { createRedisManager } from './getRedisManager.js';
import { captureUnhandled, waitFor } from '../../tests/support/faultHarness.js';

/** A ceiling for waits on events, far above what they take: not a timing claim. */
const EVENTUALLY = 20_000;

describeWithRedis('RedisManager durability', () => {
  it('keeps every acknowledged write across kill -9 (appendfsync always)', { timeout: 3 * EVENTUALLY }, async () => {
    const unhandled = captureUnhandled();
    const server = await startRedisServer({ persistence: { appendonly: true, appendfsync: 'always' } });
    // slowPingMs: 'ready' below means Redis answers again, not that a loaded machine answers fast.
    const manager = createRedisManager({ url: server.url, budgets: { redis: 1000 }, healthIntervalMs: 50, slowPingMs: 5000, breaker: { halfOpenAfterMs: 200 }, reconnect: { minDelayMs: 20, maxDelayMs: 100 } });
    try {
      const acknowledged: number[] = [];
      const failed: number[] = [];
      let next = 0;
      let killed = false;
      const writer = async (): Promise<void> => {
        while (!killed || next < 50) {
          const i = next++;
          try {
            expect(await manager.redis.set(`dur:${i}`, `v${i}`)).toBe('OK');
            acknowledged.push(i);
          } catch {
            failed.push(i);
            if (killed) return;
          }
        }
      };
      const writers = Array.from({ length: 8 }, writer);
      // Kill once enough writes are acknowledged (a count, not a time: a loaded machine is slow).
      expect(await waitFor(() => acknowledged.length > 50, EVENTUALLY)).toBe(true);
      await server.kill('SIGKILL');
      killed = true;
      await Promise.all(writers);
      expect(acknowledged.length).toBeGreaterThan(50);
      expect(failed.length).toBeGreaterThan(0);

      await server.restart();
      expect(await waitFor(() => manager.health().state === 'ready', EVENTUALLY)).toBe(true);
      const keys = acknowledged.map((i) => `dur:${i}`);
      const values: (string | null)[] = [];
      for (let at = 0; at < keys.length; at += 500) {
        values.push(...(await manager.redis.mget(keys.slice(at, at + 500), { budgetMs: 5000 })));
      }
      const missing = acknowledged.filter((i, n) => values[n] !== `v${i}`);
      expect(missing).toEqual([]);
    } finally {
      await manager.close();
      await server.stop();
      unhandled.dispose();
    }
    expect(unhandled.reasons).toEqual([]);
  });
});
