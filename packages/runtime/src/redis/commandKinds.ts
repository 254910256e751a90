/**
 * How the manager treats each command: reads may be retried, writes are not retried by default,
 * blocking and subscriber commands go to a dedicated connection, SCAN-family steps use the
 * `redisScan` budget. Commands not listed are treated as writes (never retried), the safe choice.
 */
export type CommandKind = 'read' | 'write' | 'blocking' | 'subscribe';

const READS = [
  'get', 'mget', 'getrange', 'strlen', 'exists', 'type', 'ttl', 'pttl', 'expiretime', 'pexpiretime',
  'hget', 'hmget', 'hgetall', 'hexists', 'hlen', 'hkeys', 'hvals', 'hstrlen', 'hrandfield',
  'llen', 'lrange', 'lindex', 'lpos',
  'scard', 'smembers', 'sismember', 'smismember', 'srandmember', 'sinter', 'sunion', 'sdiff', 'sintercard',
  'zcard', 'zscore', 'zmscore', 'zrank', 'zrevrank', 'zcount', 'zlexcount', 'zrange', 'zrangebyscore', 'zrevrange',
  'zrevrangebyscore', 'zrangebylex', 'zrevrangebylex', 'zrandmember',
  'xrange', 'xrevrange', 'xlen', 'xinfo', 'xpending',
  'pfcount', 'getbit', 'bitcount', 'bitpos', 'geopos', 'geodist', 'geohash', 'geosearch',
  'scan', 'hscan', 'sscan', 'zscan', 'dbsize', 'ping', 'echo', 'time', 'info', 'memory', 'object',
  'randomkey', 'touch', 'dump', 'lcs',
] as const;

const BLOCKING = ['blpop', 'brpop', 'blmove', 'brpoplpush', 'bzpopmin', 'bzpopmax', 'blmpop', 'bzmpop', 'xread', 'xreadgroup', 'wait', 'waitaof'] as const;

const SUBSCRIBE = ['subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe', 'monitor'] as const;

const SCAN_BUDGET = new Set<string>(['scan', 'hscan', 'sscan', 'zscan']);

const kinds = new Map<string, CommandKind>();
for (const c of READS) kinds.set(c, 'read');
for (const c of BLOCKING) kinds.set(c, 'blocking');
for (const c of SUBSCRIBE) kinds.set(c, 'subscribe');

/** Per spelling of a command name, what the hot path asks (so no `toLowerCase()` per call). */
const memo = new Map<string, { kind: CommandKind; scanBudget: boolean }>();
/** Arbitrary names can be passed (`manager.call`); past this many spellings, stop memoising. */
const MEMO_MAX = 1024;

function infoOf(command: string): { kind: CommandKind; scanBudget: boolean } {
  let info = memo.get(command);
  if (info === undefined) {
    const name = command.toLowerCase();
    info = { kind: kinds.get(name) ?? 'write', scanBudget: SCAN_BUDGET.has(name) };
    if (memo.size < MEMO_MAX) memo.set(command, info);
  }
  return info;
}

/** The kind of `command` (case-insensitive); unknown commands are writes. */
export function commandKind(command: string): CommandKind {
  return infoOf(command).kind;
}

/** Whether `command` uses the `redisScan` budget instead of `redis`. */
export function usesScanBudget(command: string): boolean {
  return infoOf(command).scanBudget;
}

/**
 * XREAD/XREADGROUP only block with a BLOCK argument; without it they are ordinary reads.
 */
export function isBlockingInvocation(command: string, args: readonly unknown[]): boolean {
  const name = command.toLowerCase();
  if (name === 'xread' || name === 'xreadgroup') {
    return args.some((a) => typeof a === 'string' && a.toLowerCase() === 'block');
  }
  return kinds.get(name) === 'blocking';
}
