import { list } from '@ioredis/commands';
import fc from 'fast-check';

/** A generated command: its name and the arguments after it. */
export interface GeneratedCommand {
  name: string;
  args: string[];
}

/** Key names, keyword-like ones included (a key named `STORE` must stay a key). */
export const keyName: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z]{1,3}[0-9]?$/) },
  { weight: 1, arbitrary: fc.constantFrom('{t}a', 'STORE', 'streams', 'KEYS', 'by', 'get', 'limit', 'auth', '#', '0', '') },
);

/** Non-key words, mostly option names and numbers that key extraction must step over or stop at. */
const word = fc.constantFrom('0', '1', '2', '3', '-1', '10', 'abc', 'COUNT', 'BLOCK', 'STREAMS', 'STORE', 'STOREDIST', 'BY', 'GET', 'LIMIT', 'KEYS', 'AUTH', 'AUTH2', 'COPY', 'REPLACE', 'WEIGHTS', 'AGGREGATE', 'LEFT', '#', 'm', 'ALPHA');
const anyArg = fc.oneof(keyName, word);
/** A count of keys as a client may (mis)write it. */
const count = (max: number): fc.Arbitrary<string> =>
  fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max }).map(String) }, { weight: 1, arbitrary: fc.constantFrom('-1', '03', '+1', '1.0', 'x', '99', ' 1', '9999999999999999999') });

/** Commands the generic generator leaves to a template (their keys depend on their arguments). */
const TEMPLATED = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro', 'blmpop', 'bzmpop', 'zunionstore', 'zinterstore', 'zdiffstore', 'sintercard', 'zintercard', 'lmpop', 'zmpop', 'zunion', 'zinter', 'zdiff', 'sort', 'sort_ro', 'migrate', 'xread', 'xreadgroup', 'georadius', 'georadiusbymember', 'object', 'memory', 'xinfo', 'xgroup']);

/** Any command of the `@ioredis/commands` table with an argument count its arity allows. */
function tableCommand(arities: ReadonlyMap<string, number>): fc.Arbitrary<GeneratedCommand> {
  const names = list.filter((name) => !TEMPLATED.has(name) && arities.has(name));
  return fc.constantFrom(...names).chain((name) => {
    const arity = arities.get(name) as number;
    const length = arity > 0 ? fc.constant(arity - 1) : fc.integer({ min: -arity - 1, max: -arity + 3 });
    return length.chain((n) => fc.array(anyArg, { minLength: n, maxLength: n })).map((args) => ({ name, args }));
  });
}

const keys = (min: number, max: number): fc.Arbitrary<string[]> => fc.array(keyName, { minLength: min, maxLength: max });
const words = (max: number): fc.Arbitrary<string[]> => fc.array(anyArg, { maxLength: max });
const cmd = (name: string, args: fc.Arbitrary<string[]>): fc.Arbitrary<GeneratedCommand> => args.map((a) => ({ name, args: a }));
const concat = (...parts: fc.Arbitrary<string[]>[]): fc.Arbitrary<string[]> => fc.tuple(...parts).map((p) => p.flat());
const one = (a: fc.Arbitrary<string>): fc.Arbitrary<string[]> => a.map((x) => [x]);
const lit = (...xs: string[]): fc.Arbitrary<string[]> => fc.constant(xs);
const maybe = (a: fc.Arbitrary<string[]>): fc.Arbitrary<string[]> => fc.oneof(fc.constant<string[]>([]), a);

/** Keys after a count: `count key... rest`, the count sometimes wrong. */
const countedKeys = fc.tuple(count(4), keys(0, 4), words(2)).map(([n, k, rest]) => [n, ...k, ...rest]);

