import { afterEach } from 'vitest';
import { createRedisManager, type RedisManager, type RedisManagerOptions } from '../../src/index.js';

/**
 * A `make(options)` for tests against one redis-server: each manager it makes points at
 * `server().url` with no health timer (plus `defaults`, then `options`), and is closed after
 * the test that made it. Call it in a describe body, after the server's `useRedisServer()`.
 */
export function useManagers(server: () => { url: string }, defaults: RedisManagerOptions = {}): (options?: RedisManagerOptions) => RedisManager {
  const managers: RedisManager[] = [];
  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.close()));
  });
  return (options = {}) => {
    const m = createRedisManager({ url: server().url, healthIntervalMs: 0, ...defaults, ...options });
    managers.push(m);
    return m;
  };
}
