/**
 * Tables of the APIs the rules know without type information. Names are canonical (see
 * `Bindings.canonicalName`): `module.export` with the `node:` prefix stripped.
 */

/** Modules whose every exported function returns a promise. */
export const PROMISE_MODULES: ReadonlySet<string> = new Set(['fs/promises', 'dns/promises', 'stream/promises', 'readline/promises']);

/** Single promise-returning functions (canonical names). */
export const PROMISE_FUNCTIONS: ReadonlySet<string> = new Set([
  'fetch',
  'timers/promises.setTimeout',
  'timers/promises.setImmediate',
  'timers/promises.scheduler.wait',
  'timers/promises.scheduler.yield',
  'util.promisify',
  'Promise.resolve',
  'Promise.reject',
  'Promise.all',
  'Promise.allSettled',
  'Promise.race',
  'Promise.any',
  'events.once',
  'child_process.exec.__promisify__',
]);

/** `fs/promises` exports that are not functions returning a promise. */
export const NON_PROMISE_FS_EXPORTS: ReadonlySet<string> = new Set(['constants', 'default']);

/** ioredis client methods that do not touch the network (or return a non-promise). */
export const REDIS_LOCAL_METHODS: ReadonlySet<string> = new Set([
  'pipeline', 'multi', 'duplicate', 'on', 'once', 'off', 'addListener', 'removeListener', 'removeAllListeners',
  'prependListener', 'prependOnceListener', 'emit', 'listeners', 'listenerCount', 'eventNames', 'setMaxListeners',
  'getMaxListeners', 'defineCommand', 'disconnect', 'nodes', 'status', 'options', 'createBuiltinCommand',
  'scanStream', 'sscanStream', 'hscanStream', 'zscanStream', 'scanBufferStream', 'sscanBufferStream',
  'hscanBufferStream', 'zscanBufferStream', 'monitor', 'end', 'stream', 'toString', 'valueOf',
]);

/** Redis commands (lower case). A client method with one of these names (or `<name>Buffer`) is a network call. */
export const REDIS_COMMANDS: ReadonlySet<string> = new Set(
  `append auth bgrewriteaof bgsave bitcount bitfield bitop bitpos blmove blmpop blpop brpop brpoplpush bzmpop
  bzpopmax bzpopmin call client cluster command config copy dbsize decr decrby del discard dump echo eval evalsha
  evalsha_ro eval_ro exec exists expire expireat expiretime fcall flushall flushdb geoadd geodist geohash geopos
  georadius georadiusbymember geosearch geosearchstore get getbit getdel getex getrange getset hdel hexists hget
  hgetall hincrby hincrbyfloat hkeys hlen hmget hmset hrandfield hscan hset hsetnx hstrlen hvals incr incrby
  incrbyfloat info keys lastsave lindex linsert llen lmove lmpop lpop lpos lpush lpushx lrange lrem lset ltrim
  memory mget migrate move mset msetnx object persist pexpire pexpireat pexpiretime pfadd pfcount pfmerge ping
  psetex psubscribe pttl publish pubsub punsubscribe quit randomkey rename renamenx restore role rpop rpoplpush
  rpush rpushx sadd save scan scard script sdiff sdiffstore select send_command sendCommand set setbit setex setnx
  setrange sinter sintercard sinterstore sismember slaveof smembers smismember smove sort sort_ro spop spublish
  srandmember srem sscan ssubscribe strlen subscribe sunion sunionstore sunsubscribe swapdb time touch ttl type
  unlink unsubscribe unwatch wait watch xack xadd xautoclaim xclaim xdel xgroup xinfo xlen xpending xrange xread
  xreadgroup xrevrange xtrim zadd zcard zcount zdiff zdiffstore zincrby zinter zintercard zinterstore zlexcount
  zmpop zmscore zpopmax zpopmin zrandmember zrange zrangebylex zrangebyscore zrangestore zrank zrem
  zremrangebylex zremrangebyrank zremrangebyscore zrevrange zrevrangebylex zrevrangebyscore zrevrank zscan zscore
  zunion zunionstore connect`
    .split(/\s+/)
    .filter(Boolean),
);

/** The Redis SCAN family: the `redisScan` budget. */
export const REDIS_SCAN_COMMANDS: ReadonlySet<string> = new Set(['scan', 'sscan', 'hscan', 'zscan']);

/**
 * Blocking Redis commands whose last argument is a timeout in seconds (0 = forever).
 * XREAD/XREADGROUP take `BLOCK <ms>` instead and are handled separately.
 */
