import { afterAll, beforeAll, describe } from 'vitest';
import { findRedisServerBinary, RedisServerNotFoundError } from '../redis/findRedisServer.js';
import { ChaosProxy, type ChaosProxyOptions } from '../redis/proxy/ChaosProxy.js';
import { startRedisCluster, type RedisCluster, type RedisClusterOptions } from '../redis/startRedisCluster.js';
import { startRedisServer, type RedisServer, type RedisServerOptions } from '../redis/startRedisServer.js';

let warned = false;

/**
 * Whether Redis-backed tests can run here. Without a redis-server binary they are skipped
 * with one line saying how to install it, except under CI (`CI` set), where a skipped Redis
 * test would hide a gap: there the missing binary is an error.
 */
export function redisTestsAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  let binary: string | undefined;
  let problem: RedisServerNotFoundError | undefined;
  try {
    binary = findRedisServerBinary(env);
  } catch (err) {
    if (!(err instanceof RedisServerNotFoundError)) throw err;
    problem = err;
  }
  if (binary !== undefined) return true;
  problem ??= new RedisServerNotFoundError('redis-server', 'not on PATH and REDIS_SERVER_BIN is not set');
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  if (ci) throw problem;
  if (!warned) {
    warned = true;
    process.stderr.write(`[asyncguard] skipping Redis tests: ${problem.message}\n`);
  }
  return false;
}

/** `describe` that runs when a redis-server binary is available (see {@link redisTestsAvailable}). */
export const describeWithRedis: ReturnType<typeof describe.runIf> = describe.runIf(redisTestsAvailable());

/**
 * Starts `start()` before the suite's tests and disposes of it after them, even when a test fails.
 * The returned function reads it inside the suite's tests and hooks.
 */
function useBeforeAll<T extends AsyncDisposable>(helper: string, start: () => Promise<T>): () => T {
  let value: T | undefined;
  beforeAll(async () => {
    value = await start();
  });
  afterAll(async () => {
    await value?.[Symbol.asyncDispose]();
  });
  return () => {
    if (value === undefined) throw new Error(`${helper}(): only available inside tests and hooks of its suite, after its beforeAll`);
    return value;
  };
}

/**
 * Starts a real redis-server before the suite's tests and stops it after them, even when a
 * test fails. Call it inside a `describe`; read the server from the returned function.
 */
export function useRedisServer(options?: RedisServerOptions): () => RedisServer {
  return useBeforeAll('useRedisServer', () => startRedisServer(options));
}

/**
 * Starts a local Redis Cluster (real redis-server nodes) before the suite's tests and stops every
 * node after them. Call it inside a `describe`; read the cluster from the returned function.
 */
export function useRedisCluster(options?: RedisClusterOptions): () => RedisCluster {
  return useBeforeAll('useRedisCluster', () => startRedisCluster(options));
}

/**
 * Starts a ChaosProxy before the suite's tests and stops it after them. The options may be a
 * function, read in `beforeAll`, so the upstream can be a server another helper started first:
 * `const proxy = useChaosProxy(() => ({ upstream: { port: server().port } }))`.
 */
export function useChaosProxy(options: ChaosProxyOptions | (() => ChaosProxyOptions)): () => ChaosProxy {
  return useBeforeAll('useChaosProxy', async () => {
    const proxy = new ChaosProxy(typeof options === 'function' ? options() : options);
    await proxy.start();
    return proxy;
  });
}
