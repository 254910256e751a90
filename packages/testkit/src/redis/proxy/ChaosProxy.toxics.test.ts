import { connect } from 'node:net';
import type { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { describeWithRedis, useRedisServer } from '../../vitest/redis.js';
import { FaultSpecError } from '../../faults/FaultSpecError.js';
import { ChaosProxy } from './ChaosProxy.js';
import { cleanUpProxies, elapsed, redisThrough, startProxy, until } from '../../../tests/support/proxyTestSupport.js';

it('rejects bad toxics and options with a FaultSpecError naming the attribute', () => {
  const proxy = new ChaosProxy({ upstream: { port: 6390 }, seed: 1 });
  expect(() => proxy.addToxic({ type: 'latency', latency: -1 })).toThrow(/latency\.latency must be a number of ms >= 0, got -1/);
  expect(() => proxy.addToxic({ type: 'slicer', average_size: 10 } as never)).toThrow(/slicer\.average_size must be absent: .*did you mean averageSize\?/);
  expect(() => proxy.addToxic({ type: 'slicer', averageSize: 10, sizeVariation: 10 })).toThrow(/slicer\.sizeVariation must be an integer from 0 to averageSize - 1 \(9\)/);
  expect(() => proxy.addToxic({ type: 'bandwidth', rate: 0 })).toThrow(/bandwidth\.rate must be a number of KB\/s > 0/);
  expect(() => proxy.addToxic({ type: 'latency', latency: 1, toxicity: 2 })).toThrow(/latency\.toxicity must be a number from 0 to 1/);
  expect(() => proxy.addToxic({ type: 'limit_data' } as never)).toThrow(/limit_data\.bytes must be given/);
  expect(() => proxy.addToxic({ type: 'lag' } as never)).toThrow(FaultSpecError);
  proxy.addToxic({ type: 'latency', latency: 1 });
  expect(() => proxy.addToxic({ type: 'latency', latency: 2 })).toThrow(/a toxic named "latency_downstream" already exists/);
  expect(() => new ChaosProxy({ upstream: { port: 0 } })).toThrow(/upstream\.port must be an integer from 1 to 65535/);
  expect(() => new ChaosProxy({ upstream: { port: 1 }, protocol: 'tcp', faults: {} })).toThrow(/faults must be absent when protocol is "tcp"/);
  expect(() => proxy.faults).toThrow(/protocol: "resp"/);
});

describeWithRedis('ChaosProxy toxics before a real redis-server', () => {
  const server = useRedisServer();
  cleanUpProxies();
  const upstream = (): { port: number } => ({ port: server().port });
  /**
   * Sends a PING and tells whether a toxic held its reply, by what the proxy did with the reply
   * rather than by how long it took (a loaded machine stretches any round trip): without a toxic
   * the proxy forwards a reply in the same turn it arrives, so bytes sent to the client catch up
   * with bytes received from the server; a latency toxic holds them. Use latencies far longer
   * than the test, so a held reply is still held whenever we look.
   */
  const held = async (proxy: ChaosProxy, redis: Redis): Promise<boolean> => {
    const before = proxy.stats().downstream;
    const reply = redis.ping();
    let settled = false;
    void reply.then(() => (settled = true), () => undefined);
    await until(() => proxy.stats().downstream.received >= before.received + '+PONG\r\n'.length, 20_000);
    const after = proxy.stats().downstream;
    if (after.sent - before.sent === after.received - before.received) {
      expect(await reply).toBe('PONG'); // spared: the reply reaches the client
      return false;
    }
    expect(settled).toBe(false); // held: the client has not seen it
    return true;
  };

  it('forwards transparently and counts bytes and connections', async () => {
    const proxy = await startProxy({ upstream: upstream() });
    expect(proxy.url).toBe(`redis://127.0.0.1:${proxy.port}`);
    const redis = redisThrough(proxy);
    await redis.set('plain', 'value');
    expect(await redis.get('plain')).toBe('value');
    const stats = proxy.stats();
    expect(stats.connections).toMatchObject({ total: 1, active: 1 });
    expect(stats.upstream.sent).toBe(stats.upstream.received);
    expect(stats.downstream.received).toBeGreaterThan(0);
    await redis.quit();
    await until(() => proxy.stats().connections.active === 0);
  });

  it('adds latency to replies, and stops when the toxic is removed at runtime', async () => {
    const proxy = await startProxy({ upstream: upstream() });
    const redis = redisThrough(proxy);
    await redis.ping();
    // A latency far above a loopback round trip, so a loaded machine cannot blur the two cases.
    const name = proxy.addToxic({ type: 'latency', stream: 'downstream', latency: 800, jitter: 20 });
    expect(await elapsed(() => redis.get('k'))).toBeGreaterThanOrEqual(775);
    expect(proxy.removeToxic(name)).toBe(true);
    expect(proxy.removeToxic(name)).toBe(false);
    expect(await held(proxy, redis)).toBe(false);
  });

  it('updates a toxic in place and resets every connection on demand', async () => {
    const proxy = await startProxy({ upstream: upstream() });
    const redis = redisThrough(proxy);
    await redis.ping();
    const name = proxy.addToxic({ type: 'latency', name: 'slow', latency: 5 });
    expect(proxy.updateToxic(name, { latency: 200 })).toBe('slow');
    expect(proxy.toxics()).toEqual([expect.objectContaining({ name: 'slow', type: 'latency', latency: 200, stream: 'downstream', toxicity: 1 })]);
    expect(await elapsed(() => redis.ping())).toBeGreaterThanOrEqual(190);
    expect(() => proxy.updateToxic('nope', {})).toThrow(/no toxic named "nope"/);
    const codes: string[] = [];
    redis.on('error', (e: NodeJS.ErrnoException) => codes.push(String(e.code)));
    const closed = new Promise((resolve) => redis.once('close', resolve));
    proxy.closeConnections('reset');
    await closed;
    expect(codes).toContain('ECONNRESET');
  });

  it('releases held data at once when a toxic is removed', async () => {
    const proxy = await startProxy({ upstream: upstream() });
    const redis = redisThrough(proxy);
    await redis.ping();
    proxy.addToxic({ type: 'latency', latency: 600_000 });
    const before = proxy.stats().downstream;
    const pending = redis.get('k');
    await until(() => proxy.stats().downstream.received > before.received, 20_000);
    expect(proxy.stats().downstream.sent).toBe(before.sent); // the reply is held
    proxy.removeAllToxics();
    expect(proxy.stats().downstream.sent - before.sent).toBe(proxy.stats().downstream.received - before.received);
    expect(await pending).toBeNull();
  });

  it('blackholes with timeout 0 until the toxic goes, so commandTimeout fires', async () => {
    const proxy = await startProxy({ upstream: upstream() });
    const redis = redisThrough(proxy, { commandTimeout: 150 });
    await redis.ping();
    proxy.addToxic({ type: 'timeout', stream: 'upstream', timeout: 0 });
    await expect(redis.get('k')).rejects.toThrow('Command timed out');
    expect(proxy.stats().connections.active).toBe(1);
  });

  it('closes the connection after the timeout toxic fires', async () => {
    const proxy = await startProxy({ upstream: upstream() });
    const redis = redisThrough(proxy);
    await redis.ping();
    const closed = new Promise((resolve) => redis.once('close', resolve));
    proxy.addToxic({ type: 'timeout', timeout: 100 });
    const result = redis.get('k').catch((e: Error) => e.message);
    await closed;
    expect(await result).toBe('Connection is closed.');
  });

  it('resets the peer: ioredis sees ECONNRESET', async () => {
    const proxy = await startProxy({ upstream: upstream() });
    const redis = redisThrough(proxy);
    const errors: string[] = [];
    redis.on('error', (e: NodeJS.ErrnoException) => errors.push(String(e.code)));
    await redis.ping();
    const closed = new Promise((resolve) => redis.once('close', resolve));
    proxy.addToxic({ type: 'reset_peer', timeout: 50 });
    await closed;
    expect(errors).toContain('ECONNRESET');
  });

  it('limits data, then closes the connection', async () => {
    const proxy = await startProxy({ upstream: upstream() });
    const redis = redisThrough(proxy);
    await redis.set('big', 'x'.repeat(10_000));
    proxy.addToxic({ type: 'limit_data', bytes: 1000 });
    await expect(redis.get('big')).rejects.toThrow('Connection is closed.');
    await until(() => proxy.stats().connections.active === 0);
    expect(proxy.stats().downstream.sent).toBeLessThan(proxy.stats().downstream.received);
  });

  it('slices and throttles without corrupting data', async () => {
    const proxy = await startProxy({ upstream: upstream() });
    const redis = redisThrough(proxy);
    const value = Array.from({ length: 3000 }, (_, i) => String(i % 10)).join('');
    await redis.set('sliced', value);
    proxy.addToxic({ type: 'slicer', averageSize: 64, sizeVariation: 32, delay: 200 });
    proxy.addToxic({ type: 'slicer', name: 'up', stream: 'upstream', averageSize: 8, sizeVariation: 4 });
    expect(await redis.get('sliced')).toBe(value);
    proxy.removeAllToxics();
    await redis.set('wide', 'y'.repeat(40_000));
    proxy.addToxic({ type: 'bandwidth', rate: 100 });
    // 40 KB at 100 KB/s: at least ~0.4 s
    expect(await elapsed(() => redis.get('wide'))).toBeGreaterThanOrEqual(350);
  });

  it('delays the close with slow_close', async () => {
    const proxy = await startProxy({ upstream: upstream() });
    proxy.addToxic({ type: 'slow_close', delay: 300 });
    const socket = connect({ host: '127.0.0.1', port: proxy.port });
    const started = performance.now();
    let reply = '';
    socket.on('data', (chunk) => (reply += chunk.toString()));
    socket.write('QUIT\r\n');
    await new Promise((resolve) => socket.once('end', resolve));
    socket.destroy();
    expect(reply).toBe('+OK\r\n');
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('applies a toxic to a connection only as often as its toxicity says, replayably', async () => {
    const hitsFor = async (seed: number): Promise<string> => {
      const proxy = await startProxy({ upstream: upstream(), seed });
      proxy.addToxic({ type: 'latency', latency: 600_000, toxicity: 0.5 });
      const pattern: string[] = [];
      for (let i = 0; i < 6; i++) {
        const redis = redisThrough(proxy, { enableReadyCheck: false });
        pattern.push((await held(proxy, redis)) ? 'L' : '-');
        redis.disconnect();
      }
      await proxy.stop();
      return pattern.join('');
    };
    const first = await hitsFor(5);
    expect(first).toMatch(/L/);
    expect(first).toMatch(/-/);
    expect(await hitsFor(5)).toBe(first);
    const none = await startProxy({ upstream: upstream() });
    none.addToxic({ type: 'latency', latency: 600_000, toxicity: 0 });
    const always = await startProxy({ upstream: upstream() });
    always.addToxic({ type: 'latency', latency: 600_000, toxicity: 1 });
    for (let i = 0; i < 3; i++) {
      expect(await held(none, redisThrough(none, { enableReadyCheck: false }))).toBe(false);
      expect(await held(always, redisThrough(always, { enableReadyCheck: false }))).toBe(true);
    }
  });
});
