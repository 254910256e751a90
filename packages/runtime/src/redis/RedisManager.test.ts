import { describeWithRedis, useRedisServer } from '@asyncguard/testkit/vitest';
import { beforeAll, expect, it } from 'vitest';
import { isRedisUnavailableError } from '../errors/RedisUnavailableError.js';
import type { Logger } from '../Logger.js';
import { createRedisManager } from './getRedisManager.js';
import type { RedisManager } from './RedisManager.js';
import { handleSnapshot } from '../../tests/support/faultHarness.js';
import { useManagers } from '../../tests/support/useManagers.js';

describeWithRedis('RedisManager against a real redis-server', () => {
  const server = useRedisServer();
  const make = useManagers(server);

  it('connects lazily: no socket until the first command', async () => {
    const handles = handleSnapshot();
    // How long the first handshake takes is the machine's load, not what this is about.
    const m = make({ connectTimeoutMs: 10_000 });
    expect(m.health().state).toBe('idle');
    expect(await handles.grown()).toEqual({});
    expect(await m.redis.ping({ budgetMs: 10_000 })).toBe('PONG');
    expect(m.health().state).toBe('ready');
  });

  it('runs the typed facade: strings, hashes, lists, sets, sorted sets, expiry', async () => {
    const m = make({ keyPrefix: 'facade:' });
    const r = m.redis;
    expect(await r.set('s', 'v1')).toBe('OK');
    expect(await r.set('s', 'v2', { nx: true })).toBeNull();
    expect(await r.get('s')).toBe('v1');
    expect(await r.set('ttl', 'x', { px: 5000 })).toBe('OK');
    expect(await r.pttl('ttl')).toBeGreaterThan(4000);
    expect(await r.mset({ a: '1', b: 2 })).toBe('OK');
    expect(await r.mget(['a', 'b', 'missing'])).toEqual(['1', '2', null]);
    expect(await r.incrby('n', 5)).toBe(5);
    expect(await r.hset('h', { f1: 'x', f2: 3 })).toBe(2);
    expect(await r.hgetall('h')).toEqual({ f1: 'x', f2: '3' });
    expect(await r.hmget('h', ['f2', 'nope'])).toEqual(['3', null]);
    expect(await r.hdel('h', 'f1')).toBe(1);
    expect(await r.rpush('l', ['a', 'b', 'c'])).toBe(3);
    expect(await r.lrange('l', 0, -1)).toEqual(['a', 'b', 'c']);
    expect(await r.sadd('set', ['x', 'y'])).toBe(2);
    expect((await r.smembers('set')).sort()).toEqual(['x', 'y']);
    expect(await r.zadd('z', [{ score: 2, member: 'two' }, { score: 1, member: 'one' }])).toBe(2);
    expect(await r.zrange('z', 0, -1)).toEqual(['one', 'two']);
    expect(await r.expire('s', 100)).toBe(1);
    expect(await r.ttl('s')).toBeGreaterThan(90);
    expect(await r.del(['s', 'a', 'b'])).toBe(3);
    expect(await r.exists('s')).toBe(0);
    // The prefix really is applied on the server.
    const plain = make();
    expect(await plain.redis.get('facade:n')).toBe('5');
  });

  it('runs any command through call() and passes server errors through unchanged', async () => {
    const m = make();
    expect(await m.call('set', 'call:k', 'v')).toBe('OK');
    expect(await m.call('GET', 'call:k')).toBe('v');
    expect(await m.call('strlen', 'call:k')).toBe(1);
    await m.redis.hset('call:h', { f: 'v' });
    const wrongType = await m.redis.get('call:h').catch((e: unknown) => e);
    expect(wrongType).toBeInstanceOf(Error);
    expect((wrongType as Error).name).toBe('ReplyError');
    expect((wrongType as Error).message).toMatch(/WRONGTYPE/);
    // A server error is an answer: it neither opens the breaker nor counts as unavailable.
    expect(m.stats().calls.replyError).toBe(1);
    expect(m.stats().breaker).toBe('closed');
    await expect(m.call('subscribe', 'x')).rejects.toThrow(/use manager\.subscribe\(\)/);
    await expect(m.call('')).rejects.toThrow(/command must be a non-empty string/);
  });

  it('runs a pipeline and a MULTI under one budget', async () => {
    const m = make();
    const results = await m.pipeline((p) => {
      p.set('pipe:a', '1');
      p.incr('pipe:a');
      p.get('pipe:a');
    });
    expect(results).toEqual([
      [null, 'OK'],
      [null, 2],
      [null, '2'],
    ]);
    const tx = await m.multi((t) => {
      t.incr('pipe:a');
      t.incr('pipe:a');
    });
    expect(tx).toEqual([
      [null, 3],
      [null, 4],
    ]);
  });

  it('iterates keys with SCAN, one budget per step, applying and removing the key prefix', async () => {
    const m = make({ keyPrefix: 'scan:' });
    const other = make();
    await other.redis.mset({ 'elsewhere:1': 'x', 'elsewhere:2': 'y' });
    const written = Array.from({ length: 250 }, (_, i) => `k${i}`);
    await m.pipeline((p) => {
      for (const k of written) p.set(k, '1');
    });
    const seen = new Set<string>();
    for await (const key of m.scanIterator('k*', { count: 50 })) seen.add(key);
    expect([...seen].sort()).toEqual([...written].sort());
    expect(m.stats().calls.ok).toBeGreaterThan(5); // several SCAN steps, each a call
  });

  it('answers with the fallback (value or function) and logs why; safe never rejects', async () => {
    const lines: { fields: Record<string, unknown>; message: string }[] = [];
    const push = (fields: Record<string, unknown>, message: string): void => {
      lines.push({ fields, message });
    };
    const logger: Logger = { debug: push, info: push, warn: push, error: push };
    const m = make({ logger });
    await m.redis.hset('fb:h', { f: 'v' });
    expect(await m.redis.get('fb:h', { fallback: 'dflt' })).toBe('dflt');
    expect(await m.redis.get('fb:h', { fallback: (e) => `from ${(e as Error).name}` })).toBe('from ReplyError');
    expect(await m.safe.get('fb:h')).toBeUndefined();
    expect(await m.safe.get('fb:missing')).toBeNull();
    expect(m.stats().fallbacks).toBe(2);
    expect(lines.some((l) => /get failed \(ReplyError\); using its fallback/.test(l.message) && l.fields.reason === 'ReplyError')).toBe(true);
  });

  it('counts outcomes and latency in stats()', async () => {
    const m = make();
    for (let i = 0; i < 20; i++) await m.redis.set(`st:${i}`, 'v');
    const stats = m.stats();
    expect(stats.calls.ok).toBe(20);
    expect(stats.latency.count).toBe(20);
    expect(stats.latency.p50).toBeGreaterThan(0);
    expect(stats.latency.p99).toBeGreaterThanOrEqual(stats.latency.p50);
    expect(stats.inFlight).toBe(0);
    expect(stats.breaker).toBe('closed');
  });

  it('reports calls to an OpenTelemetry-like meter: durations in seconds under the semantic-convention name', async () => {
    const counted: Record<string, number> = {};
    const recorded: Array<{ value: number; attributes: Record<string, unknown> | undefined }> = [];
    const histograms: Array<{ name: string; unit: string | undefined }> = [];
    const meter = {
      createCounter: () => ({
        add: (n: number, attributes?: Record<string, unknown>) => {
          const key = String(attributes?.outcome);
          counted[key] = (counted[key] ?? 0) + n;
        },
      }),
      createHistogram: (name: string, options?: { unit?: string }) => {
        histograms.push({ name, unit: options?.unit });
        return { record: (value: number, attributes?: Record<string, unknown>) => void recorded.push({ value, attributes }) };
      },
    };
    const m = make({ meter });
    const started = performance.now();
    await m.redis.set('otel', '1');
    await m.redis.get('otel');
    const elapsedSeconds = (performance.now() - started) / 1000;
    expect(counted).toEqual({ ok: 2 });
    expect(histograms).toEqual([{ name: 'db.client.operation.duration', unit: 's' }]);
    expect(recorded).toHaveLength(2);
    for (const { value, attributes } of recorded) {
      expect(value).toBeGreaterThan(0);
      expect(value).toBeLessThanOrEqual(elapsedSeconds); // seconds: a millisecond value would exceed the whole run
      expect(attributes).toMatchObject({ 'db.system.name': 'redis', outcome: 'ok' });
      expect(attributes).not.toHaveProperty('error.type');
    }
  });

  it('await using closes the manager at the end of the block, leaving no socket or timer', async () => {
    const handles = handleSnapshot();
    let used: RedisManager | undefined;
    {
      await using m = createRedisManager({ url: server().url, healthIntervalMs: 50 });
      used = m;
      expect(await m.redis.ping()).toBe('PONG');
      expect(m.closed).toBe(false);
    }
    expect(used.closed).toBe(true);
    expect(used.health().state).toBe('closed');
    expect(await handles.grown()).toEqual({});
  });

  it('close() drains in-flight commands, then refuses new ones and leaves no socket or timer', async () => {
    const handles = handleSnapshot();
    const m = make({ healthIntervalMs: 50 });
    await m.redis.ping();
    const inFlight = Array.from({ length: 50 }, (_, i) => m.redis.set(`close:${i}`, 'v'));
    const closing = m.close({ drainMs: 1000 });
    const results = await Promise.allSettled(inFlight);
    await closing;
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    const after = await m.redis.get('close:1').catch((e: unknown) => e);
    expect(isRedisUnavailableError(after)).toBe(true);
    expect((after as Error).message).toMatch(/closed/);
    expect(m.health().state).toBe('closed');
    expect(await handles.grown()).toEqual({});
  });

  it('cuts what is still in flight after drainMs with outcome "unknown"', async () => {
    const m = make({ budgets: { redis: 5000 } });
    await m.redis.ping();
    // CLIENT PAUSE holds every client's commands on the server; the GET waits past the drain.
    expect(await m.call('client', 'pause', '400')).toBe('OK');
    const get = m.redis.get('x').catch((e: unknown) => e);
    await m.close({ drainMs: 50 });
    const error = await get;
    expect(isRedisUnavailableError(error)).toBe(true);
    expect((error as { outcome?: string }).outcome).toBe('unknown');
    await new Promise((resolve) => setTimeout(resolve, 400)); // let the pause end before the next test
  });
});

