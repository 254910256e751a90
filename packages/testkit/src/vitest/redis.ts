import { afterAll, beforeAll, describe } from 'vitest';
import { findRedisServerBinary, RedisServerNotFoundError } from '../redis/findRedisServer.js';
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
 * Starts a real redis-server before the suite's tests and stops it after them, even when a
 * test fails. Call it inside a `describe`; read the server from the returned function.
 */
export function useRedisServer(options?: RedisServerOptions): () => RedisServer {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedisServer(options);
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (server === undefined) throw new Error('useRedisServer(): the server is only available inside tests and hooks of its suite');
    return server;
  };
}
