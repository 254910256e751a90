import fc from 'fast-check';
import { Redis, ReplyError } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { commandKeys } from '../src/faults/commandKeys.js';
import { startRedisServer, type RedisServer } from '../src/redis/startRedisServer.js';
import { describeWithRedis } from '../src/vitest/redis.js';
import { fcOptions } from './support/fcOptions.js';
import { hasMalformedCount, redisCommand, sortCommand, type GeneratedCommand } from './support/redisCommands.js';

/** One line for the test log: what the differential run compared. */
function report(line: string): void {
  process.stderr.write(`[asyncguard] ${line}\n`);
}

/**
 * The testkit's key extraction held against a real redis-server: for generated commands (every
 * command of the `@ioredis/commands` table with arguments its arity allows, and templates of the
 * commands whose keys move: EVAL, ZUNIONSTORE, LMPOP, MIGRATE, XREAD, GEORADIUS, OBJECT...), the
 * keys `commandKeys` finds are exactly those of `COMMAND GETKEYS`. SORT is held against what the
 * server does instead: redis-server 7.0's GETKEYS leaves out SORT's STORE destination (its key spec
 * for it is "unknown"), so the test runs the SORT and looks at which key it wrote.
 *
 * Reproduce a failure with ASYNCGUARD_FC_SEED=<seed>; more cases with ASYNCGUARD_FC_RUNS=<n>.
 */