describeWithRedis('RedisManager credentials', () => {
  const server = useRedisServer();
  beforeAll(async () => {
    // The launcher PINGs without a password, so the password is set once the server is up.
    const setup = createRedisManager({ url: server().url, healthIntervalMs: 0 });
    await setup.call('config', 'set', 'requirepass', 's3cret-pw');
    await setup.close();
  });

  it('authenticates from the URL and never shows the password in logs, errors or health', async () => {
    const lines: string[] = [];
    const push = (fields: Record<string, unknown>, message: string): void => {
      lines.push(`${message} ${JSON.stringify(fields)}`);
    };
    const logger: Logger = { debug: push, info: push, warn: push, error: push };
    const good = createRedisManager({ url: `redis://:s3cret-pw@127.0.0.1:${server().port}`, logger, healthIntervalMs: 0 });
    const bad = createRedisManager({ url: `redis://:wrong-pw@127.0.0.1:${server().port}`, logger, healthIntervalMs: 0, budgets: { redis: 500 } });
    try {
      expect(await good.redis.set('auth', 'ok')).toBe('OK');
      const error = await bad.redis.get('auth').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      const text = [String((error as Error).message), JSON.stringify(good.health()), JSON.stringify(bad.health()), ...lines].join('\n');
      expect(text).not.toMatch(/s3cret-pw|wrong-pw/);
      expect(good.health().target).toBe(`redis://127.0.0.1:${server().port}/0`);
    } finally {
      await good.close();
      await bad.close();
    }
  });
});
