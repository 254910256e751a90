import { Cluster } from 'ioredis';
import { expect } from 'vitest';
import { describeWithRedis } from '../vitest/redis.js';
import { startRedisCluster } from './startRedisCluster.js';

describeWithRedis('startRedisCluster', (it) => {
  it('rejects bad sizes before spawning anything', async () => {
    await expect(startRedisCluster({ masters: 2 })).rejects.toThrow(/masters must be an integer from 3 to 64, got 2/);
    await expect(startRedisCluster({ replicasPerMaster: -1 })).rejects.toThrow(/replicasPerMaster must be an integer from 0 to 64, got -1/);
    await expect(startRedisCluster({ replicas: 1 } as never)).rejects.toThrow(
      'startRedisCluster: unknown option "replicas" (known options: masters, replicasPerMaster, binary, cliBinary, nodeTimeoutMs, startTimeoutMs)',
    );
  });

  it('forms a real cluster that ioredis can use, survives a killed master by failover, and cleans up', { timeout: 30_000 }, async () => {
    const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 500 });
    const client = new Cluster([...cluster.startupNodes], { clusterRetryStrategy: () => 100, redisOptions: { maxRetriesPerRequest: 1 } });
    client.on('error', () => undefined);
    try {
      expect(cluster.masters).toHaveLength(3);
      expect(cluster.replicas).toHaveLength(3);
      expect(cluster.masters.flatMap((m) => m.slots).reduce((n, [from, to]) => n + to - from + 1, 0)).toBe(16384);
      for (const node of cluster.nodes) expect(node.port).not.toBe(6379);

      for (const key of ['a', 'b', 'c', 'user:{42}']) await client.set(key, key.toUpperCase());
      expect(await client.get('user:{42}')).toBe('USER:{42}');

      const victim = await cluster.currentMasterForKey('user:{42}');
      expect(victim.port).toBe(cluster.masterForKey('user:{42}').port);
      // Replication is asynchronous: only a write the replica has processed survives the kill.
      const synced = await cluster.waitForReplication(victim);
      expect(synced.map((n) => n.masterId)).toEqual([victim.id]);
      await victim.kill('SIGKILL');
      const promoted = await cluster.waitForFailover(victim, 15_000);
      expect(promoted.masterId).toBe(victim.id);
      expect(await promoted.currentRole()).toBe('master');
      await expect.poll(() => client.get('user:{42}').catch(() => 'retrying'), { timeout: 10_000, interval: 200 }).toBe('USER:{42}');
    } finally {
      client.disconnect();
      await cluster.stop();
    }
    expect(cluster.nodes.every((n) => !n.running)).toBe(true);
  });
});
