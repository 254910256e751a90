import { existsSync } from 'node:fs';
import { expect, it } from 'vitest';
import { describeWithRedis } from '../vitest/redis.js';
import { findRedisServerBinary, RedisServerNotFoundError } from './findRedisServer.js';
import { pingOnce, startRedisServer } from './startRedisServer.js';

it('names both ways to provide redis-server when none is found', () => {
  const env = { PATH: '/nonexistent' };
  expect(findRedisServerBinary(env)).toBeUndefined();
  expect(() => findRedisServerBinary({ ...env, REDIS_SERVER_BIN: '/nonexistent/redis-server' })).toThrow(RedisServerNotFoundError);
  expect(() => findRedisServerBinary({ ...env, REDIS_SERVER_BIN: '/nonexistent/redis-server' })).toThrow(/REDIS_SERVER_BIN/);
});

it('names an unknown option before spawning anything', async () => {
  await expect(startRedisServer({ prot: 7000 } as never)).rejects.toThrow(/startRedisServer: unknown option "prot"/);
});

it('rejects a bad port before spawning anything', async () => {
  await expect(startRedisServer({ port: 70000 })).rejects.toThrow(/port must be an integer from 1 to 65535/);
});

describeWithRedis('startRedisServer', () => {
  it('starts on an ephemeral loopback port, stalls on pause, survives restart and cleans up on stop', async () => {
    const server = await startRedisServer();
    try {
      expect(server.port).not.toBe(6379);
      expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
      expect(await pingOnce(server.host, server.port)).toBe(true);

      server.pause();
      expect(await pingOnce(server.host, server.port, 200)).toBe(false);
      server.resume();
      expect(await pingOnce(server.host, server.port)).toBe(true);

      const firstPid = server.pid;
      await server.restart();
      expect(server.pid).not.toBe(firstPid);
      expect(await pingOnce(server.host, server.port)).toBe(true);

      await server.kill('SIGKILL');
      expect(server.running).toBe(false);
      expect(await pingOnce(server.host, server.port, 200)).toBe(false);
      expect(existsSync(server.dir)).toBe(true);
    } finally {
      await server.stop();
    }
    expect(existsSync(server.dir)).toBe(false);
  });

  it('starts with a password, answers only after AUTH, and carries it in the url', async () => {
    const server = await startRedisServer({ password: 's3cret pw' });
    try {
      expect(server.url).toBe(`redis://:s3cret%20pw@127.0.0.1:${server.port}`);
      expect(await pingOnce(server.host, server.port, 500)).toBe(false);
      expect(await pingOnce(server.host, server.port, 500, 's3cret pw')).toBe(true);
      expect(await pingOnce(server.host, server.port, 500, 'wrong')).toBe(false);
    } finally {
      await server.stop();
    }
  });

  it('stops a paused server', async () => {
    const server = await startRedisServer();
    server.pause();
    await server.stop();
    expect(server.running).toBe(false);
  });
});