export const REDIS_BLOCKING_LAST_ARG_SECONDS: ReadonlySet<string> = new Set([
  'blpop', 'brpop', 'brpoplpush', 'blmove', 'bzpopmin', 'bzpopmax',
]);
/** Blocking commands whose timeout (seconds) is the first argument. */
export const REDIS_BLOCKING_FIRST_ARG_SECONDS: ReadonlySet<string> = new Set(['blmpop', 'bzmpop']);
export const REDIS_BLOCKING_STREAM_COMMANDS: ReadonlySet<string> = new Set(['xread', 'xreadgroup']);

/** Redis command name of a client method: `getBuffer` → `get`; null when not a command. */
export function redisCommandOf(method: string): string | null {
  if (REDIS_LOCAL_METHODS.has(method)) return null;
  const lower = method.toLowerCase();
  if (REDIS_COMMANDS.has(lower)) return lower;
  if (lower.endsWith('buffer')) {
    const base = lower.slice(0, -'buffer'.length);
    if (REDIS_COMMANDS.has(base)) return base;
  }
  return null;
}

/** ioredis exports that construct a client. */
export const IOREDIS_MODULE = 'ioredis';
export const IOREDIS_CLIENT_EXPORTS: ReadonlySet<string> = new Set(['default', '*', 'Redis', 'Cluster']);
/** node-redis factories. */
export const NODE_REDIS_MODULES: ReadonlySet<string> = new Set(['redis', '@redis/client']);
export const NODE_REDIS_FACTORIES: ReadonlySet<string> = new Set(['createClient', 'createCluster', 'createSentinel']);

/** asyncguard's managed Redis: calls through these are protected by the manager's budgets. */
export const ASYNCGUARD_RUNTIME = '@asyncguard/runtime';
export const REDIS_MANAGER_FACTORIES: ReadonlySet<string> = new Set(['getRedisManager', 'createRedisManager']);

/** The LlamaIndex packages. */
export function isLlamaIndexModule(module: string): boolean {
  return module === 'llamaindex' || module.startsWith('llamaindex/') || module.startsWith('@llamaindex/');
}

export type LlamaKind = 'index' | 'queryEngine' | 'retriever' | 'chatEngine' | 'embedding';

/** Methods on an index (or index class) that produce other LlamaIndex objects. */
export const LLAMA_FACTORY_METHODS: Readonly<Record<string, LlamaKind>> = {
  asQueryEngine: 'queryEngine',
  asRetriever: 'retriever',
  asChatEngine: 'chatEngine',
};

/** Static index constructors (`VectorStoreIndex.fromDocuments(...)`) and their category. */
export const LLAMA_STATIC_IO: Readonly<Record<string, 'indexing' | 'llamaindex'>> = {
  fromDocuments: 'indexing',
  fromVectorStore: 'llamaindex',
  fromVectorStores: 'llamaindex',
  init: 'llamaindex',
};

/** Network-bound methods by receiver kind, with their budget category. */
export const LLAMA_IO_METHODS: Readonly<Record<LlamaKind, Readonly<Record<string, 'search' | 'llamaindex' | 'indexing'>>>> = {
  index: { insert: 'indexing', insertNodes: 'indexing', deleteRefDoc: 'indexing', refreshDocuments: 'indexing' },
  queryEngine: { query: 'search' },
  retriever: { retrieve: 'search' },
  chatEngine: { chat: 'llamaindex' },
  embedding: { getTextEmbedding: 'llamaindex', getTextEmbeddings: 'llamaindex', getQueryEmbedding: 'llamaindex', getTextEmbeddingsBatch: 'llamaindex' },
};

/** LlamaIndex classes whose instances are engines, by the kind of their instances. */
export function llamaKindOfClass(name: string): LlamaKind | null {
  if (/Index$/.test(name)) return 'index';
  if (/QueryEngine$/.test(name)) return 'queryEngine';
  if (/Retriever$/.test(name)) return 'retriever';
  if (/ChatEngine$/.test(name)) return 'chatEngine';
  if (/Embedding$/.test(name)) return 'embedding';
  return null;
}

/** Every method name LlamaIndex calls go through, for the typed check. */
export const LLAMA_METHOD_CATEGORY: Readonly<Record<string, 'search' | 'llamaindex' | 'indexing'>> = Object.assign(
  {},
  ...Object.values(LLAMA_IO_METHODS),
  { fromDocuments: 'indexing' },
);
