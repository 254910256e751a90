/**
 * Memory: with Redis down, a service that keeps issuing 1,000 commands/s must not pile up
 * pending work. The test runs 5 s (the bench runs the 30 s figure); it checks that nothing is
 * left pending and that the heap after a GC grows by less than a few MB.
 */
import { startRedisServer } from '@asyncguard/testkit';
import { describeWithRedis } from '@asyncguard/testkit/vitest';
import { expect, it } from 'vitest';
import { createRedisManager } from './getRedisManager.js';
import { captureUnhandled, sleep } from '../../tests/support/faultHarness.js';
import { outageLoad, settledHeap } from '../../tests/support/outageLoad.js';

describeWithRedis('RedisManager memory while Redis is down', () => {
  it('stays bounded over 5,000 commands at about 1,000 commands/s', async () => {
    const unhandled = captureUnhandled();
    const server = await startRedisServer();
    // connectTimeoutMs: the first handshake on a loaded machine may take more than one 200 ms budget.
    const manager = createRedisManager({ url: server.url, budgets: { redis: 200 }, connectTimeoutMs: 5000, healthIntervalMs: 100, reconnect: { minDelayMs: 20, maxDelayMs: 200 } });
    try {
      await manager.redis.ping({ budgetMs: 5000 }); // the first call also connects: a generous budget on a busy machine
      await server.kill('SIGKILL');
      const load = outageLoad(manager);
      // Paced by count, not by clock: 10 commands every 10 ms until the total is reached, so a
      // loaded machine makes the run longer, never smaller.
      const issueUntil = async (total: number): Promise<void> => {
        while (load.issued < total) {
          load.tick();
          await sleep(10);
        }
      };
      // Warm up the failure path, then measure.
      await issueUntil(500);
      await sleep(300);
      const before = await settledHeap();
      await issueUntil(5500);
      await sleep(300);
      const after = await settledHeap();
      const stats = manager.stats();
      expect(load.settled).toBe(load.issued);
      expect(stats.inFlight).toBe(0);
      // Fail-fast: pending work never built up (each call settles in well under a tick or two).
      expect(load.maxPending).toBeLessThan(100);
      expect((after - before) / 1024 / 1024).toBeLessThan(8);
    } finally {
      await manager.close();
      await server.stop();
      unhandled.dispose();
    }
    expect(unhandled.reasons).toEqual([]);
  }, 60_000);
});
