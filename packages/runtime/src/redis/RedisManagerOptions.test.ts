import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../CircuitBreaker.js';
import { resolveRedisManagerOptions } from './RedisManagerOptions.js';

describe('resolveRedisManagerOptions', () => {
  it('reads URL parts, and the description never carries credentials', () => {
    const o = resolveRedisManagerOptions({ url: 'rediss://user:p%40ss@cache.internal:6380/3' });
    expect(o).toMatchObject({ host: 'cache.internal', port: 6380, db: 3, tls: true, username: 'user', password: 'p@ss', mode: 'standalone' });
    expect(o.description).toBe('rediss://cache.internal:6380/3');
    expect(o.secrets).toEqual(['p@ss', 'p%40ss']); // decoded and as written
  });

  it('applies the defaults: DEFAULT_BUDGETS, a 5-failure breaker, 3 read attempts, bounded queues', () => {
    const o = resolveRedisManagerOptions();
    expect(o.budgets.redis).toBe(2000);
    expect(o.budgets.redisScan).toBe(2000);
    expect(o.connectTimeoutMs).toBe(2000);
    expect(o.breaker).toBeInstanceOf(CircuitBreaker);
    expect(o.retry).toMatchObject({ maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 250 });
    expect(o.bulkhead).toEqual({ maxConcurrent: 10_000, maxQueue: 1000 });
    expect(o.healthIntervalMs).toBe(5000);
  });

  it('takes Sentinel and Cluster settings', () => {
    const s = resolveRedisManagerOptions({ sentinel: { sentinels: [{ host: 'a', port: 26379 }], name: 'mymaster', sentinelPassword: 'sp' } });
    expect(s.mode).toBe('sentinel');
    expect(s.description).toBe('redis-sentinel://a:26379/mymaster');
    expect(s.secrets).toEqual(['sp']);
    const c = resolveRedisManagerOptions({ cluster: { nodes: ['redis://n1:7000', { host: 'n2', port: 7001 }] } });
    expect(c.mode).toBe('cluster');
    expect(c.cluster?.nodes).toEqual([
      { host: 'n1', port: 7000 },
      { host: 'n2', port: 7001 },
    ]);
  });

  it('uses a given CircuitBreaker as is, or none with breaker: false', () => {
    const shared = new CircuitBreaker({ consecutiveFailures: 2 });
    expect(resolveRedisManagerOptions({ breaker: shared }).breaker).toBe(shared);
    expect(resolveRedisManagerOptions({ breaker: false }).breaker).toBe(false);
    expect(resolveRedisManagerOptions({ retry: false }).retry).toBe(false);
  });

  it.each([
    [{ port: 70000 }, /port must be an integer from 1 to 65535/],
    [{ url: 'http://x' }, /url must start with redis:\/\/ or rediss:\/\//],
    [{ url: 'redis://:hunter2@[bad' }, /url is not a valid URL/],
    [{ budgets: { redsi: 1 } as never }, /unknown budget category "redsi"/],
    [{ budgets: { redis: -5 } }, /budgets\.redis must not be negative/],
    [{ bulkhead: { maxConcurrent: 0 } }, /bulkhead\.maxConcurrent must be an integer >= 1/],
    [{ blockingPool: { max: 1.5 } }, /blockingPool\.max must be an integer >= 1/],
    [{ healthIntervalMs: Number.NaN }, /healthIntervalMs must be a number/],
    [{ sentinel: { sentinels: [], name: 'm' } }, /sentinel\.sentinels must list at least one/],
    [{ cluster: { nodes: [] } }, /cluster\.nodes must list at least one seed node/],
    [{ cluster: { nodes: ['redis://a:1'] }, sentinel: { sentinels: [{ host: 'a', port: 1 }], name: 'm' } }, /mutually exclusive/],
    [{ breaker: { consecutiveFailures: 0 } }, /RedisManager: breaker\.consecutiveFailures must be a positive integer/],
    [{ breaker: { halfOpenAfter: 5 } as never }, /RedisManager: unknown option "breaker\.halfOpenAfter"/],
    [{ breaker: { failureRate: { threshold: 0.5, window: 1 } } as never }, /RedisManager: unknown option "breaker\.failureRate\.window"/],
    [{ breaker: { halfOpenOnPing: 'yes' } as never }, /breaker\.halfOpenOnPing must be a boolean/],
    [{ retry: { attempts: 2 } as never }, /RedisManager: unknown option "retry\.attempts"/],
    [{ reconnect: { maxDelay: 2 } as never }, /RedisManager: unknown option "reconnect\.maxDelay"/],
    [{ reconnect: 5 as never }, /RedisManager: reconnect must be an object/],
    [{ bulkhead: { max: 2 } as never }, /RedisManager: unknown option "bulkhead\.max"/],
    [{ blockingPool: { size: 2 } as never }, /RedisManager: unknown option "blockingPool\.size"/],
    [{ cluster: { nodes: ['redis://a:1'], readFrom: 'slave' } as never }, /RedisManager: unknown option "cluster\.readFrom"/],
    [{ sentinel: { sentinels: [{ host: 'a', port: 1 }], name: 'm', password: 'x' } as never }, /RedisManager: unknown option "sentinel\.password"/],
    [{ budgets: { redis: 0 } }, /RedisManager: budgets\.redis must be greater than 0 \(it is also the connect timeout/],
    [{ budgets: { redis: 0 }, connectTimeoutMs: 100 }, /RedisManager: budgets\.redis must be greater than 0$/],
    [{ budgets: { redisScan: 0 } }, /RedisManager: budgets\.redisScan must be greater than 0/],
    [{ connectTimeoutMs: 0 }, /RedisManager: connectTimeoutMs must be greater than 0/],
    [{ url: 'redis://' }, /RedisManager: url has no host/],
    [{ url: 'redis:///0' }, /RedisManager: url has no host/],
    [{ url: 'redis://:50%zz@h' }, /RedisManager: url password holds a malformed percent-escape/],
    [{ url: 'redis://us%e0r:pw@h' }, /RedisManager: url user name holds a malformed percent-escape/],
    [{ url: 'redis://us/er:pw@h' }, /RedisManager: url has an '@' after its user-info/],
    [{ url: 'redis://:pa/ss@h' }, /RedisManager: url is not a valid URL: "redis:\/\/\*\*\*@h" \(write '%'/],
    [{ url: 'ftp://h' }, /url must start with redis:\/\/ or rediss:\/\/$/],
    [{ cluster: { nodes: ['redis://'] } }, /RedisManager: cluster\.nodes\[0\] has no host/],
    [{ retry: { factor: 0.5 } }, /retry\.factor must be a finite number >= 1/],
    [{ logger: { warn: () => undefined } as never }, /logger must have debug, info, warn and error/],
    [{ colour: 'red' } as never, /unknown option "colour"/],
  ])('names the bad option %j', (options, message) => {
    expect(() => resolveRedisManagerOptions(options)).toThrow(message);
  });

  it('accepts an unencoded @ inside the user-info (the last @ ends it) and keeps the host', () => {
    const o = resolveRedisManagerOptions({ url: 'redis://me:p@ss@cache:7000' });
    expect(o).toMatchObject({ host: 'cache', port: 7000, username: 'me', password: 'p@ss' });
  });

  it('never echoes a password in a URL error', () => {
    let message = '';
    try {
      resolveRedisManagerOptions({ url: 'redis://:hunter2@[bad' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/not a valid URL/);
    expect(message).not.toContain('hunter2');
  });
});
