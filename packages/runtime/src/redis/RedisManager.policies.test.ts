/**
 * The per-command policies, each with a command-level fault from the ChaosProxy's RESP rules in
 * front of a real redis-server: reads retry after a dropped connection, writes don't (unless
 * asked), the in-flight bound refuses or queues, a pipeline shares one budget.
 */
import { ChaosProxy } from '@asyncguard/testkit';
import { describeWithRedis, useRedisServer } from '@asyncguard/testkit/vitest';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { isBulkheadRejectedError } from '../errors/BulkheadRejectedError.js';
import { isRedisUnavailableError } from '../errors/RedisUnavailableError.js';
import { isTimeoutError } from '../errors/TimeoutError.js';
import { createRedisManager } from './getRedisManager.js';
import type { RedisManager } from './RedisManager.js';
import type { RedisManagerOptions } from './RedisManagerOptions.js';
import { captureUnhandled, sleep, timed } from '../../tests/support/faultHarness.js';

describeWithRedis('RedisManager policies (command-level faults)', () => {
  const server = useRedisServer();
  let proxy: ChaosProxy;
  let managers: RedisManager[] = [];
  let unhandled: ReturnType<typeof captureUnhandled>;
  const make = (options: RedisManagerOptions = {}): RedisManager => {
    const m = createRedisManager({ url: proxy.url, healthIntervalMs: 0, budgets: { redis: 1000 }, reconnect: { minDelayMs: 5, maxDelayMs: 20 }, ...options });
    managers.push(m);
    return m;
  };

  beforeEach(async () => {
    unhandled = captureUnhandled();
    proxy = new ChaosProxy({ upstream: { port: server().port }, protocol: 'resp', seed: 3 });
    await proxy.start();
  });
  afterEach(async () => {
    await Promise.all(managers.map((m) => m.close()));
    managers = [];
    await proxy.stop();
    unhandled.dispose();
    expect(unhandled.reasons).toEqual([]);
  });

  it('retries a read whose connection dropped, inside its budget', async () => {
    const m = make();
    await m.redis.set('pol:r', 'v');
    proxy.faults.add({ command: 'get', key: 'pol:r', times: 1, action: { type: 'disconnect' } });
    const r = await timed(m.redis.get('pol:r'));
    expect(r.ok).toBe(true);
    expect(r.value).toBe('v');
    expect(r.ms).toBeLessThan(1000);
    expect(m.stats().retries).toBe(1);
  });

  it('never retries a write by default: it fails with outcome "unknown"; { retry: true } opts in', async () => {
    const m = make();
    await m.redis.ping({ budgetMs: 5000 }); // the first call also connects: a generous budget on a busy machine
    proxy.faults.add({ command: 'set', key: 'pol:w', times: 1, action: { type: 'disconnect' } });
    const w = await timed(m.redis.set('pol:w', '1'));
    expect(w.ok).toBe(false);
    expect(isRedisUnavailableError(w.error)).toBe(true);
    expect((w.error as { outcome?: string }).outcome).toBe('unknown');
    expect(m.stats().retries).toBe(0);

    proxy.faults.add({ command: 'set', key: 'pol:w2', times: 1, action: { type: 'disconnect' } });
    expect(await m.redis.set('pol:w2', '1', { retry: true })).toBe('OK');
    expect(m.stats().retries).toBe(1);
  });

  it('a hung reply times out at the budget with outcome "unknown"; the connection keeps serving', async () => {
    const m = make({ budgets: { redis: 200 } });
    await m.redis.ping({ budgetMs: 5000 }); // the first call also connects: a generous budget on a busy machine
    proxy.faults.add({ command: 'incr', times: 1, action: { type: 'delay', ms: 600 } });
    const hung = await timed(m.redis.incr('pol:n'));
    expect(isTimeoutError(hung.error)).toBe(true);
    expect((hung.error as { outcome?: string }).outcome).toBe('unknown');
    expect(hung.ms).toBeGreaterThanOrEqual(195);
    expect(hung.ms).toBeLessThan(200 + 500);
    await sleep(500);
    // The INCR did run on the server: that is what 'unknown' warns about.
    expect(await m.redis.get('pol:n')).toBe('1');
    // One slow reply is not a stalled connection: it was not replaced.
    expect(proxy.stats().connections.total).toBe(1);
  });

  it('bounds work in flight: queues up to maxQueue, refuses beyond, releases in order', async () => {
    const m = make({ bulkhead: { maxConcurrent: 2, maxQueue: 1 } });
    await m.redis.ping({ budgetMs: 5000 }); // the first call also connects: a generous budget on a busy machine
    proxy.faults.add({ command: 'get', key: 'pol:slow*', action: { type: 'delay', ms: 150 } });
    let pending = 3;
    const a = timed(m.redis.get('pol:slow1')).finally(() => pending--);
    const b = timed(m.redis.get('pol:slow2')).finally(() => pending--);
    const c = timed(m.redis.get('pol:slow3')).finally(() => pending--);
    const d = await timed(m.redis.get('pol:slow4'));
    expect(isBulkheadRejectedError(d.error)).toBe(true);
    expect((d.error as { reason?: string }).reason).toBe('queue-full');
    expect(pending).toBe(3); // refused while the 150 ms replies are still out, not queued behind them
    const [ra, rb, rc] = await Promise.all([a, b, c]);
    expect([ra.ok, rb.ok, rc.ok]).toEqual([true, true, true]);
    // c waited for a slot, then ran its own 150 ms.
    expect(rc.ms).toBeGreaterThan(250);
    expect(m.stats().calls.rejected).toBe(1);
  });

  it('runs a pipeline under one budget: a stuck command times the whole batch out (outcome "unknown")', async () => {
    const m = make({ budgets: { redis: 200 } });
    await m.redis.ping({ budgetMs: 5000 }); // the first call also connects: a generous budget on a busy machine
    proxy.faults.add({ command: 'get', key: 'pol:p2', times: 1, action: { type: 'hang' } });
    const r = await timed(
      m.pipeline((p) => {
        p.set('pol:p1', '1');
        p.get('pol:p2');
      }),
    );
    expect(isTimeoutError(r.error)).toBe(true);
    expect((r.error as { outcome?: string }).outcome).toBe('unknown');
    expect(r.ms).toBeLessThan(200 + 500);
  });
});
