// Helpers shared by the ChaosProxy tests (not part of the public API).
import { Redis, type RedisOptions } from 'ioredis';
import { afterEach } from 'vitest';
import { ChaosProxy, type ChaosProxyOptions } from '../../src/redis/proxy/ChaosProxy.js';

const proxies: ChaosProxy[] = [];
const clients: Redis[] = [];

/** Registers an afterEach that closes every proxy and client the test made. */
export function cleanUpProxies(): void {
  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
  });
}

export async function startProxy(options: ChaosProxyOptions): Promise<ChaosProxy> {
  const proxy = new ChaosProxy({ seed: 1, ...options });
  proxies.push(proxy);
  await proxy.start();
  return proxy;
}

/** An ioredis client through `proxy` that gives up instead of retrying forever. */
export function redisThrough(proxy: ChaosProxy, options: RedisOptions = {}): Redis {
  const redis = new Redis({
    host: '127.0.0.1',
    port: proxy.port,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    ...options,
  });
  redis.on('error', () => undefined);
  clients.push(redis);
  return redis;
}

export async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function elapsed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/**
 * Records every timer created while it is installed; `pending()` counts those neither fired nor
 * cleared (read through Node's `_destroyed` flag on Timeout objects).
 */
export function watchTimers(): { pending(): number; restore(): void } {
  const original = globalThis.setTimeout;
  const created: NodeJS.Timeout[] = [];
  const patched = ((...args: Parameters<typeof setTimeout>) => {
    const timer = original(...args);
    created.push(timer);
    return timer;
  }) as typeof setTimeout;
  globalThis.setTimeout = Object.assign(patched, original);
  return {
    pending: () => created.filter((t) => (t as unknown as { _destroyed: boolean })._destroyed !== true).length,
    restore: () => {
      globalThis.setTimeout = original;
    },
  };
}
