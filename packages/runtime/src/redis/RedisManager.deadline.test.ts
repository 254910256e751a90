/**
 * Redis commands under an ambient deadline (`withDeadline`), against a real redis-server that
 * each test starts (and stalls with SIGSTOP where it says so). The time a stalled command takes
 * to settle is measured in `bench/redis`-style runs, not here: these tests assert *which*
 * deadline fired and what the error says.
 */
import { startRedisServer, type RedisServer } from '@asyncguard/testkit';
import { describeWithRedis } from '@asyncguard/testkit/vitest';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { isRedisUnavailableError, type RedisUnavailableError } from '../errors/RedisUnavailableError.js';
import { isTimeoutError, type TimeoutError } from '../errors/TimeoutError.js';
import { withDeadline } from '../withDeadline.js';
import { createRedisManager } from './getRedisManager.js';
import type { RedisManager } from './RedisManager.js';
import { captureUnhandled, handleSnapshot, rejection, sleep } from '../../tests/support/faultHarness.js';


describeWithRedis('RedisManager under an ambient deadline', () => {
  let server: RedisServer | undefined;
  let manager: RedisManager | undefined;
  let unhandled: ReturnType<typeof captureUnhandled>;
  let handles: ReturnType<typeof handleSnapshot>;

  beforeEach(async () => {
    unhandled = captureUnhandled();
    handles = handleSnapshot();
    server = await startRedisServer();
    // A 2 s category budget: a command cut at the 100 ms deadline was cut by the deadline.
    manager = createRedisManager({ url: server.url, budgets: { redis: 2000 }, healthIntervalMs: 100 });
    await manager.redis.ping({ budgetMs: 5000 }); // connect first, outside any deadline
  });

  afterEach(async () => {
    server?.resume();
    await manager?.close({ drainMs: 0 });
    await server?.stop();
    manager = server = undefined;
    await sleep(20);
    unhandled.dispose();
    expect(unhandled.reasons).toEqual([]);
    expect(await handles.grown()).toEqual({});
  });

  it('a command to a SIGSTOPped server settles with the 100 ms deadline error, not its 2 s budget', async () => {
    const m = manager as RedisManager;
    (server as RedisServer).pause();
    const error = await rejection(withDeadline(100, () => m.redis.get('k'), { operation: 'GET /facts/:id' }));
    expect(isTimeoutError(error), String(error)).toBe(true);
    const timeout = error as TimeoutError;
    expect(timeout).toMatchObject({ operation: 'redis.get', firedBy: 'deadline', deadlineOperation: 'GET /facts/:id', deadlineMs: 100, outcome: 'unknown' });
    // Its own budget was the 2 s category budget clamped to what the deadline left.
    expect(timeout.budgetMs).toBeLessThanOrEqual(100);
    expect(timeout.elapsedMs).toBeLessThan(2000);
    expect(m.stats().calls.timeout).toBe(1);
  });

  it('a command inside a deadline with time to spare runs normally under its category budget', async () => {
    const m = manager as RedisManager;
    await expect(
      withDeadline(5000, async () => {
        await m.redis.set('dl:k', 'v');
        return m.redis.get('dl:k');
      }),
    ).resolves.toBe('v');
  });

  it('a command the deadline leaves (almost) no time for is not sent: RedisUnavailableError, not-sent', async () => {
    const m = manager as RedisManager;
    const refusedBefore = m.stats().calls.unavailable;
    let late: Promise<unknown> | undefined;
    const request = withDeadline(
      5,
      async () => {
        await sleep(30); // past the deadline, ignoring it
        late = m.redis.set('dl:late', 'v');
        return late;
      },
      { operation: 'POST /facts' },
    );
    expect(isTimeoutError(await rejection(request))).toBe(true);
    await sleep(60);
    const error = await rejection(late as Promise<unknown>);
    expect(isRedisUnavailableError(error), String(error)).toBe(true);
    expect(error as RedisUnavailableError).toMatchObject({ operation: 'redis.set', outcome: 'not-sent' });
    expect((error as Error).message).toMatch(/the deadline of POST \/facts leaves 0 ms, below the 5 ms a command needs/);
    // Nothing was written.
    await expect(m.redis.get('dl:late')).resolves.toBeNull();
    expect(m.stats().calls.unavailable - refusedBefore).toBe(1);
  });
});
