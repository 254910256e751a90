import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { redisGlob } from '../src/faults/redisGlob.js';
import { startRedisServer, type RedisServer } from '../src/redis/startRedisServer.js';
import { describeWithRedis } from '../src/vitest/redis.js';
import { fcOptions } from './support/fcOptions.js';

/** Bytes that mean something in a glob, a few plain ones, and two that are not ASCII. */
const ALPHABET = ['a', 'b', 'c', 'z', '-', ']', '[', '^', '\\', '*', '?', '\u00ff', '\u0000'];
const byteString = (maxLength: number): fc.Arbitrary<string> => fc.array(fc.constantFrom(...ALPHABET), { maxLength }).map((chars) => chars.join(''));
const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

/**
 * The key glob held against a real redis-server: for generated patterns over the bytes that matter
 * to a glob (`[ ] ^ - \ * ?`), and a generated keyspace (the empty key included), the keys
 * `redisGlob` matches are exactly those `KEYS pattern` and a full `SCAN ... MATCH pattern` return.
 *
 * Reproduce a failure with ASYNCGUARD_FC_SEED=<seed>; more cases with ASYNCGUARD_FC_RUNS=<n>.
 */
describeWithRedis('redisGlob against KEYS and SCAN MATCH (differential)', () => {
  let server: RedisServer;
  let redis: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis({ host: server.host, port: server.port, maxRetriesPerRequest: 1, lazyConnect: true, db: 9 });
    await redis.connect();
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  async function scanAll(pattern: Buffer): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = (await redis.callBuffer('SCAN', cursor, 'MATCH', pattern, 'COUNT', '1000')) as [Buffer, Buffer[]];
      cursor = next.toString();
      for (const key of keys) found.push(key.toString('latin1'));
    } while (cursor !== '0');
    return found;
  }

  it('matches exactly the keys KEYS and SCAN MATCH return, for generated patterns and keyspaces', { timeout: 120_000 }, async () => {
    let matchedSome = 0;
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(byteString(4), { minLength: 1, maxLength: 12 }), byteString(6), async (keyspace, pattern) => {
        await redis.flushdb();
        await redis.mset(...keyspace.flatMap((k) => [latin1(k), latin1('v')]));
        const fromKeys = ((await redis.callBuffer('KEYS', latin1(pattern))) as Buffer[]).map((k) => k.toString('latin1')).sort();
        const fromScan = (await scanAll(latin1(pattern))).sort();
        const glob = redisGlob(latin1(pattern));
        const ours = keyspace.filter((k) => glob.test(k)).sort();
        const context = `pattern ${JSON.stringify(pattern)} over ${JSON.stringify(keyspace)}`;
        expect(ours, context).toEqual(fromKeys);
        expect(ours, context).toEqual(fromScan);
        if (ours.length > 0) matchedSome++;
      }),
      fcOptions(300),
    );
    // Not vacuous: a fair share of the patterns match something.
    expect(matchedSome).toBeGreaterThan(10);
  });

  it('agrees with the server on the cases of issue 16', async () => {
    await redis.flushdb();
    const keyspace = ['b', 'ab', 'a]', 'a-', ']', '^', '_', 'a', 'xa]', 'x', ''];
    await redis.mset(...keyspace.flatMap((k) => [k, 'v']));
    for (const pattern of ['[z-a]', 'a[b', '[]a]', '[a-]', '[^]a]', 'a[', 'a[^', 'a\\', '\\a', '*', '**', '', '?']) {
      const expected = ((await redis.keys(pattern)) as string[]).sort();
      expect(keyspace.filter((k) => redisGlob(pattern).test(k)).sort(), pattern).toEqual(expected);
    }
    expect(redisGlob('[z-a]').test('b')).toBe(true);
    expect(redisGlob('a[b').test('ab')).toBe(true);
  });
});
