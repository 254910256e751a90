/** An argument as a client sends it. */
export type CommandArg = string | Buffer | number;

const KEYLESS = new Set([
  'ping', 'echo', 'info', 'select', 'auth', 'hello', 'client', 'config', 'command', 'dbsize', 'flushdb', 'flushall',
  'time', 'quit', 'multi', 'exec', 'discard', 'unwatch', 'publish', 'subscribe', 'psubscribe', 'unsubscribe',
  'punsubscribe', 'pubsub', 'script', 'cluster', 'readonly', 'readwrite', 'role', 'lastsave', 'save', 'bgsave',
  'bgrewriteaof', 'slowlog', 'memory', 'latency', 'monitor', 'debug', 'shutdown', 'randomkey', 'scan', 'wait',
  'function', 'acl', 'module', 'swapdb', 'reset', 'failover', 'replicaof', 'slaveof', 'keys',
]);
/** Commands whose every argument is a key. */
const ALL_KEYS = new Set(['del', 'unlink', 'exists', 'touch', 'watch', 'mget', 'sinter', 'sunion', 'sdiff', 'pfcount']);
/** Commands with alternating key/value arguments. */
const PAIRS = new Set(['mset', 'msetnx']);
/** Commands whose keys follow a count: `EVAL script numkeys key...`. */
const COUNTED = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);

function text(arg: CommandArg): string {
  return typeof arg === 'string' ? arg : Buffer.isBuffer(arg) ? arg.toString('latin1') : String(arg);
}

/**
 * The keys a Redis command touches, as far as fault matching needs them: none for keyless
 * commands, every key for multi-key ones (DEL, MGET, MSET, EVAL...), else the first argument.
 * `command` is lower-case.
 */
export function commandKeys(command: string, args: readonly CommandArg[]): string[] {
  if (KEYLESS.has(command) || args.length === 0) return [];
  if (ALL_KEYS.has(command)) return args.map(text);
  if (PAIRS.has(command)) return args.filter((_, i) => i % 2 === 0).map(text);
  if (COUNTED.has(command)) {
    const count = Number(text(args[1] ?? '0'));
    if (!Number.isInteger(count) || count <= 0) return [];
    return args.slice(2, 2 + count).map(text);
  }
  return [text(args[0] as CommandArg)];
}
