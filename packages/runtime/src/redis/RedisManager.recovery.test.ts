/**
 * Recovery after a stall, against a real redis-server the test starts and stops (SIGSTOP) and
 * resumes (SIGCONT). The breaker's reset timeout is a minute, so it cannot be what ends the wait:
 * the health monitor's PING getting an answer half-opens the breaker, and the first call after
 * that is let through and closes it. Asserted as an order of events, never as timings.
 */
import { type RedisServer, startRedisServer } from '@asyncguard/testkit';
import { describeWithRedis } from '@asyncguard/testkit/vitest';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { isCircuitOpenError } from '../errors/CircuitOpenError.js';
import { createRedisManager } from './getRedisManager.js';
import type { RedisManager } from './RedisManager.js';
import { captureUnhandled, handleSnapshot, timed, waitFor } from '../../tests/support/faultHarness.js';

const RESET = 60_000;
/** A ceiling for waits on events, far above what they take: not a timing claim. */
const EVENTUALLY = 20_000;

describeWithRedis('RedisManager recovery: an answered health PING half-opens the breaker', () => {
  let server: RedisServer | undefined;
  let manager: RedisManager | undefined;
  let unhandled: ReturnType<typeof captureUnhandled>;
  let handles: ReturnType<typeof handleSnapshot>;

  beforeEach(async () => {
    unhandled = captureUnhandled();
    handles = handleSnapshot();
    server = await startRedisServer();
  });

  afterEach(async () => {
    server?.resume();
    await manager?.close({ drainMs: 0 });
    await server?.stop();
    manager = server = undefined;
    unhandled.dispose();
    expect(unhandled.reasons).toEqual([]);
    expect(await handles.grown()).toEqual({});
  });

  /** A manager whose breaker would stay open for a minute on its own; `events` records what happens in order. */
  async function stalledAndOpen(halfOpenOnPing: boolean): Promise<{ m: RedisManager; s: RedisServer; events: string[] }> {
    const s = server as RedisServer;
    const m = createRedisManager({
      url: s.url,
      budgets: { redis: 200 },
      // Connecting is not what this is about: on a busy machine a handshake can take longer than
      // a command budget, and the first PING must not fail for that.
      connectTimeoutMs: 5000,
      breaker: { consecutiveFailures: 2, halfOpenAfterMs: RESET, halfOpenOnPing },
      healthIntervalMs: 50,
      reconnect: { minDelayMs: 20, maxDelayMs: 100 },
    });
    manager = m;
    const events: string[] = [];
    m.on('breaker', (state) => void events.push(`breaker:${state}`));
    expect(await m.redis.ping({ budgetMs: 5000 })).toBe('PONG');
    s.pause();
    events.push('SIGSTOP');
    // Calls time out (or fail on the replaced connection) until the breaker opens.
    for (let i = 0; i < 100 && m.stats().breaker !== 'open'; i++) await timed(m.redis.get('k'));
    expect(m.stats().breaker).toBe('open');
    const refused = await timed(m.redis.get('k'));
    expect(isCircuitOpenError(refused.error), String(refused.error)).toBe(true);
    return { m, s, events };
  }

  it('after SIGCONT the first call after the answered PING is let through, and closes the breaker', { timeout: 2 * EVENTUALLY }, async () => {
    const { m, s, events } = await stalledAndOpen(true);
    // The first call after the half-open move, made from the listener itself: nothing can come between.
    let first: Promise<unknown> | undefined;
    m.on('breaker', (state) => {
      if (state === 'half-open' && first === undefined) first = m.redis.get('k').then((v) => void events.push(`call:ok:${String(v)}`), (err: unknown) => void events.push(`call:failed:${String(err)}`));
    });
    s.resume();
    events.push('SIGCONT');
    expect(await waitFor(() => first !== undefined, EVENTUALLY)).toBe(true);
    await first;
    expect(events).toEqual(['SIGSTOP', 'breaker:open', 'SIGCONT', 'breaker:half-open', 'breaker:closed', 'call:ok:null']);
    expect(m.health().lastPing?.ok).toBe(true);
    expect(await m.redis.set('after', 'v')).toBe('OK');
  });

  it('with halfOpenOnPing: false, answered PINGs leave it open: calls stay refused until the reset timeout', { timeout: 2 * EVENTUALLY }, async () => {
    const { m, s, events } = await stalledAndOpen(false);
    s.resume();
    events.push('SIGCONT');
    const resumed = Date.now();
    // Three PINGs answered after SIGCONT (the monitor PINGs only a ready connection).
    const answered = new Set<number>();
    expect(
      await waitFor(() => {
        const ping = m.health().lastPing;
        if (ping?.ok === true && ping.at >= resumed) answered.add(ping.at);
        return answered.size >= 3;
      }, EVENTUALLY),
    ).toBe(true);
    const refused = await timed(m.redis.get('k'));
    expect(isCircuitOpenError(refused.error), String(refused.error)).toBe(true);
    expect(events).toEqual(['SIGSTOP', 'breaker:open', 'SIGCONT']);
  });
});
