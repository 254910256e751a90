import { BaseKVStore, DEFAULT_COLLECTION, type StoredValue } from 'llamaindex';
import type { RedisManager } from '../redis/RedisManager.js';
import { type OptionKeys, rejectUnknownKeys } from '../internal/rejectUnknownKeys.js';

export interface RedisKVStoreOptions {
  /** Prefix of the Redis keys: each collection is the hash `<namespace>:<collection>`. Default `llamaindex`. */
  namespace?: string;
}

const OPTION_KEYS: OptionKeys<RedisKVStoreOptions> = { namespace: true };

/**
 * LlamaIndex's `BaseKVStore` on a {@link RedisManager}: every call runs under the manager's
 * budgets and breaker. A collection is one Redis hash (field = key, value = JSON), so a
 * `KVDocumentStore` / `KVIndexStore` built on it persists in Redis:
 *
 * ```ts
 * const kv = new RedisKVStore(getRedisManager());
 * const storageContext = await storageContextFromDefaults({
 *   docStore: new KVDocumentStore(kv, 'docstore'), indexStore: new KVIndexStore(kv, 'index_store'),
 * });
 * ```
 * (Give the two stores different namespaces: both default to the same one, and would then
 * share a collection.)
 */
export class RedisKVStore extends BaseKVStore {
  readonly namespace: string;

  constructor(
    readonly manager: RedisManager,
    options: RedisKVStoreOptions = {},
  ) {
    super();
    if (manager === null || typeof manager !== 'object' || typeof manager.redis?.hget !== 'function') {
      throw new TypeError('RedisKVStore: manager must be a RedisManager (getRedisManager())');
    }
    rejectUnknownKeys(options, OPTION_KEYS, 'RedisKVStore');
    const namespace = options.namespace ?? 'llamaindex';
    if (typeof namespace !== 'string' || namespace === '') throw new TypeError('RedisKVStore: namespace must be a non-empty string');
    this.namespace = namespace;
  }

  private key(collection: string | undefined): string {
    return `${this.namespace}:${collection ?? DEFAULT_COLLECTION}`;
  }

  async put(key: string, val: StoredValue, collection?: string): Promise<void> {
    await this.manager.redis.hset(this.key(collection), { [key]: JSON.stringify(val) });
  }

  async get(key: string, collection?: string): Promise<StoredValue> {
    const raw = await this.manager.redis.hget(this.key(collection), key);
    return raw === null ? null : (JSON.parse(raw) as StoredValue);
  }

  async getAll(collection?: string): Promise<Record<string, StoredValue>> {
    const all = await this.manager.redis.hgetall(this.key(collection));
    const out: Record<string, StoredValue> = {};
    for (const [k, v] of Object.entries(all)) out[k] = JSON.parse(v) as StoredValue;
    return out;
  }

  async delete(key: string, collection?: string): Promise<boolean> {
    return (await this.manager.redis.hdel(this.key(collection), key)) > 0;
  }
}
