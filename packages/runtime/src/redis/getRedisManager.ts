import { RedisManager } from './RedisManager.js';
import type { RedisManagerOptions } from './RedisManagerOptions.js';
import { rejectUnknownKeys } from '../internal/rejectUnknownKeys.js';
import { CLOSE_OPTION_KEYS, type RedisCloseOptions } from './RedisCallOptions.js';

const registry = new Map<string, { manager: RedisManager; fingerprint: string }>();
const live = new Set<RedisManager>();

/** A stable description of the options that matter for identity (functions and objects by kind). */
function fingerprint(options: RedisManagerOptions): string {
  return JSON.stringify(options, (_key, value: unknown) => {
    if (typeof value === 'function') return `[function ${(value as { name?: string }).name ?? ''}]`;
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype) {
      return `[${(value as object).constructor?.name ?? 'object'}]`;
    }
    return value;
  });
}

function track(manager: RedisManager): RedisManager {
  live.add(manager);
  // close() called directly also forgets the manager, so the name can be registered again.
  manager._onClose = () => {
    const entry = registry.get(manager.name);
    if (entry?.manager === manager) registry.delete(manager.name);
    live.delete(manager);
  };
  return manager;
}

/**
 * The shared manager named `options.name` (default `'default'`), created on first use: any
 * module calling `getRedisManager()` gets the same pooled instance. Nothing connects until the
 * first command. Without options the manager uses `REDIS_URL`, else `redis://127.0.0.1:6379`.
 *
 * Asking again for an existing name with different options throws (two parts of a service
 * silently sharing a manager configured for only one of them is a bug); pass no options, only
 * `{ name }`, or the same options to get the existing instance.
 */
export function getRedisManager(options?: RedisManagerOptions): RedisManager {
  const name = options?.name ?? 'default';
  const existing = registry.get(name);
  if (existing !== undefined) {
    const nameOnly = options !== undefined && Object.keys(options).every((k) => k === 'name');
    if (options !== undefined && !nameOnly && fingerprint(options) !== existing.fingerprint) {
      throw new TypeError(`getRedisManager: a manager named "${name}" already exists with different options; use the same options, none, or createRedisManager() for a separate one`);
    }
    return existing.manager;
  }
  const effective: RedisManagerOptions = options ?? {};
  const resolved: RedisManagerOptions =
    effective.url === undefined && effective.host === undefined && effective.port === undefined && effective.cluster === undefined && effective.sentinel === undefined && process.env.REDIS_URL
      ? { ...effective, url: process.env.REDIS_URL }
      : effective;
  const manager = track(new RedisManager(resolved));
  registry.set(name, { manager, fingerprint: fingerprint(effective) });
  return manager;
}

/** A new manager outside the registry, for explicit wiring (tests, several Redis deployments). */
export function createRedisManager(options: RedisManagerOptions): RedisManager {
  return track(new RedisManager(options));
}

/** Closes every manager made by `getRedisManager`/`createRedisManager`; for shutdown hooks. */
export async function closeAllRedisManagers(options?: RedisCloseOptions): Promise<void> {
  // Checked here too: with no manager alive, close() would never see a misspelt option.
  if (options !== undefined) rejectUnknownKeys(options, CLOSE_OPTION_KEYS, 'closeAllRedisManagers');
  const managers = [...live];
  await Promise.all(managers.map((m) => m.close(options)));
}
