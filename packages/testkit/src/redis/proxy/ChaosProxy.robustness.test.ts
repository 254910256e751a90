import { connect, type Socket } from 'node:net';
import { expect, onTestFinished } from 'vitest';
import { seededRandom } from '../../faults/seededRandom.js';
import { freePort, startRedisServer } from '../startRedisServer.js';
import { describeWithRedis, useRedisServer } from '../../vitest/redis.js';
import { cleanUpProxies, redisThrough, startProxy, until, watchTimers } from '../../../tests/support/proxyTestSupport.js';

/** Reproducible garbage: the same bytes on every run. */
function garbage(seed: number, length: number): Buffer {
  const random = seededRandom(seed);
  return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
}

function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.on('error', reject);
  });
}

describeWithRedis('ChaosProxy robustness', (it) => {
  const server = useRedisServer();
  cleanUpProxies();

  for (const protocol of ['tcp', 'resp'] as const) {
    it(`survives garbage bytes and abrupt client kills (${protocol})`, async () => {
      const proxy = await startProxy({ upstream: { port: server().port }, protocol });
      proxy.addToxic({ type: 'latency', latency: 30 });
      for (let i = 0; i < 5; i++) {
        const socket = await rawSocket(proxy.port);
        socket.on('error', () => undefined);
        socket.write(garbage(i, 4096));
        socket.write('*2\r\n$3\r\nGET\r\n$99999\r\nabc');
        if (i % 2 === 0) socket.resetAndDestroy();
        else socket.destroy();
      }
      const redis = redisThrough(proxy);
      await redis.set('after-garbage', 'ok');
      expect(await redis.get('after-garbage')).toBe('ok');
      redis.disconnect();
      await until(() => proxy.stats().connections.active === 0);
    });
  }

  it('survives the server being killed, and works again after it restarts', async () => {
    const own = await startRedisServer();
    try {
      const proxy = await startProxy({ upstream: { port: own.port }, protocol: 'resp' });
      const redis = redisThrough(proxy);
      await redis.set('k', 'v');
      const closed = new Promise((resolve) => redis.once('close', resolve));
      await own.kill('SIGKILL');
      await closed;
      await until(() => proxy.stats().connections.active === 0);
      await own.restart();
      const again = redisThrough(proxy);
      expect(await again.ping()).toBe('PONG');
    } finally {
      await own.stop();
    }
  });

  it('closes clients when the upstream refuses, and counts it', async () => {
    const proxy = await startProxy({ upstream: { port: await freePort() } });
    const socket = await rawSocket(proxy.port);
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('close', resolve));
    expect(proxy.stats().connections.upstreamErrors).toBe(1);
    await until(() => proxy.stats().connections.active === 0);
  });

  it('disables and enables like taking the server away', async () => {
    const proxy = await startProxy({ upstream: { port: server().port } });
    const redis = redisThrough(proxy, { retryStrategy: () => 25, maxRetriesPerRequest: null });
    await redis.ping();
    proxy.disable();
    await new Promise((resolve) => redis.once('close', resolve));
    const pending = redis.ping();
    await new Promise((r) => setTimeout(r, 100));
    proxy.enable();
    expect(await pending).toBe('PONG');
  });

  it('handles connection churn and leaves no connection or timer behind', async () => {
    const timers = watchTimers();
    onTestFinished(() => timers.restore());
    const proxy = await startProxy({ upstream: { port: server().port }, protocol: 'resp' });
    proxy.addToxic({ type: 'latency', latency: 5, jitter: 5 });
    proxy.faults.on('get').delay(5);
    await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const redis = redisThrough(proxy, { enableReadyCheck: false });
        await redis.get(`churn${i}`);
        if (i % 3 === 0) redis.disconnect();
        else await redis.quit();
      }),
    );
    await until(() => proxy.stats().connections.active === 0);
    expect(proxy.stats().connections.total).toBe(30);
    await proxy.stop();
    expect(timers.pending()).toBe(0);
  });

  it('stop() closes open connections with held data and hung replies, then refuses new ones', async () => {
    const timers = watchTimers();
    onTestFinished(() => timers.restore());
    const proxy = await startProxy({ upstream: { port: server().port }, protocol: 'resp' });
    const redis = redisThrough(proxy);
    await redis.ping();
    proxy.faults.on('get').hang();
    proxy.addToxic({ type: 'latency', stream: 'upstream', latency: 60_000 });
    const hung = redis.get('k').catch((e: Error) => e.message);
    const held = redis.set('k', 'v').catch((e: Error) => e.message);
    await new Promise((r) => setTimeout(r, 20));
    const closed = new Promise((resolve) => redis.once('close', resolve));
    await proxy.stop();
    await closed;
    expect(await hung).toBe('Connection is closed.');
    expect(await held).toBe('Connection is closed.');
    expect(proxy.stats().connections.active).toBe(0);
    await expect(rawSocket(proxy.port)).rejects.toThrow(/ECONNREFUSED/);
    expect(timers.pending()).toBe(0);
  });
});
