import type { OptionKeys } from '../internal/rejectUnknownKeys.js';
import { BLOCKING_CALL_OPTION_KEYS, CALL_OPTION_KEYS, callOptionsError, type RedisBlockingCallOptions, type RedisCallOptions } from './RedisCallOptions.js';

export type RedisKey = string | Buffer;
export type RedisValue = string | Buffer | number;

/** `SET` modifiers, typed instead of positional tokens. */
export interface SetOptions<T = unknown> extends RedisCallOptions<T> {
  /** Expire after this many seconds (EX). */
  ex?: number;
  /** Expire after this many milliseconds (PX). */
  px?: number;
  /** Only set if the key does not exist (NX). */
  nx?: boolean;
  /** Only set if the key exists (XX). */
  xx?: boolean;
  /** Keep the existing TTL (KEEPTTL). */
  keepTtl?: boolean;
}

export interface ScanOptions<T = unknown> extends RedisCallOptions<T> {
  match?: string;
  count?: number;
  /** Only keys of this type (Redis ≥ 6). */
  type?: string;
}

export interface ZMember {
  score: number;
  member: RedisValue;
}

/**
 * The commands services really use, typed, each under its category budget and breaker. The last
 * argument is always {@link RedisCallOptions} (`{ fallback, budgetMs, retry }`).
 */
export interface RedisCommands {
  get(key: RedisKey, options?: RedisCallOptions<string | null>): Promise<string | null>;
  /** Resolves `'OK'`, or `null` when NX/XX prevented the write. */
  set(key: RedisKey, value: RedisValue, options?: SetOptions<'OK' | null>): Promise<'OK' | null>;
  mget(keys: readonly RedisKey[], options?: RedisCallOptions<(string | null)[]>): Promise<(string | null)[]>;
  mset(entries: Readonly<Record<string, RedisValue>>, options?: RedisCallOptions<'OK'>): Promise<'OK'>;
  del(keys: RedisKey | readonly RedisKey[], options?: RedisCallOptions<number>): Promise<number>;
  unlink(keys: RedisKey | readonly RedisKey[], options?: RedisCallOptions<number>): Promise<number>;
  exists(keys: RedisKey | readonly RedisKey[], options?: RedisCallOptions<number>): Promise<number>;
  expire(key: RedisKey, seconds: number, options?: RedisCallOptions<number>): Promise<number>;
  pexpire(key: RedisKey, milliseconds: number, options?: RedisCallOptions<number>): Promise<number>;
  persist(key: RedisKey, options?: RedisCallOptions<number>): Promise<number>;
  ttl(key: RedisKey, options?: RedisCallOptions<number>): Promise<number>;
  pttl(key: RedisKey, options?: RedisCallOptions<number>): Promise<number>;
  incr(key: RedisKey, options?: RedisCallOptions<number>): Promise<number>;
  incrby(key: RedisKey, increment: number, options?: RedisCallOptions<number>): Promise<number>;
  decr(key: RedisKey, options?: RedisCallOptions<number>): Promise<number>;
  decrby(key: RedisKey, decrement: number, options?: RedisCallOptions<number>): Promise<number>;

  hget(key: RedisKey, field: string, options?: RedisCallOptions<string | null>): Promise<string | null>;
  hmget(key: RedisKey, fields: readonly string[], options?: RedisCallOptions<(string | null)[]>): Promise<(string | null)[]>;
  /** Sets every field of `fields`; resolves the number of new fields. */
  hset(key: RedisKey, fields: Readonly<Record<string, RedisValue>>, options?: RedisCallOptions<number>): Promise<number>;
  hgetall(key: RedisKey, options?: RedisCallOptions<Record<string, string>>): Promise<Record<string, string>>;
  hdel(key: RedisKey, fields: string | readonly string[], options?: RedisCallOptions<number>): Promise<number>;
  hexists(key: RedisKey, field: string, options?: RedisCallOptions<number>): Promise<number>;
  hincrby(key: RedisKey, field: string, increment: number, options?: RedisCallOptions<number>): Promise<number>;
  hlen(key: RedisKey, options?: RedisCallOptions<number>): Promise<number>;
  hkeys(key: RedisKey, options?: RedisCallOptions<string[]>): Promise<string[]>;

