import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { ChaosProxy } from '../redis/proxy/ChaosProxy.js';
import { sendRedisCommand } from '../redis/sendRedisCommand.js';
import { startRedisCluster, type RedisCluster } from '../redis/startRedisCluster.js';
import { startRedisServer, type RedisServer } from '../redis/startRedisServer.js';
import { describeWithRedis, useChaosProxy, useRedisCluster, useRedisServer } from './redis.js';

/** Resolves with the connect error's code, or 'connected' when something still listens on `port`. */
function probe(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describeWithRedis('await using on launchers and the proxy', { timeout: 60_000 }, () => {
  it('stops a ChaosProxy at the end of the block', async () => {
    let port = 0;
    {
      await using proxy = new ChaosProxy({ upstream: { port: 1 } });
      await proxy.start();
      port = proxy.port;
      expect(await probe(port)).toBe('connected');
    }
    expect(await probe(port)).toBe('ECONNREFUSED');
  });

  it('stops a redis-server and removes its directory at the end of the block', async () => {
    let used: RedisServer | undefined;
    {
      await using server = await startRedisServer();
      used = server;
      expect(await sendRedisCommand(server.host, server.port, ['PING'])).toBe('PONG');
    }
    expect(used.running).toBe(false);
    expect(existsSync(used.dir)).toBe(false);
    expect(await probe(used.port)).toBe('ECONNREFUSED');
  });

  it('stops every node of a cluster at the end of the block', async () => {
    let used: RedisCluster | undefined;
    {
      await using cluster = await startRedisCluster({ masters: 3 });
      used = cluster;
      expect(cluster.nodes.every((node) => node.running)).toBe(true);
    }
    expect(used.nodes.map((node) => node.running)).toEqual([false, false, false]);
  });
});

describeWithRedis('useRedisServer, useChaosProxy and useRedisCluster', { timeout: 60_000 }, () => {
  const seen: { server?: RedisServer; proxyPort?: number; cluster?: RedisCluster } = {};
  // Runs after the inner suite's afterAll hooks: everything the helpers started is stopped by then.
  afterAll(async () => {
    expect(seen.server?.running).toBe(false);
    expect(await probe(seen.proxyPort ?? 0)).toBe('ECONNREFUSED');
    expect(seen.cluster?.nodes.some((node) => node.running)).toBe(false);
  });

  describe('a suite using them', () => {
    const server = useRedisServer();
    const proxy = useChaosProxy(() => ({ upstream: { port: server().port } }));
    const cluster = useRedisCluster({ masters: 3 });

    it('starts them in beforeAll, a proxy in front of the server started before it', async () => {
      seen.server = server();
      seen.proxyPort = proxy().port;
      seen.cluster = cluster();
      expect(await sendRedisCommand('127.0.0.1', proxy().port, ['SET', 'through', 'proxy'])).toBe('OK');
      expect(await sendRedisCommand(server().host, server().port, ['GET', 'through'])).toBe('proxy');
      expect(cluster().masters).toHaveLength(3);
    });
  });
});
