/**
 * The fault matrix, process-level cells: a real redis-server started by each test is killed,
 * stopped (SIGSTOP) or restarted under load. Invariants in every cell:
 * - every call settles no later than its budget plus a margin (the bench records precise
 *   figures; 500 ms of slack here because the machine is shared and noisy);
 * - every failure is one of the three typed errors (and a timed-out write says `outcome`);
 * - no unhandled rejection;
 * - the breaker opens, then closes within its reset timeout + one health interval (+ the
 *   reconnect delay) after the server is back;
 * - after close(), no socket or timer is left.
 */
import { startRedisServer, type RedisServer } from '@asyncguard/testkit';
import { describeWithRedis } from '@asyncguard/testkit/vitest';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { isCircuitOpenError } from '../errors/CircuitOpenError.js';
import { isRedisUnavailableError } from '../errors/RedisUnavailableError.js';
import { isTimeoutError } from '../errors/TimeoutError.js';
import { createRedisManager } from './getRedisManager.js';
import type { RedisManager } from './RedisManager.js';
import type { RedisHealthState } from './RedisHealthMonitor.js';
import { captureUnhandled, handleSnapshot, sleep, timed, waitFor } from '../../tests/support/faultHarness.js';
import { expectLoadInvariants, loadLoop } from '../../tests/support/loadLoop.js';

const BUDGET = 300;
const SLACK = 500;
const HALF_OPEN_AFTER = 500;
const HEALTH_INTERVAL = 100;
const RECONNECT_MAX = 200;
const CONNECT_TIMEOUT = 1000;
/** A ceiling for waits on events, far above what they take: not a timing claim. */
const EVENTUALLY = 20_000;

function makeManager(server: RedisServer): RedisManager {
  return createRedisManager({
    url: server.url,
    budgets: { redis: BUDGET },
    // The first connect of each test must not fail because a loaded machine took more than one
    // command budget to finish a handshake; a stalled handshake is still replaced (health monitor).
    connectTimeoutMs: CONNECT_TIMEOUT,
    breaker: { consecutiveFailures: 3, halfOpenAfterMs: HALF_OPEN_AFTER },
    healthIntervalMs: HEALTH_INTERVAL,
    reconnect: { minDelayMs: 20, maxDelayMs: RECONNECT_MAX },
  });
}