  lpush(key: RedisKey, values: RedisValue | readonly RedisValue[], options?: RedisCallOptions<number>): Promise<number>;
  rpush(key: RedisKey, values: RedisValue | readonly RedisValue[], options?: RedisCallOptions<number>): Promise<number>;
  lpop(key: RedisKey, options?: RedisCallOptions<string | null>): Promise<string | null>;
  rpop(key: RedisKey, options?: RedisCallOptions<string | null>): Promise<string | null>;
  lrange(key: RedisKey, start: number, stop: number, options?: RedisCallOptions<string[]>): Promise<string[]>;
  llen(key: RedisKey, options?: RedisCallOptions<number>): Promise<number>;
  ltrim(key: RedisKey, start: number, stop: number, options?: RedisCallOptions<'OK'>): Promise<'OK'>;

  sadd(key: RedisKey, members: RedisValue | readonly RedisValue[], options?: RedisCallOptions<number>): Promise<number>;
  srem(key: RedisKey, members: RedisValue | readonly RedisValue[], options?: RedisCallOptions<number>): Promise<number>;
  smembers(key: RedisKey, options?: RedisCallOptions<string[]>): Promise<string[]>;
  sismember(key: RedisKey, member: RedisValue, options?: RedisCallOptions<number>): Promise<number>;
  scard(key: RedisKey, options?: RedisCallOptions<number>): Promise<number>;

  zadd(key: RedisKey, members: ZMember | readonly ZMember[], options?: RedisCallOptions<number>): Promise<number>;
  zrem(key: RedisKey, members: RedisValue | readonly RedisValue[], options?: RedisCallOptions<number>): Promise<number>;
  zscore(key: RedisKey, member: RedisValue, options?: RedisCallOptions<string | null>): Promise<string | null>;
  zincrby(key: RedisKey, increment: number, member: RedisValue, options?: RedisCallOptions<string>): Promise<string>;
  zrange(key: RedisKey, start: number, stop: number, options?: RedisCallOptions<string[]>): Promise<string[]>;
  zrangebyscore(key: RedisKey, min: number | string, max: number | string, options?: RedisCallOptions<string[]>): Promise<string[]>;
  zcard(key: RedisKey, options?: RedisCallOptions<number>): Promise<number>;

  /** One SCAN step under the `redisScan` budget: `[nextCursor, keys]`. */
  scan(cursor: string | number, options?: ScanOptions<[string, string[]]>): Promise<[string, string[]]>;
  publish(channel: string, message: RedisValue, options?: RedisCallOptions<number>): Promise<number>;
  xadd(key: RedisKey, id: string, fields: Readonly<Record<string, RedisValue>>, options?: RedisCallOptions<string | null>): Promise<string | null>;
  xlen(key: RedisKey, options?: RedisCallOptions<number>): Promise<number>;
  ping(options?: RedisCallOptions<string>): Promise<string>;

  /** BLPOP on a dedicated connection; `timeoutSeconds` is honoured (plus a grace of one `redis` budget). */
  blpop(keys: RedisKey | readonly RedisKey[], timeoutSeconds: number, options?: RedisBlockingCallOptions<[string, string] | null>): Promise<[string, string] | null>;
  brpop(keys: RedisKey | readonly RedisKey[], timeoutSeconds: number, options?: RedisBlockingCallOptions<[string, string] | null>): Promise<[string, string] | null>;
}

