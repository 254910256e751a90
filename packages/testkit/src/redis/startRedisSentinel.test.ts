import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { describeWithRedis } from '../vitest/redis.js';
import { sendRedisCommand } from './sendRedisCommand.js';
import { startRedisSentinel, RedisSentinelStartError, type RedisSentinel } from './startRedisSentinel.js';
import { freePort, pingOnce, startRedisServer, type RedisServer } from './startRedisServer.js';

const nowhere = { host: '127.0.0.1', port: 1 };

it('names an unknown option before spawning anything', async () => {
  await expect(startRedisSentinel({ master: nowhere, qourum: 2 } as never)).rejects.toThrow(/startRedisSentinel: unknown option "qourum" \(known options: master, masterName, quorum/);
});

it('names a missing or bad master, a bad name and bad numbers before spawning anything', async () => {
  await expect(startRedisSentinel(undefined as never)).rejects.toThrow(/startRedisSentinel: options must be an object/);
  await expect(startRedisSentinel({} as never)).rejects.toThrow(/options\.master must be the \{ host, port \} of the master/);
  await expect(startRedisSentinel({ master: { host: '127.0.0.1', port: 70000 } })).rejects.toThrow(/options\.master\.port must be an integer from 1 to 65535, got 70000/);
  await expect(startRedisSentinel({ master: { host: '', port: 6000 } })).rejects.toThrow(/options\.master\.host must be a non-empty string/);
  await expect(startRedisSentinel({ master: nowhere, masterName: 'my master' })).rejects.toThrow(/masterName must be letters, digits/);
  await expect(startRedisSentinel({ master: nowhere, quorum: 0 })).rejects.toThrow(/quorum must be a positive integer, got 0/);
  await expect(startRedisSentinel({ master: nowhere, downAfterMs: 1.5 })).rejects.toThrow(/downAfterMs must be a positive integer, got 1.5/);
  await expect(startRedisSentinel({ master: nowhere, startTimeoutMs: Number.NaN })).rejects.toThrow(/startTimeoutMs must be a positive finite number/);
});

describeWithRedis('startRedisSentinel', () => {
  it('monitors a real master, knows its replica, follows a failover after a kill and cleans up', { timeout: 40_000 }, async () => {
    let master: RedisServer | undefined;
    let replica: RedisServer | undefined;
    let sentinel: RedisSentinel | undefined;
    let client: Redis | undefined;
    try {
      master = await startRedisServer();
      replica = await startRedisServer({ args: ['--replicaof', master.host, String(master.port)] });
      sentinel = await startRedisSentinel({ master, masterName: 'orders', downAfterMs: 300 });
      expect(sentinel.port).not.toBe(26379);
      expect(sentinel.running).toBe(true);
      expect(await pingOnce(sentinel.host, sentinel.port)).toBe(true);
      expect(await sentinel.masterAddress()).toEqual({ host: master.host, port: master.port });
      // The sentinel learns the replica from the master's INFO.
      await expect.poll(() => sentinel?.replicas(), { timeout: 15_000, interval: 100 }).toEqual([{ host: replica.host, port: replica.port }]);

      // ioredis finds the master through the sentinel.
      client = new Redis({ sentinels: [{ host: sentinel.host, port: sentinel.port }], name: 'orders', maxRetriesPerRequest: 1 });
      client.on('error', () => undefined);
      expect(await client.set('k', 'v')).toBe('OK');
      await expect.poll(() => sendRedisCommand(replica!.host, replica!.port, ['GET', 'k']), { timeout: 5000, interval: 50 }).toBe('v');

      await master.kill('SIGKILL');
      expect(await sentinel.waitForFailover(master, 30_000)).toEqual({ host: replica.host, port: replica.port });
      expect(await sendRedisCommand(replica.host, replica.port, ['INFO', 'replication'])).toMatch(/role:master/);
      await expect.poll(() => client!.get('k').catch(() => 'retrying'), { timeout: 10_000, interval: 100 }).toBe('v');
    } finally {
      client?.disconnect();
      await sentinel?.stop();
      await replica?.stop();
      await master?.stop();
    }
    expect(sentinel.running).toBe(false);
    expect(existsSync(sentinel.dir)).toBe(false);
    expect(await pingOnce(sentinel.host, sentinel.port, 200)).toBe(false);
    await sentinel.stop(); // a second stop is a no-op
  });

  it('stops at the end of an `await using` block', async () => {
    await using master = await startRedisServer();
    let seen: RedisSentinel | undefined;
    {
      await using sentinel = await startRedisSentinel({ master });
      seen = sentinel;
      expect(sentinel.masterName).toBe('mymaster');
      expect(await sentinel.masterAddress()).toEqual({ host: master.host, port: master.port });
    }
    expect(seen.running).toBe(false);
    expect(existsSync(seen.dir)).toBe(false);
  });

  it('rejects with the reason when the master cannot be reached, and leaves no process behind', async () => {
    const port = await freePort();
    const processes = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'ProcessWrap').length;
    const before = processes();
    const error = await startRedisSentinel({ master: { host: '127.0.0.1', port }, startTimeoutMs: 1500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisSentinelStartError);
    expect((error as Error).message).toMatch(new RegExp(`sentinel did not reach its master 127\\.0\\.0\\.1:${port} within 1500 ms`));
    expect(processes()).toBe(before);
  });
});
