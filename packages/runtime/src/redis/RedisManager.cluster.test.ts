/**
 * Redis Cluster: three masters (one replica each) spawned by the test. Keys spread across
 * slots on every master; SCAN walks every master; a master killed with SIGKILL fails over to
 * its replica and the manager follows (MOVED / slot refresh), with every call settling in time.
 */
import { startRedisCluster, type RedisCluster } from '@asyncguard/testkit';
import { describeWithRedis } from '@asyncguard/testkit/vitest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isCircuitOpenError } from '../errors/CircuitOpenError.js';
import { isRedisUnavailableError } from '../errors/RedisUnavailableError.js';
import { isTimeoutError } from '../errors/TimeoutError.js';
import { createRedisManager } from './getRedisManager.js';
import type { RedisManager } from './RedisManager.js';
import { captureUnhandled, sleep, timed } from '../../tests/support/faultHarness.js';

const BUDGET = 500;
const SLACK = 500;
/**
 * For calls whose speed is not the point (where keys land, what they read back): on a machine
 * loaded several times over its cores, one of them can take longer than BUDGET.
 */
const ROOMY = { budgetMs: 5000 };

describeWithRedis('RedisManager on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let manager: RedisManager;
  let unhandled: ReturnType<typeof captureUnhandled>;

  beforeAll(async () => {
    unhandled = captureUnhandled();
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1000 });
    manager = createRedisManager({
      cluster: { nodes: cluster.startupNodes },
      // The category budget (and with it the health PING's, min(redis, 2 s)) stays roomy: a PING
      // that a loaded machine answers late would recycle a healthy cluster connection, and calls
      // mid-test would fail for it. The calls under test pass BUDGET themselves.
      budgets: { redis: 2000 },
      // Connecting to a node is not what the budget is about here (see the warm-up below).
      connectTimeoutMs: 5000,
      breaker: { consecutiveFailures: 5, halfOpenAfterMs: 500 },
      healthIntervalMs: 100,
      // 'ready' (asserted below) means PINGs answer quickly: quickly enough for a loaded machine.
      slowPingMs: 5000,
      reconnect: { minDelayMs: 20, maxDelayMs: 200 },
    });
    // The first command to each master also opens its connection: do that outside the budgets.
    for (const master of cluster.masters) {
      let i = 0;
      while (cluster.masterForKey(`warm:${i}`) !== master) i++;
      await manager.redis.get(`warm:${i}`, ROOMY);
    }
  }, 60_000);

  afterAll(async () => {
    await manager?.close({ drainMs: 0 });
    await cluster?.stop();
    unhandled.dispose();
    expect(unhandled.reasons).toEqual([]);
  });

  it('spreads keys across slots on every master, reads them back, and SCANs every master', async () => {
    const keys = Array.from({ length: 120 }, (_, i) => `spread:${i}`);
    for (const key of keys) expect(await manager.redis.set(key, `v-${key}`, ROOMY)).toBe('OK');
    const owners = new Set(keys.map((k) => cluster.masterForKey(k).port));
    expect(owners.size).toBe(3);
    for (const key of keys) expect(await manager.redis.get(key, ROOMY)).toBe(`v-${key}`);
    const seen = new Set<string>();
    for await (const key of manager.scanIterator('spread:*')) seen.add(key);
    expect(seen.size).toBe(keys.length);
    expect(manager.health().state).toBe('ready');
  });

  it('follows a master failover (SIGKILL): calls settle in time, then the moved slots answer again', async () => {
    const key = 'failover:key';
    expect(await manager.redis.set(key, 'before', ROOMY)).toBe('OK');
    // Asked of the nodes, not the start-up snapshot; and the write is on the replica before the kill
    // (replication is asynchronous: a promoted replica that never saw it would answer null).
    const master = await cluster.currentMasterForKey(key);
    await cluster.waitForReplication(master);
    await master.kill('SIGKILL');
    const results: Awaited<ReturnType<typeof timed>>[] = [];
    const promoted = cluster.waitForFailover(master, 20_000);
    let done = false;
    void promoted.finally(() => {
      done = true;
    });
    while (!done) {
      results.push(await timed(manager.redis.get(key, { budgetMs: BUDGET })));
      await sleep(50);
    }
    const replica = await promoted;
    expect(replica.port).not.toBe(master.port);
    for (const r of results) {
      expect(r.ms).toBeLessThan(BUDGET + SLACK);
      if (!r.ok) expect(isTimeoutError(r.error) || isRedisUnavailableError(r.error) || isCircuitOpenError(r.error), String(r.error)).toBe(true);
    }
    expect(results.some((r) => !r.ok)).toBe(true);
    // The slot moved to the promoted replica: the manager gets there (MOVED + slots refresh).
    let value: string | null | undefined;
    for (let i = 0; i < 60 && value !== 'before'; i++) {
      const r = await timed(manager.redis.get(key, { budgetMs: BUDGET }));
      value = r.ok ? (r.value as string | null) : undefined;
      if (value !== 'before') await sleep(100);
    }
    expect(value).toBe('before');
    expect(await manager.redis.set(key, 'after', ROOMY)).toBe('OK');
    expect(await manager.redis.get(key, ROOMY)).toBe('after');
  }, 40_000);
});
