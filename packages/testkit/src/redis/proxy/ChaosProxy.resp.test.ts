import { connect } from 'node:net';
import { ReplyError } from 'ioredis';
import { expect } from 'vitest';
import { describeWithRedis, useRedisServer } from '../../vitest/redis.js';
import { cleanUpProxies, elapsed, redisThrough, startProxy, until } from '../../../tests/support/proxyTestSupport.js';

async function elapsedValue<T>(work: () => Promise<T>): Promise<{ value: T; slow: boolean }> {
  const started = performance.now();
  const value = await work();
  return { value, slow: performance.now() - started >= 190 };
}

describeWithRedis('ChaosProxy RESP faults before a real redis-server', (it) => {
  const server = useRedisServer();
  cleanUpProxies();
  const start = () => startProxy({ upstream: { port: server().port }, protocol: 'resp' });

  it('answers a matching command with an injected error reply, without sending it to Redis', async () => {
    const proxy = await start();
    const redis = redisThrough(proxy);
    await redis.del('ro');
    proxy.faults.on('set', { key: 'ro' }).failTimes(1, 'READONLY');
    const error = await redis.set('ro', '1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplyError);
    expect((error as Error).message).toBe("READONLY You can't write against a read only replica.");
    expect(await redis.get('ro')).toBeNull();
    expect(await redis.set('ro', '2')).toBe('OK');
    proxy.faults.on('get').fail('MOVED');
    await expect(redis.get('foo')).rejects.toThrow('MOVED 12182 127.0.0.1:6380');
    proxy.faults.clear();
    proxy.faults.on('hset').fail('OOM');
    proxy.faults.on('incr').fail('LOADING');
    await expect(redis.hset('h', 'f', 'v')).rejects.toThrow(/^OOM /);
    await expect(redis.incr('n')).rejects.toThrow(/^LOADING /);
  });

  it('delays only the matching reply', async () => {
    const proxy = await start();
    const redis = redisThrough(proxy);
    await redis.ping();
    proxy.faults.on('hset', { key: 'fact:*' }).delay(800);
    expect(await elapsed(() => redis.hset('fact:1', 'f', 'v'))).toBeGreaterThanOrEqual(780);
    expect(await elapsed(() => redis.hset('other', 'f', 'v'))).toBeLessThan(400);
  });

  it('delivers a held reply before the server close that followed it', async () => {
    const proxy = await start();
    const redis = redisThrough(proxy);
    await redis.ping();
    proxy.faults.on('quit').delay(200);
    const closed = new Promise((resolve) => redis.once('end', resolve));
    expect(await elapsedValue(() => redis.quit())).toEqual({ value: 'OK', slow: true });
    await closed;
  });

  it('matches inline commands too (what redis-cli and telnet send)', async () => {
    const proxy = await start();
    proxy.faults.on('get', { key: 'inline:*' }).fail('ERR', 'inline fault');
    const socket = connect({ host: '127.0.0.1', port: proxy.port });
    let reply = '';
    socket.on('data', (chunk) => (reply += chunk.toString()));
    socket.write('PING\r\nGET inline:1\r\nGET plain:inline\r\n');
    await until(() => reply.split('\r\n').length >= 4);
    socket.destroy();
    expect(reply).toBe('+PONG\r\n-ERR inline fault\r\n$-1\r\n');
  });

  it('keeps replies in command order around a delayed one in a pipeline', async () => {
    const proxy = await start();
    const redis = redisThrough(proxy);
    proxy.faults.on('get', { key: 'slow' }).delay(100);
    proxy.faults.on('get', { key: 'bad' }).fail();
    const results = await redis.pipeline().set('slow', 'S').get('slow').get('fast').get('bad').set('fast', 'F').get('fast').exec();
    expect(results).toEqual([
      [null, 'OK'],
      [null, 'S'],
      [null, null],
      [expect.any(ReplyError)],
      [null, 'OK'],
      [null, 'F'],
    ]);
  });

  it('hangs one reply, so commandTimeout fires while other connections carry on', async () => {
    const proxy = await start();
    const stuck = redisThrough(proxy, { commandTimeout: 150 });
    const other = redisThrough(proxy);
    await Promise.all([stuck.ping(), other.ping()]);
    proxy.faults.on('get', { key: 'hung' }).times(1).hang();
    await expect(stuck.get('hung')).rejects.toThrow('Command timed out');
    expect(await other.get('hung')).toBeNull();
  });

  it('cuts the connection mid-reply on disconnect(); ioredis reconnects and resends', async () => {
    const proxy = await start();
    const redis = redisThrough(proxy, { retryStrategy: () => 20, maxRetriesPerRequest: 3 });
    await redis.set('cut', 'x'.repeat(2000));
    const seen: string[] = [];
    for (const name of ['close', 'reconnecting', 'ready']) redis.on(name, () => seen.push(name));
    proxy.faults.on('get', { key: 'cut' }).times(1).disconnect();
    expect(await redis.get('cut')).toBe('x'.repeat(2000));
    expect(seen).toEqual(['close', 'reconnecting', 'ready']);
    expect(proxy.faults.log.filter((e) => e.command === 'get').map((e) => e.outcome)).toEqual(['disconnect', 'pass']);
    expect(proxy.stats().connections.total).toBe(2);
  });

  it('resets the connection under a command: ioredis sees ECONNRESET', async () => {
    const proxy = await start();
    const redis = redisThrough(proxy);
    const codes: string[] = [];
    redis.on('error', (e: NodeJS.ErrnoException) => codes.push(String(e.code)));
    await redis.ping();
    proxy.faults.on('get').reset();
    await expect(redis.get('k')).rejects.toThrow('Connection is closed.');
    expect(codes).toContain('ECONNRESET');
    await until(() => proxy.stats().connections.active === 0);
  });

  it('replays probabilistic faults from the same seed', async () => {
    const pattern = async (seed: number): Promise<string> => {
      const proxy = await startProxy({ upstream: { port: server().port }, faults: { rules: [{ command: 'get', probability: 0.4, action: { type: 'fail', kind: 'ERR' } }] }, seed });
      const redis = redisThrough(proxy);
      const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => redis.get(`p${i}`)));
      return results.map((r) => (r.status === 'fulfilled' ? '.' : 'x')).join('');
    };
    const first = await pattern(11);
    expect(first).toContain('x');
    expect(first).toContain('.');
    expect(await pattern(11)).toBe(first);
  });

  it('passes pub/sub traffic through untouched once a connection subscribes', async () => {
    const proxy = await start();
    const subscriber = redisThrough(proxy);
    const publisher = redisThrough(proxy);
    proxy.faults.on('publish').delay(50);
    const received = new Promise<string>((resolve) => subscriber.on('message', (_channel: string, message: string) => resolve(message)));
    await subscriber.subscribe('news');
    expect(await publisher.publish('news', 'hello')).toBe(1);
    expect(await received).toBe('hello');
  });

  it('matches a key rule against every key of a multi-key command, as Redis reads them', async () => {
    const proxy = await start();
    const redis = redisThrough(proxy);
    await redis.set('plain', 'v');
    proxy.faults.on('*', { key: 'guarded:[0-9]' }).fail('READONLY');
    await expect(redis.rename('plain', 'guarded:1')).rejects.toThrow(/^READONLY /); // the second key
    await expect(redis.blpop('q1', 'guarded:2', 1)).rejects.toThrow(/^READONLY /);
    await expect(redis.xread('COUNT', 1, 'STREAMS', 'guarded:3', '0')).rejects.toThrow(/^READONLY /);
    await expect(redis.eval('return 1', 2, 'a', 'guarded:4')).rejects.toThrow(/^READONLY /);
    expect(await redis.eval('return 1', 1, 'guarded:x')).toBe(1);
    expect(await redis.set('guarded:[0-9]', 'v')).toBe('OK'); // not matched by the glob
    expect(await redis.get('plain')).toBe('v'); // the RENAME never reached Redis
    expect(proxy.faults.log.filter((entry) => entry.outcome === 'error').map((entry) => entry.keys)).toEqual([
      ['plain', 'guarded:1'],
      ['q1', 'guarded:2'],
      ['guarded:3'],
      ['a', 'guarded:4'],
    ]);
  });
});
