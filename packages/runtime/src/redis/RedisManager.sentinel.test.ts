/**
 * Redis Sentinel: a master, a replica and one sentinel (quorum 1), all spawned by the test.
 * The manager finds the master through the sentinel, and after the master is killed with
 * SIGKILL it follows the failover to the promoted replica; every call settles in time.
 */
import { startRedisSentinel, startRedisServer, type RedisSentinel, type RedisServer } from '@asyncguard/testkit';
import { describeWithRedis } from '@asyncguard/testkit/vitest';
import { expect, it } from 'vitest';
import { isCircuitOpenError } from '../errors/CircuitOpenError.js';
import { isRedisUnavailableError } from '../errors/RedisUnavailableError.js';
import { isTimeoutError } from '../errors/TimeoutError.js';
import { createRedisManager } from './getRedisManager.js';
import { captureUnhandled, handleSnapshot, sleep, timed } from '../../tests/support/faultHarness.js';

const BUDGET = 500;
const SLACK = 500;

describeWithRedis('RedisManager through Redis Sentinel', () => {
  it('resolves the master through the sentinel and follows a failover', async () => {
    const unhandled = captureUnhandled();
    const handles = handleSnapshot();
    let master: RedisServer | undefined;
    let replica: RedisServer | undefined;
    let sentinel: RedisSentinel | undefined;
    try {
      master = await startRedisServer();
      replica = await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
      sentinel = await startRedisSentinel({ master });
      const manager = createRedisManager({
        sentinel: { sentinels: [{ host: sentinel.host, port: sentinel.port }], name: sentinel.masterName },
        budgets: { redis: BUDGET },
        breaker: { consecutiveFailures: 5, halfOpenAfterMs: 300 },
        healthIntervalMs: 100,
        reconnect: { minDelayMs: 20, maxDelayMs: 200 },
      });
      try {
        expect(await manager.redis.set('sentinel:k', 'before')).toBe('OK');
        expect(await manager.redis.get('sentinel:k')).toBe('before');
        await sleep(300); // replication
        await master.kill('SIGKILL');
        const results: Awaited<ReturnType<typeof timed>>[] = [];
        let written = false;
        const deadline = performance.now() + 20_000;
        while (!written && performance.now() < deadline) {
          const r = await timed(manager.redis.set('sentinel:k', 'after'));
          results.push(r);
          written = r.ok;
          if (!written) await sleep(100);
        }
        expect(written).toBe(true);
        for (const r of results) {
          expect(r.ms).toBeLessThan(BUDGET + SLACK);
          if (!r.ok) expect(isTimeoutError(r.error) || isRedisUnavailableError(r.error) || isCircuitOpenError(r.error), String(r.error)).toBe(true);
        }
        expect(results.length).toBeGreaterThan(1);
        // Now served by the promoted replica.
        expect(await manager.redis.get('sentinel:k')).toBe('after');
        expect(await manager.call('role').then((role) => (role as unknown[])[0])).toBe('master');
      } finally {
        await manager.close();
      }
    } finally {
      await sentinel?.stop();
      await replica?.stop();
      await master?.stop();
      unhandled.dispose();
    }
    expect(unhandled.reasons).toEqual([]);
    expect(await handles.grown()).toEqual({});
  }, 40_000);
});
