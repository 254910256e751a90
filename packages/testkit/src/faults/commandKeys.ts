import { getKeyIndexes, list } from '@ioredis/commands';

/** An argument as a client sends it. */
export type CommandArg = string | Buffer | number;

/**
 * Subcommands of container commands that take a key, always right after the subcommand name.
 * `@ioredis/commands` lists OBJECT, MEMORY, XINFO and XGROUP as keyless containers; Redis reads
 * a key from these subcommands.
 */
const KEYED_SUBCOMMANDS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['object', new Set(['encoding', 'freq', 'idletime', 'refcount'])],
  ['memory', new Set(['usage'])],
  ['xinfo', new Set(['consumers', 'groups', 'stream'])],
  ['xgroup', new Set(['create', 'createconsumer', 'delconsumer', 'destroy', 'setid'])],
]);

/**
 * Commands whose keys follow a count, as `[index of the count, keys before the count]`:
 * `EVAL script numkeys key...`, `ZUNIONSTORE dest numkeys key...`.
 */
const COUNTED: ReadonlyMap<string, readonly [number, readonly number[]]> = new Map<string, readonly [number, readonly number[]]>([
  ...['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro', 'blmpop', 'bzmpop'].map((name) => [name, [1, []]] as const),
  ...['zunionstore', 'zinterstore', 'zdiffstore'].map((name) => [name, [1, [0]]] as const),
  ...['sintercard', 'zintercard', 'lmpop', 'zmpop', 'zunion', 'zinter', 'zdiff'].map((name) => [name, [0, []]] as const),
]);

/**
 * The commands of the table. (Its own `exists` looks names up in a plain object, where
 * `constructor` or `__proto__` would be found too.)
 */
const KNOWN: ReadonlySet<string> = new Set(list);

/** Commands with no key by Redis's own account (`COMMAND GETKEYS`): shard channels are not keys. */
const NOT_KEYS = new Set(['spublish', 'ssubscribe', 'sunsubscribe']);

/** An argument as the byte string Redis sees, one char per byte (strings are sent as UTF-8). */
export function argBytes(arg: CommandArg): string {
  if (typeof arg === 'string') return /^[\x00-\x7f]*$/.test(arg) ? arg : Buffer.from(arg, 'utf8').toString('latin1');
  return Buffer.isBuffer(arg) ? arg.toString('latin1') : String(arg);
}

/** An argument as the call log shows it: strings as given, Buffers one char per byte. */
export function argText(arg: CommandArg): string {
  return typeof arg === 'string' ? arg : Buffer.isBuffer(arg) ? arg.toString('latin1') : String(arg);
}

/** A token compared case-insensitively, as Redis compares option names. */
function word(args: readonly CommandArg[], i: number): string {
  const arg = args[i];
  if (arg === undefined) return '';
  if (typeof arg !== 'number' && arg.length > 16) return ''; // no option name is this long
  return argText(arg).toLowerCase();
}

/** Redis's strict integer parse (`string2ll`): no sign but `-`, no leading zeros, no spaces. */
function strictInteger(args: readonly CommandArg[], i: number): number | undefined {
  const arg = args[i];
  if (arg === undefined) return undefined;
  const t = argText(arg);
  if (!/^(?:0|-?[1-9]\d{0,17})$/.test(t)) return undefined;
  return Number(t);
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

/** `SORT key [BY p] [LIMIT o c] [GET p]... [ASC|DESC] [ALPHA] [STORE dest]`: the key and the last STORE destination. */
function sortKeys(args: readonly CommandArg[]): number[] {
  let store: number | undefined;
  for (let i = 1; i < args.length; i++) {
    const option = word(args, i);
    if (option === 'limit') i += 2;
    else if (option === 'by' || option === 'get') i += 1;
    else if (option === 'store' && i + 1 < args.length) store = ++i;
  }
  return store === undefined ? [0] : [0, store];
}

/** `MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw | AUTH2 user pw] [KEYS key...]`. */
function migrateKeys(args: readonly CommandArg[]): number[] {
  for (let i = 5; i < args.length; i++) {
    const option = word(args, i);
    if (option === 'auth') i += 1;
    else if (option === 'auth2') i += 2;
    else if (option === 'keys') return argText(args[2] ?? '') === '' ? range(i + 1, args.length - i - 1) : [];
  }
  return args.length > 2 ? [2] : [];
}

/** `XREAD [COUNT n] [BLOCK ms] STREAMS key... id...`: the first half after the first STREAMS. */
function streamKeys(args: readonly CommandArg[], from: number): number[] {
  for (let i = from; i < args.length; i++) {
    if (word(args, i) === 'streams') return range(i + 1, Math.floor((args.length - i - 1) / 2));
  }
  return [];
}

function counted(args: readonly CommandArg[], at: number, fixed: readonly number[]): number[] {
  const count = strictInteger(args, at);
  if (count === undefined || count < 0 || at + 1 + count > args.length) return [];
  if (count === 0 && fixed.length > 0) return [];
  return [...fixed, ...range(at + 1, count)];
}

/**
 * Where the keys of a Redis command are among its arguments (the arguments after the name),
 * the way the server itself reads them (`COMMAND GETKEYS`). The positions come from the
 * `@ioredis/commands` command table; commands it gets wrong or leaves out are handled here:
 * the keyed subcommands of OBJECT, MEMORY, XINFO and XGROUP, a count of keys (EVAL, FCALL,
 * ZUNIONSTORE, LMPOP...) that is not a valid number or exceeds the arguments (no keys: Redis
 * refuses the command), SORT's STORE destination, MIGRATE's KEYS, XREAD's STREAMS. A command the
 * table does not know (a module's, or one newer than the table) has no keys, so a `key` rule
 * never matches it. `command` is lower-case.
 */
export function commandKeyIndexes(command: string, args: readonly CommandArg[]): number[] {
  if (NOT_KEYS.has(command) || !KNOWN.has(command)) return [];
  const subcommands = KEYED_SUBCOMMANDS.get(command);
  if (subcommands !== undefined) return args.length > 1 && subcommands.has(word(args, 0)) ? [1] : [];
  const countedAt = COUNTED.get(command);
  if (countedAt !== undefined) return counted(args, countedAt[0], countedAt[1]);
  switch (command) {
    case 'sort':
      return args.length === 0 ? [] : sortKeys(args);
    case 'sort_ro':
      return args.length === 0 ? [] : [0];
    case 'migrate':
      return migrateKeys(args);
    case 'xread':
      return streamKeys(args, 0);
    case 'xreadgroup':
      return streamKeys(args, 3);
    default:
      return getKeyIndexes(command, args as CommandArg[]).filter((i) => typeof i === 'number' && i >= 0 && i < args.length);
  }
}

/**
 * The keys a Redis command touches, as the server reads them (see {@link commandKeyIndexes}).
 * String arguments come back as given, Buffers one char per byte. `command` is lower-case.
 */
export function commandKeys(command: string, args: readonly CommandArg[]): string[] {
  return commandKeyIndexes(command, args).map((i) => argText(args[i] as CommandArg));
}
