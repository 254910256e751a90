import { describeWithRedis, useRedisServer } from '@asyncguard/testkit/vitest';
import { expect, it } from 'vitest';
import { isBulkheadRejectedError } from '../errors/BulkheadRejectedError.js';
import { handleSnapshot, sleep, timed, waitFor } from '../../tests/support/faultHarness.js';
import { useManagers } from '../../tests/support/useManagers.js';

describeWithRedis('RedisManager blocking commands and pub/sub', () => {
  const server = useRedisServer();
  // Connecting is not what these tests are about: a loaded machine may need more than one budget for a handshake.
  const make = useManagers(server, { budgets: { redis: 1000 }, connectTimeoutMs: 5000 });

  it('runs BLPOP on a dedicated connection: its own timeout is honoured and the shared connection stays free', async () => {
    const m = make();
    await m.redis.set('blk:other', 'v', { budgetMs: 5000 }); // also connects
    let blpopSettled = false;
    const blocked = timed(m.redis.blpop('blk:empty', 1.3)).finally(() => {
      blpopSettled = true;
    });
    await sleep(50);
    const get = await timed(m.redis.get('blk:other'));
    expect(get.value).toBe('v');
    expect(blpopSettled).toBe(false); // answered while the BLPOP still blocks: not queued behind it
    const result = await blocked;
    // Not cut at the 1000 ms command budget: BLPOP waited its 1.3 s and answered null.
    expect(result.ok).toBe(true);
    expect(result.value).toBeNull();
    expect(result.ms).toBeGreaterThan(1200);
    expect(m.stats().pool.size).toBe(1);
  });

  it('delivers a pushed value to a waiting BLPOP/BRPOP and reuses the connection', async () => {
    const m = make();
    const waiting = m.redis.brpop(['blk:q1', 'blk:q2'], 2);
    await sleep(50);
    expect(await m.redis.lpush('blk:q2', 'job-1')).toBe(1);
    expect(await waiting).toEqual(['blk:q2', 'job-1']);
    await m.redis.rpush('blk:q1', 'job-2');
    expect(await m.redis.blpop('blk:q1', 1)).toEqual(['blk:q1', 'job-2']);
    expect(m.stats().pool).toMatchObject({ size: 1, busy: 0 });
  });

  it('bounds the pool: beyond max connections and waiters a blocking call is refused at once', async () => {
    const m = make({ blockingPool: { max: 2, maxWaiting: 0 } });
    let pendingBlocks = 2;
    const a = m.redis.blpop('blk:none', 0.5).finally(() => pendingBlocks--);
    const b = m.redis.blpop('blk:none', 0.5).finally(() => pendingBlocks--);
    await sleep(50);
    const c = await timed(m.redis.blpop('blk:none', 0.5));
    expect(c.ok).toBe(false);
    expect(isBulkheadRejectedError(c.error)).toBe(true);
    expect(pendingBlocks).toBe(2); // refused while both pooled connections still block: it did not wait
    expect(await a).toBeNull();
    expect(await b).toBeNull();
    expect(m.stats().pool.size).toBe(2);
  });

  it('refuses an unbounded block without a signal, and an abort closes the blocked connection', async () => {
    const m = make();
    await expect(m.redis.blpop('blk:none', 0)).rejects.toThrow(/waits forever/);
    const controller = new AbortController();
    const forever = timed(m.redis.blpop('blk:none', 0, { signal: controller.signal }));
    await sleep(100);
    controller.abort(new Error('shutting down'));
    const r = await forever;
    expect(r.ok).toBe(false);
    expect((r.error as Error).message).toBe('shutting down');
    expect(await waitFor(() => m.stats().pool.size === 0, 500)).toBe(true);
  });

  it('runs XREAD BLOCK through call() on the pool', async () => {
    const m = make();
    const read = m.call<[string, [string, string[]][]][] | null>('xread', 'BLOCK', '1000', 'STREAMS', 'blk:stream', '$');
    await sleep(50);
    await m.redis.xadd('blk:stream', '*', { field: 'value' });
    const result = await read;
    expect(result?.[0]?.[0]).toBe('blk:stream');
    expect(result?.[0]?.[1][0]?.[1]).toEqual(['field', 'value']);
  });

  it('subscribes over a dedicated connection; unsubscribe stops delivery; close leaves no handle', async () => {
    const handles = handleSnapshot();
    const m = make();
    const got: string[] = [];
    const sub = await m.subscribe('blk:news', (message, channel) => void got.push(`${channel}:${message}`));
    expect(await m.redis.publish('blk:news', 'one')).toBe(1);
    expect(await waitFor(() => got.length === 1, 1000)).toBe(true);
    await sub.unsubscribe();
    expect(await m.redis.publish('blk:news', 'two')).toBe(0);
    await sleep(50);
    expect(got).toEqual(['blk:news:one']);
    expect(m.stats().pool.subscriber).toBe(true);
    await m.close();
    expect(await handles.grown()).toEqual({});
  });
});
