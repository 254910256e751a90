import {
  ASYNCGUARD_RUNTIME,
  IOREDIS_MODULE,
  NODE_REDIS_FACTORIES,
  NODE_REDIS_MODULES,
  REDIS_MANAGER_FACTORIES,
  isLlamaIndexModule,
  llamaKindOfClass,
  type LlamaKind,
} from '../knownApis.js';

/** A class or interface known from source, in this file or another one. */
export interface ClassLike {
  /** The value of member `name` on an instance (a field, a getter's result, or a method as a function). */
  member(name: string, depth: number): Value | null;
}

/**
 * What the module index knows a binding or an expression to be. Deliberately coarse: only what
 * the rules ask about (Redis clients, LlamaIndex objects, promises, async functions) and what is
 * needed to get there (functions, classes and their instances, namespaces, package exports).
 */
export type Value =
  | { kind: 'redis'; commandTimeout: boolean }
  | { kind: 'redisPipeline' }
  | { kind: 'redisManaged' }
  | { kind: 'llama'; llama: LlamaKind; staticClass: boolean }
  | { kind: 'promise'; of: Value | null }
  /** A callable: `call` gives the value of a call (a promise for async functions). */
  | { kind: 'function'; call: (depth: number) => Value | null }
  | { kind: 'class'; cls: ClassLike }
  | { kind: 'instance'; cls: ClassLike }
  /** A namespace or CommonJS module object of a source file. */
  | { kind: 'namespace'; member: (name: string, depth: number) => Value | null }
  /** A type alias: what a value annotated with it is. */
  | { kind: 'type'; instance: (depth: number) => Value | null }
  /** An instance of a package's class that the rules know promise-returning methods of (`worker_threads`' `Worker`). */
  | { kind: 'externalInstance'; module: string; path: string[] }
  /** An export of a package (`ioredis`'s `Redis`), `path` below the module (`['default', 'Cluster']`). */
  | { kind: 'external'; module: string; path: string[] };

export const MAX_DEPTH = 24;

export const promiseOf = (of: Value | null): Value => ({ kind: 'promise', of });

/** `await v`: the promise's content, or the value itself. */
export function awaited(v: Value | null): Value | null {
  return v?.kind === 'promise' ? v.of : v;
}

const IOREDIS_CLASSES = new Set(['Redis', 'Cluster']);
const IOREDIS_PIPELINE_TYPES = new Set(['ChainableCommander', 'Pipeline']);
const NODE_REDIS_CLIENT_TYPES = new Set(['RedisClientType', 'RedisClusterType', 'RedisSentinelType', 'RedisClientPoolType']);

/** An ioredis client class (`Redis`, `Cluster`, the default export, `Redis.Cluster`). */
function isIoredisClass(v: { module: string; path: string[] }): boolean {
  if (v.module !== IOREDIS_MODULE) return false;
  if (v.path.length === 0) return true;
  return v.path.every((part, i) => (i === 0 && (part === 'default' || part === '*')) || IOREDIS_CLASSES.has(part));
}

/** `new X(...)` of a package export. `commandTimeout` says whether the options set one. */
export function constructExternal(v: { module: string; path: string[] }, commandTimeout: boolean): Value | null {
  if (isIoredisClass(v)) return { kind: 'redis', commandTimeout };
  const last = v.path[v.path.length - 1] ?? '';
  if (v.module === ASYNCGUARD_RUNTIME && last === 'RedisManager') return { kind: 'redisManaged' };
  if (isLlamaIndexModule(v.module)) {
    const llama = llamaKindOfClass(last);
    if (llama) return { kind: 'llama', llama, staticClass: false };
  }
  return knownExternalInstance(v);
}

function knownExternalInstance(v: { module: string; path: string[] }): Value | null {
  const module = v.module.startsWith('node:') ? v.module.slice(5) : v.module;
  const last = v.path[v.path.length - 1] ?? '';
  return `${module}.${last}` in EXTERNAL_ASYNC_METHODS ? { kind: 'externalInstance', module, path: [last] } : null;
}

/** Promise-returning methods of package classes, by `module.Class`. */
const EXTERNAL_ASYNC_METHODS: Readonly<Record<string, ReadonlySet<string>>> = {
  'worker_threads.Worker': new Set(['terminate']),
  'fs/promises.FileHandle': new Set(['close', 'read', 'write', 'readFile', 'writeFile', 'stat', 'truncate', 'sync', 'datasync', 'appendFile', 'chmod', 'chown', 'utimes']),
  'child_process.ChildProcess': new Set(),
};

/** Whether `name` on an instance of a package class returns a promise. */
export function isExternalAsyncMethod(v: { module: string; path: string[] }, name: string): boolean {
  return EXTERNAL_ASYNC_METHODS[`${v.module}.${v.path[v.path.length - 1] ?? ''}`]?.has(name) ?? false;
}

/** A call of a package export (`createClient()`, `getRedisManager()`). */
export function callExternal(v: { module: string; path: string[] }, commandTimeout: boolean): Value | null {
  const last = v.path[v.path.length - 1] ?? '';
  if (NODE_REDIS_MODULES.has(v.module) && NODE_REDIS_FACTORIES.has(last)) return { kind: 'redis', commandTimeout };
  if (v.module === ASYNCGUARD_RUNTIME && REDIS_MANAGER_FACTORIES.has(last)) return { kind: 'redisManaged' };
  return null;
}

/** The value an annotation naming a package's type denotes (`x: Redis`, `Promise<Cluster>`'s argument). */
export function instanceOfExternalType(v: { module: string; path: string[] }): Value | null {
  const last = v.path[v.path.length - 1] ?? '';
  if (v.module === IOREDIS_MODULE) {
    if (IOREDIS_PIPELINE_TYPES.has(last)) return { kind: 'redisPipeline' };
    if (isIoredisClass(v)) return { kind: 'redis', commandTimeout: false };
    return null;
  }
  if (NODE_REDIS_MODULES.has(v.module) && NODE_REDIS_CLIENT_TYPES.has(last)) return { kind: 'redis', commandTimeout: false };
  return constructExternal(v, false) ?? knownExternalInstance(v);
}

/** A package export used as a value: LlamaIndex index classes are static factories. */
export function externalBinding(module: string, name: string): Value {
  return { kind: 'external', module, path: name === '*' ? [] : [name] };
}

/**
 * Several possible values (`a ?? b`, a union type, a class field assigned in several places): a
 * promise when any is one (as with types, where a union holding a promise is a promise), else the
 * Redis/LlamaIndex kind of the first known one.
 */
export function join(values: readonly (Value | null)[]): Value | null {
  const known = values.filter((v): v is Value => v !== null);
  if (known.length === 0) return null;
  const promises = known.filter((v): v is Extract<Value, { kind: 'promise' }> => v.kind === 'promise');
  if (promises.length > 0) return promiseOf(join(promises.map((p) => p.of)));
  const first = known[0]!;
  if (first.kind === 'redis') return { kind: 'redis', commandTimeout: known.every((v) => v.kind === 'redis' && v.commandTimeout) };
  return first;
}