describeWithRedis('commandKeys against COMMAND GETKEYS (differential)', () => {
  let server: RedisServer;
  let redis: Redis;
  const arities = new Map<string, number>();

  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis({ host: server.host, port: server.port, maxRetriesPerRequest: 1, lazyConnect: true });
    await redis.connect();
    for (const info of (await redis.call('COMMAND')) as [string, number][]) arities.set(info[0].toLowerCase(), info[1]);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  /** The server's keys for a command, or undefined when it refuses the command as such. */
  async function serverKeys({ name, args }: GeneratedCommand): Promise<string[] | undefined> {
    try {
      const keys = (await redis.callBuffer('COMMAND', 'GETKEYS', name, ...args)) as Buffer[];
      return keys.map((k) => k.toString('latin1'));
    } catch (error) {
      if (!(error instanceof ReplyError)) throw error;
      const { message } = error as Error;
      // No key, or arguments the command would refuse: it touches no key.
      if (/no key arguments|Invalid arguments specified/.test(message)) return [];
      // Wrong arity or a command/subcommand this server does not have: nothing to compare.
      if (/number of arguments|Invalid command specified/.test(message)) return undefined;
      throw error;
    }
  }

  it('finds the keys COMMAND GETKEYS finds, for generated commands', { timeout: 120_000 }, async () => {
    let compared = 0;
    let refused = 0;
    let malformed = 0;
    let oddities = 0;
    await redis.select(9);
    await fc.assert(
      fc.asyncProperty(redisCommand(arities), async (command) => {
        if (hasMalformedCount(command)) {
          malformed++;
          expect(commandKeys(command.name, command.args)).toEqual([]);
          return;
        }
        if (command.name === 'pfmerge' && command.args.length === 1) {
          // GETKEYS of redis-server 7.0 calls this "Invalid arguments" (its empty source range),
          // yet PFMERGE dest runs and writes dest: held against the write instead.
          oddities++;
          await redis.flushdb();
          await redis.call('PFMERGE', command.args[0] as string);
          expect(commandKeys(command.name, command.args)).toEqual(await redis.keys('*'));
          return;
        }
        const expected = await serverKeys(command);
        if (expected === undefined) {
          refused++;
          return;
        }
        compared++;
        expect(commandKeys(command.name, command.args), `${command.name} ${JSON.stringify(command.args)}`).toEqual(expected);
      }),
      fcOptions(400),
    );
    // Most generated commands are ones the server accepts, so the comparison is not vacuous.
    expect(compared).toBeGreaterThan(refused + malformed);
    report(`commandKeys differential: ${compared} compared with COMMAND GETKEYS, ${refused} refused by the server (arity), ${malformed} with a malformed count of keys, ${oddities} PFMERGE without sources checked by running it`);
  });

  it('names the SORT destination the server actually writes', { timeout: 120_000 }, async () => {
    await redis.select(9);
    await fc.assert(
      fc.asyncProperty(sortCommand, async ({ name, args }) => {
        await redis.flushdb();
        const source = args[0] as string;
        await redis.rpush(source, '3', '1', '2');
        // A STORE into the source itself replaces the key (or deletes it, for an empty result), which
        // drops its TTL; its content alone can't tell (`BY nosort` stores the same list back).
        await redis.pexpire(source, 600_000);
        await redis.call(name, ...args);
        const written = (await redis.keys('*')).filter((k) => k !== source);
        if ((await redis.pttl(source)) < 0) written.push(source);
        const keys = commandKeys(name, args);
        expect(keys[0]).toBe(source);
        expect(keys.slice(1), `SORT ${JSON.stringify(args)}`).toEqual(written);
      }),
      fcOptions(150),
    );
  });

  it('gives no keys where the count of keys is malformed: the server refuses such a command', async () => {
    await redis.select(9);
    for (const [name, args] of [
      ['eval', ['return #KEYS', '+1', 'a']],
      ['zunionstore', ['d', '01', 'a']],
      ['lmpop', ['1.0', 'a', 'LEFT']],
      ['sintercard', [' 1', 'a']],
    ] as [string, string[]][]) {
      expect(commandKeys(name, args)).toEqual([]);
      await expect(redis.call(name, ...args)).rejects.toThrow(/not an integer|numkeys/);
    }
  });

  it('gets the sample commands of issue 16 right (the old hand-made table got all of them wrong)', async () => {
    const samples: [string, string[], string[]][] = [
      ['blpop', ['k1', 'k2', '0'], ['k1', 'k2']],
      ['xread', ['COUNT', '1', 'STREAMS', 's', '0'], ['s']],
      ['bitop', ['AND', 'd', 'a', 'b'], ['d', 'a', 'b']],
      ['object', ['ENCODING', 'k'], ['k']],
      ['rename', ['a', 'b'], ['a', 'b']],
      ['sinterstore', ['d', 'a', 'b'], ['d', 'a', 'b']],
      ['zunionstore', ['d', '2', 'a', 'b', 'WEIGHTS', '1', '2'], ['d', 'a', 'b']],
      ['lmove', ['a', 'b', 'LEFT', 'RIGHT'], ['a', 'b']],
      ['evalsha', ['sha', '2', 'a', 'b', 'arg'], ['a', 'b']],
      ['migrate', ['h', '1', '', '0', '10', 'KEYS', 'a', 'b'], ['a', 'b']],
    ];
    for (const [name, args, keys] of samples) {
      expect(commandKeys(name, args)).toEqual(keys);
      expect(await serverKeys({ name, args })).toEqual(keys);
    }
    expect(commandKeys('sort', ['k', 'BY', 'w_*', 'STORE', 'd1', 'STORE', 'd2'])).toEqual(['k', 'd2']);
  });

  it('gives no keys for a command it does not know, and for a count of keys that cannot be right', () => {
    expect(commandKeys('my.modulecmd', ['k'])).toEqual([]);
    for (const name of ['constructor', '__proto__', 'hasOwnProperty', 'tostring']) expect(commandKeys(name, ['k', 'v', '1'])).toEqual([]);
    expect(commandKeys('eval', ['s', '9999999999', 'k'])).toEqual([]);
    expect(commandKeys('eval', ['s', '-1', 'k'])).toEqual([]);
    expect(commandKeys('eval', [Buffer.from('s'), Buffer.from('1'), Buffer.from([0xff, 0x00])])).toEqual(['\u00ff\u0000']);
  });
});