describeWithRedis('RedisManager fault matrix (process-level)', () => {
  let server: RedisServer | undefined;
  let manager: RedisManager | undefined;
  let unhandled: ReturnType<typeof captureUnhandled>;
  let handles: ReturnType<typeof handleSnapshot>;
  const breakerEvents: { state: string; at: number }[] = [];
  const healthStates: RedisHealthState[] = [];

  beforeEach(async () => {
    unhandled = captureUnhandled();
    handles = handleSnapshot();
    breakerEvents.length = 0;
    healthStates.length = 0;
    server = await startRedisServer();
    manager = makeManager(server);
    manager.on('breaker', (state) => void breakerEvents.push({ state, at: performance.now() }));
    manager.on('health', (change) => void healthStates.push(change.to));
  });

  afterEach(async () => {
    await manager?.close({ drainMs: 0 });
    await server?.stop();
    manager = server = undefined;
    await sleep(20);
    unhandled.dispose();
    expect(unhandled.reasons).toEqual([]);
    expect(await handles.grown()).toEqual({});
  });

  const closedAfter = (since: number): boolean => breakerEvents.some((e) => e.state === 'closed' && e.at >= since);
  const maxRecovery = HALF_OPEN_AFTER + HEALTH_INTERVAL + RECONNECT_MAX + SLACK;

  it('down at start: fails fast with RedisUnavailableError, opens the breaker, recovers when Redis starts', async () => {
    const m = manager as RedisManager;
    const s = server as RedisServer;
    await s.kill();
    const first = await Promise.all(Array.from({ length: 10 }, (_, i) => timed(m.redis.set(`k${i}`, 'v'))));
    for (const r of first) {
      expect(r.ok).toBe(false);
      expect(r.ms).toBeLessThan(BUDGET + SLACK);
      expect(isRedisUnavailableError(r.error) || isCircuitOpenError(r.error)).toBe(true);
      expect((r.error as { outcome?: string }).outcome).toBe('not-sent');
    }
    expect(isRedisUnavailableError(first[0]?.error)).toBe(true);
    // Already known down: the next call does not wait at all.
    const fast = await timed(m.redis.get('k'));
    expect(isRedisUnavailableError(fast.error) || isCircuitOpenError(fast.error)).toBe(true); // refused, not timed out
    expect(fast.ms).toBeLessThan(BUDGET);
    expect(breakerEvents.map((e) => e.state)).toContain('open');
    expect(m.health().state).toBe('down');

    await s.restart();
    const back = performance.now();
    expect(await waitFor(() => closedAfter(back), maxRecovery)).toBe(true);
    expect(await m.redis.set('after', 'v')).toBe('OK');
    expect(await waitFor(() => m.health().state === 'ready', 1000)).toBe(true);
    expect(healthStates).toContain('down');
  });

  it('SIGKILL under load, then restart: every call settles in time, the breaker opens and closes', async () => {
    const m = manager as RedisManager;
    const s = server as RedisServer;
    await m.redis.ping({ budgetMs: 5000 }); // the first call also connects: a generous budget on a busy machine
    const load = loadLoop(m, 20);
    await sleep(200);
    await s.kill('SIGKILL');
    await sleep(600);
    await s.restart();
    const back = performance.now();
    expect(await waitFor(() => closedAfter(back), maxRecovery)).toBe(true);
    await sleep(100);
    const results = await load.stop();
    expectLoadInvariants(results, BUDGET + SLACK);
    expect(results.some((r) => !r.ok)).toBe(true);
    expect(breakerEvents.map((e) => e.state)).toContain('open');
    // Load succeeded again after the restart.
    expect(results.filter((r) => r.ok && r.at > back).length).toBeGreaterThan(0);
    // A write in flight when the connection died reports that it may have been applied.
    const cut = results.filter((r) => r.op === 'set' && isRedisUnavailableError(r.error) && (r.error as { outcome?: string }).outcome === 'unknown');
    const notSent = results.filter((r) => r.op === 'set' && !r.ok && (r.error as { outcome?: string }).outcome === 'not-sent');
    expect(cut.length + notSent.length).toBeGreaterThan(0);
  });

  it('SIGSTOP (stall) then SIGCONT: calls settle by their budget, a write sent to the stalled server says outcome "unknown", then recover', async () => {
    const m = manager as RedisManager;
    const s = server as RedisServer;
    await m.redis.ping({ budgetMs: 5000 }); // the first call also connects: a generous budget on a busy machine
    const load = loadLoop(m, 20);
    await sleep(200);
    s.pause();
    // Written to the socket of a stopped server: it gets no reply. Which error ends it is a race
    // (its own deadline, or the health PING's when that was sent first and the stalled
    // connection is replaced), but either way it may still apply: outcome 'unknown'.
    const stalledWrite = timed(m.redis.set('stalled:write', 'v'));
    await sleep(1200);
    s.resume();
    const back = performance.now();
    expect(await waitFor(() => closedAfter(back), maxRecovery)).toBe(true);
    await sleep(100);
    const results = await load.stop();
    expectLoadInvariants(results, BUDGET + SLACK);
    const write = await stalledWrite;
    expect(write.ms).toBeLessThan(BUDGET + SLACK);
    expect(isTimeoutError(write.error) || isRedisUnavailableError(write.error), String(write.error)).toBe(true);
    expect((write.error as { outcome?: string }).outcome).toBe('unknown');
    // Every failed write in the load was typed and said whether it may still apply (expectLoadInvariants).
    // The stalled connection was replaced, so most calls during the stall failed fast instead of waiting.
    const duringStall = results.filter((r) => !r.ok && r.at > back - 1000 && r.at < back);
    expect(duringStall.filter((r) => r.ms < BUDGET / 2).length).toBeGreaterThan(duringStall.length / 2);
    expect(breakerEvents.map((e) => e.state)).toContain('open');
    expect(await m.redis.get('load:0:1')).not.toBeUndefined();
  });

  it('graceful restart under load (SIGTERM): every call settles in time and service resumes', async () => {
    const m = manager as RedisManager;
    const s = server as RedisServer;
    await m.redis.ping({ budgetMs: 5000 }); // the first call also connects: a generous budget on a busy machine
    const load = loadLoop(m, 10);
    await sleep(150);
    await s.restart();
    const back = performance.now();
    // Service resumed: a call started after the restart succeeded, and the breaker is closed.
    expect(await waitFor(() => m.stats().breaker === 'closed' && load.results.some((r) => r.ok && r.at > back), EVENTUALLY)).toBe(true);
    const results = await load.stop();
    expectLoadInvariants(results, BUDGET + SLACK);
  });
});
