import { lazy } from '@asyncguard/runtime';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFaultyRedis } from '../redis/createFaultyRedis.js';
import { exploreInterleavings, InterleavingFailure } from './exploreInterleavings.js';
import { scheduleReplies } from './scheduleReplies.js';

type Client = ReturnType<typeof createFaultyRedis>;

/**
 * Two requests need the shared client; the second arrives at a moment the scheduler picks, and
 * the connection's PING reply arrives at another. `makeGetClient` is the initialiser under test.
 */
function twoRequestsScenario(makeGetClient: (connect: () => Promise<Client>) => () => Promise<Client>) {
  return async (s: fc.Scheduler): Promise<void> => {
    const redis = scheduleReplies(createFaultyRedis(), s);
    try {
      let connects = 0;
      const connect = async (): Promise<Client> => {
        connects += 1;
        await redis.ping();
        return redis;
      };
      const getClient = makeGetClient(connect);
      const first = getClient();
      const second = s.schedule(Promise.resolve(), 'second request arrives').then(() => getClient());
      const [a, b] = await s.waitFor(Promise.all([first, second]));
      expect(b).toBe(a);
      if (connects !== 1) throw new Error(`connected ${connects} times; one shared connection expected`);
    } finally {
      redis.disconnect();
    }
  };
}

describe('exploreInterleavings', () => {
  it('finds the unguarded lazy initialiser that connects twice, shrunk to the order that breaks it', async () => {
    const unguarded = (connect: () => Promise<Client>) => {
      let client: Client | undefined;
      return async (): Promise<Client> => {
        if (client === undefined) client = await connect();
        return client;
      };
    };
    const failure = await exploreInterleavings(twoRequestsScenario(unguarded), { numRuns: 100 }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(InterleavingFailure);
    const { message, order } = failure as InterleavingFailure;
    if (process.env.SHOW_INTERLEAVING === '1') console.log(message);
    expect(message).toContain('connected 2 times; one shared connection expected');
    // The race: the second request arrives before the first connection's PING reply.
    const arrives = order.findIndex((line) => line.startsWith('second request arrives'));
    const firstPing = order.findIndex((line) => line.startsWith('redis.ping()'));
    expect(arrives, message).toBeGreaterThanOrEqual(0);
    expect(arrives, message).toBeLessThan(firstPing);
    expect(message).toMatch(/Replay with \{ seed: -?\d+, path: "[\d:]*" \}/);
  });

  it("passes on the runtime's lazy(): one connection in every interleaving", async () => {
    await exploreInterleavings(
      twoRequestsScenario((connect) => lazy(() => connect())),
      { numRuns: 100 },
    );
  });

  it('replays a failure from its seed and path', async () => {
    const scenario = async (s: fc.Scheduler): Promise<void> => {
      const log: string[] = [];
      await s.waitIdle();
      await Promise.all([
        s.schedule(Promise.resolve('a'), 'write a').then((v) => log.push(v)),
        s.schedule(Promise.resolve('b'), 'write b').then((v) => log.push(v)),
        s.waitIdle(),
      ]);
      if (log.join('') !== 'ab') throw new Error(`wrote ${log.join('')}`);
    };
    const first = (await exploreInterleavings(scenario).catch((err: unknown) => err)) as InterleavingFailure;
    expect(first).toBeInstanceOf(InterleavingFailure);
    const replay = (await exploreInterleavings(scenario, { seed: first.seed, path: first.path }).catch((err: unknown) => err)) as InterleavingFailure;
    expect(replay.order).toEqual(first.order);
    expect(first.order).toEqual(['write b → resolved "b"', 'write a → resolved "a"']);
  });

  it('names bad arguments', async () => {
    await expect(exploreInterleavings('x' as never)).rejects.toThrow('exploreInterleavings(): scenario must be a function');
    await expect(exploreInterleavings(() => undefined, { numRuns: 0 })).rejects.toThrow('options.numRuns must be a positive integer, got 0');
    await expect(exploreInterleavings(() => undefined, { runs: 5 } as never)).rejects.toThrow('exploreInterleavings(): unknown option "runs"');
    const redis = createFaultyRedis();
    try {
      expect(() => scheduleReplies(redis, {} as never)).toThrow('scheduleReplies(): scheduler must be a fast-check Scheduler');
      expect(() => scheduleReplies(redis, { schedule: () => undefined } as never, { command: ['get'] } as never)).toThrow('scheduleReplies(): unknown option "command"');
    } finally {
      redis.disconnect();
    }
  });
});