/** Commands whose keys move with their arguments, from templates of their syntax. */
const templated: fc.Arbitrary<GeneratedCommand> = fc.oneof(
  fc.constantFrom('eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro').chain((name) => cmd(name, concat(lit('return 1'), countedKeys))),
  fc.constantFrom('blmpop', 'bzmpop').chain((name) => cmd(name, concat(lit('0'), countedKeys, lit(name === 'blmpop' ? 'LEFT' : 'MIN')))),
  fc.constantFrom('zunionstore', 'zinterstore', 'zdiffstore').chain((name) => cmd(name, concat(one(keyName), countedKeys))),
  fc.constantFrom('sintercard', 'zintercard', 'zunion', 'zinter', 'zdiff').chain((name) => cmd(name, countedKeys)),
  fc.constantFrom('lmpop', 'zmpop').chain((name) => cmd(name, concat(countedKeys, lit(name === 'lmpop' ? 'LEFT' : 'MIN')))),
  cmd('sort_ro', concat(one(keyName), words(6))),
  cmd(
    'migrate',
    concat(
      lit('127.0.0.1', '1'),
      fc.oneof(one(keyName), lit('')),
      lit('0', '100'),
      maybe(lit('COPY')),
      maybe(lit('REPLACE')),
      maybe(fc.oneof(concat(lit('AUTH'), one(anyArg)), concat(lit('AUTH2'), one(anyArg), one(anyArg)))),
      maybe(concat(lit('KEYS'), keys(1, 3))),
    ),
  ),
  cmd(
    'xread',
    concat(maybe(concat(lit('COUNT'), one(word))), maybe(concat(lit('BLOCK'), one(word))), lit('STREAMS'), keys(1, 3), fc.array(fc.constantFrom('0', '$', '1-1'), { minLength: 0, maxLength: 4 })),
  ),
  cmd('xreadgroup', concat(lit('GROUP', 'g', 'c'), maybe(concat(lit('COUNT'), one(word))), maybe(lit('NOACK')), lit('STREAMS'), keys(1, 3), fc.array(fc.constantFrom('>', '0'), { minLength: 0, maxLength: 4 }))),
  cmd('georadius', concat(one(keyName), lit('0', '0', '1', 'm'), maybe(concat(lit('STORE'), one(keyName))), maybe(concat(lit('STOREDIST'), one(keyName))))),
  cmd('georadiusbymember', concat(one(keyName), lit('mem', '1', 'km'), maybe(concat(lit('STORE'), one(keyName))), maybe(concat(lit('STOREDIST'), one(keyName))))),
  fc.constantFrom('object', 'memory', 'xinfo', 'xgroup').chain((name) => {
    const subs: Record<string, string[]> = {
      object: ['ENCODING', 'freq', 'IDLETIME', 'refcount', 'HELP'],
      memory: ['USAGE', 'STATS', 'doctor', 'HELP'],
      xinfo: ['STREAM', 'groups', 'CONSUMERS', 'HELP'],
      xgroup: ['CREATE', 'SETID', 'destroy', 'CREATECONSUMER', 'DELCONSUMER', 'HELP'],
    };
    return cmd(name, concat(one(fc.constantFrom(...(subs[name] as string[]))), keys(0, 1), words(2)));
  }),
);

/** A command from the table or from a template, about one in three templated. */
export function redisCommand(arities: ReadonlyMap<string, number>): fc.Arbitrary<GeneratedCommand> {
  return fc.oneof({ weight: 2, arbitrary: tableCommand(arities) }, { weight: 1, arbitrary: templated });
}

/** A SORT that the server runs: a source list, options, and zero or more STORE clauses. */
export const sortCommand: fc.Arbitrary<GeneratedCommand> = fc
  .tuple(
    keyName.filter((k) => k !== ''),
    fc.array(
      fc.oneof(
        lit('ALPHA'),
        lit('DESC'),
        concat(lit('LIMIT'), lit('0', '5')),
        concat(one(fc.constantFrom('BY', 'by')), lit('nosort')),
        concat(one(fc.constantFrom('GET', 'get')), fc.constantFrom(['#'], ['h_*'])),
        concat(one(fc.constantFrom('STORE', 'store')), one(keyName.filter((k) => k !== ''))),
      ),
      { maxLength: 5 },
    ),
  )
  .map(([source, options]) => ({ name: 'sort', args: [source, ...options.flat()] }));

/** Where the count of keys stands in commands that have one. */
const COUNT_AT: Readonly<Record<string, number>> = {
  eval: 1, evalsha: 1, eval_ro: 1, evalsha_ro: 1, fcall: 1, fcall_ro: 1, blmpop: 1, bzmpop: 1, zunionstore: 1, zinterstore: 1, zdiffstore: 1,
  sintercard: 0, zintercard: 0, lmpop: 0, zmpop: 0, zunion: 0, zinter: 0, zdiff: 0,
};

/**
 * Whether the command's count of keys is not a plain decimal integer (`+1`, `03`, `1.0`, ` 1`...).
 * Redis refuses to run such a command ("value is not an integer", "numkeys should be greater than
 * 0"), so it touches no key; COMMAND GETKEYS, though, falls back to an `atoi` reading and names keys.
 */
export function hasMalformedCount({ name, args }: GeneratedCommand): boolean {
  const at = COUNT_AT[name];
  return at !== undefined && !/^(?:0|-?[1-9]\d{0,17})$/.test(args[at] ?? '');
}