/** {@link RedisCommands} that never rejects: a failure resolves the fallback, or `undefined`. */
export type SafeRedisCommands = {
  [K in keyof RedisCommands]: RedisCommands[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<R | undefined> : never;
};

/** What the facade needs from the manager. @internal */
export interface CommandExecutor {
  execute<T>(command: string, args: unknown[], options: RedisCallOptions<T> | undefined): Promise<T>;
  executeBlocking<T>(command: string, args: unknown[], blockMs: number, options: RedisBlockingCallOptions<T> | undefined): Promise<T>;
}

const SET_OPTION_KEYS: OptionKeys<SetOptions> = { ...CALL_OPTION_KEYS, ex: true, px: true, nx: true, xx: true, keepTtl: true };
const SCAN_OPTION_KEYS: OptionKeys<ScanOptions> = { ...CALL_OPTION_KEYS, match: true, count: true, type: true };

const list = <T>(value: T | readonly T[]): T[] => (Array.isArray(value) ? [...(value as readonly T[])] : [value as T]);

function flatEntries(entries: Readonly<Record<string, RedisValue>>, what: string): RedisValue[] {
  if (entries === null || typeof entries !== 'object') throw new TypeError(`${what} must be an object of field → value`);
  const out: RedisValue[] = [];
  for (const [k, v] of Object.entries(entries)) out.push(k, v);
  if (out.length === 0) throw new TypeError(`${what} must not be empty`);
  return out;
}

function seconds(value: number, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new RangeError(`${what} must be a non-negative number of seconds, got ${String(value)}`);
  return value;
}

/** Builds the facade over `x`. `safe` turns every rejection into the fallback or `undefined`. @internal */
export function createRedisCommands(x: CommandExecutor): RedisCommands {
  // Options are checked before the command runs (an unknown key is a TypeError naming it).
  const runWith = <T>(command: string, args: unknown[], options: RedisCallOptions<T> | undefined, known: object): Promise<T> => {
    const invalid = callOptionsError(options, known, command);
    return invalid === undefined ? x.execute<T>(command, args, options) : Promise.reject(invalid);
  };
  const run = <T>(command: string, args: unknown[], options: RedisCallOptions<T> | undefined): Promise<T> => runWith(command, args, options, CALL_OPTION_KEYS);
  const blocking = <T>(command: string, keys: RedisKey | readonly RedisKey[], timeoutSeconds: number, options: RedisBlockingCallOptions<T> | undefined): Promise<T> => {
    seconds(timeoutSeconds, `${command} timeoutSeconds`);
    const invalid = callOptionsError(options, BLOCKING_CALL_OPTION_KEYS, command);
    if (invalid !== undefined) throw invalid;
    return x.executeBlocking<T>(command, [...list(keys), timeoutSeconds], timeoutSeconds * 1000, options);
  };
  const commands: RedisCommands = {
    get: (key, o) => run('get', [key], o),
    set: (key, value, o) => {
      const args: unknown[] = [key, value];
      if (o !== undefined) {
        if (o.ex !== undefined) args.push('EX', o.ex);
        if (o.px !== undefined) args.push('PX', o.px);
        if (o.keepTtl === true) args.push('KEEPTTL');
        if (o.nx === true) args.push('NX');
        if (o.xx === true) args.push('XX');
      }
      return runWith('set', args, o, SET_OPTION_KEYS);
    },
    mget: (keys, o) => run('mget', [...keys], o),
    mset: (entries, o) => run('mset', flatEntries(entries, 'mset entries'), o),
    del: (keys, o) => run('del', list(keys), o),
    unlink: (keys, o) => run('unlink', list(keys), o),
    exists: (keys, o) => run('exists', list(keys), o),
    expire: (key, s, o) => run('expire', [key, s], o),
    pexpire: (key, ms, o) => run('pexpire', [key, ms], o),
    persist: (key, o) => run('persist', [key], o),
    ttl: (key, o) => run('ttl', [key], o),
    pttl: (key, o) => run('pttl', [key], o),
    incr: (key, o) => run('incr', [key], o),
    incrby: (key, n, o) => run('incrby', [key, n], o),
    decr: (key, o) => run('decr', [key], o),
    decrby: (key, n, o) => run('decrby', [key, n], o),

    hget: (key, field, o) => run('hget', [key, field], o),
    hmget: (key, fields, o) => run('hmget', [key, ...fields], o),
    hset: (key, fields, o) => run('hset', [key, ...flatEntries(fields, 'hset fields')], o),
    hgetall: (key, o) => run('hgetall', [key], o),
    hdel: (key, fields, o) => run('hdel', [key, ...list(fields)], o),
    hexists: (key, field, o) => run('hexists', [key, field], o),
    hincrby: (key, field, n, o) => run('hincrby', [key, field, n], o),
    hlen: (key, o) => run('hlen', [key], o),
    hkeys: (key, o) => run('hkeys', [key], o),

    lpush: (key, values, o) => run('lpush', [key, ...list(values)], o),
    rpush: (key, values, o) => run('rpush', [key, ...list(values)], o),
    lpop: (key, o) => run('lpop', [key], o),
    rpop: (key, o) => run('rpop', [key], o),
    lrange: (key, start, stop, o) => run('lrange', [key, start, stop], o),
    llen: (key, o) => run('llen', [key], o),
    ltrim: (key, start, stop, o) => run('ltrim', [key, start, stop], o),

    sadd: (key, members, o) => run('sadd', [key, ...list(members)], o),
    srem: (key, members, o) => run('srem', [key, ...list(members)], o),
    smembers: (key, o) => run('smembers', [key], o),
    sismember: (key, member, o) => run('sismember', [key, member], o),
    scard: (key, o) => run('scard', [key], o),

    zadd: (key, members, o) => run('zadd', [key, ...list(members).flatMap((m) => [m.score, m.member])], o),
    zrem: (key, members, o) => run('zrem', [key, ...list(members)], o),
    zscore: (key, member, o) => run('zscore', [key, member], o),
    zincrby: (key, n, member, o) => run('zincrby', [key, n, member], o),
    zrange: (key, start, stop, o) => run('zrange', [key, start, stop], o),
    zrangebyscore: (key, min, max, o) => run('zrangebyscore', [key, min, max], o),
    zcard: (key, o) => run('zcard', [key], o),

    scan: (cursor, o) => {
      const args: unknown[] = [String(cursor)];
      if (o?.match !== undefined) args.push('MATCH', o.match);
      if (o?.count !== undefined) args.push('COUNT', o.count);
      if (o?.type !== undefined) args.push('TYPE', o.type);
      return runWith('scan', args, o, SCAN_OPTION_KEYS);
    },
    publish: (channel, message, o) => run('publish', [channel, message], o),
    xadd: (key, id, fields, o) => run('xadd', [key, id, ...flatEntries(fields, 'xadd fields')], o),
    xlen: (key, o) => run('xlen', [key], o),
    ping: (o) => run('ping', [], o),

    blpop: (keys, t, o) => blocking('blpop', keys, t, o),
    brpop: (keys, t, o) => blocking('brpop', keys, t, o),
  };
  // Methods that validate arguments reject on bad input (a promise-returning method never
  // throws synchronously). The others go straight through, keeping GET/SET lean.
  for (const name of ['mset', 'hset', 'xadd', 'blpop', 'brpop'] as const) {
    const fn = commands[name] as (...args: unknown[]) => Promise<unknown>;
    (commands as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      try {
        return fn(...args);
      } catch (err) {
        return Promise.reject(err);
      }
    };
  }
  return commands;
}

/** Wraps every facade method so it resolves `undefined` (or the fallback) instead of rejecting. @internal */
export function createSafeRedisCommands(commands: RedisCommands, onSwallow: (command: string, error: unknown) => void): SafeRedisCommands {
  const safe: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(commands) as [string, (...args: unknown[]) => Promise<unknown>][]) {
    safe[name] = (...args: unknown[]) => {
      let pending: Promise<unknown>;
      try {
        pending = fn(...args);
      } catch (err) {
        onSwallow(name, err);
        return Promise.resolve(undefined);
      }
      return pending.then(undefined, (err: unknown) => {
        onSwallow(name, err);
        return undefined;
      });
    };
  }
  return safe as unknown as SafeRedisCommands;
}
