/**
 * The fault matrix, network cells: the manager talks to a real redis-server through the
 * testkit's ChaosProxy, which adds latency above the budget, blackholes replies, resets
 * connections or slices replies into a few bytes at a time. Same invariants as the
 * process-level cells (see RedisManager.faults.test.ts).
 */
import { ChaosProxy, startRedisServer, type RedisServer } from '@asyncguard/testkit';
import { describeWithRedis } from '@asyncguard/testkit/vitest';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { isRedisUnavailableError } from '../errors/RedisUnavailableError.js';
import { isTimeoutError } from '../errors/TimeoutError.js';
import { createRedisManager } from './getRedisManager.js';
import type { RedisManager } from './RedisManager.js';
import { captureUnhandled, handleSnapshot, sleep, timed, waitFor } from '../../tests/support/faultHarness.js';
import { expectLoadInvariants, type LoadResult, loadLoop } from '../../tests/support/loadLoop.js';

const BUDGET = 300;
const SLACK = 500;
const HALF_OPEN_AFTER = 500;
const HEALTH_INTERVAL = 100;
const RECONNECT_MAX = 200;
const MAX_RECOVERY = HALF_OPEN_AFTER + HEALTH_INTERVAL + RECONNECT_MAX + BUDGET + SLACK;

describeWithRedis('RedisManager fault matrix (through the chaos proxy)', () => {
  let server: RedisServer;
  let proxy: ChaosProxy;
  let manager: RedisManager;
  let unhandled: ReturnType<typeof captureUnhandled>;
  let handles: ReturnType<typeof handleSnapshot>;
  const breaker: { state: string; at: number }[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  beforeEach(async () => {
    unhandled = captureUnhandled();
    handles = handleSnapshot();
    breaker.length = 0;
    proxy = new ChaosProxy({ upstream: { port: server.port }, seed: 7 });
    await proxy.start();
    manager = createRedisManager({
      url: proxy.url,
      budgets: { redis: BUDGET },
      // The first handshake of each test must not fail because a loaded machine took longer than
      // one command budget; a stalled handshake is still replaced (health monitor).
      connectTimeoutMs: 1000,
      breaker: { consecutiveFailures: 3, halfOpenAfterMs: HALF_OPEN_AFTER },
      healthIntervalMs: HEALTH_INTERVAL,
      reconnect: { minDelayMs: 20, maxDelayMs: RECONNECT_MAX },
    });
    manager.on('breaker', (state) => void breaker.push({ state, at: performance.now() }));
    await manager.redis.ping({ budgetMs: 5000 }); // the first call also connects: a generous budget on a busy machine
  });

  afterEach(async () => {
    await manager.close({ drainMs: 0 });
    await proxy.stop();
    await sleep(20);
    unhandled.dispose();
    expect(unhandled.reasons).toEqual([]);
    expect(await handles.grown()).toEqual({});
  });

  /** Runs load, applies `fault` for `ms`, removes it, and waits for the breaker to close again. */
  async function cell(apply: () => void, heal: () => void, ms = 1000): Promise<{ results: LoadResult[]; healedAt: number }> {
    const load = loadLoop(manager, 10, 'proxy');
    await sleep(100);
    apply();
    await sleep(ms);
    heal();
    const healedAt = performance.now();
    const closed = await waitFor(() => breaker.some((e) => e.state === 'closed' && e.at >= healedAt) || (manager.stats().breaker === 'closed' && breaker.length === 0), MAX_RECOVERY);
    expect(closed).toBe(true);
    await sleep(150);
    const results = await load.stop();
    return { results, healedAt };
  }

  it('latency above the budget: sent calls end at their budget (outcome "unknown"), the breaker opens, then closes', async () => {
    const { results, healedAt } = await cell(
      () => void proxy.addToxic({ type: 'latency', latency: BUDGET * 2, name: 'slow' }),
      () => void proxy.removeToxic('slow'),
    );
    expectLoadInvariants(results, BUDGET + SLACK);
    // Calls already written when the latency hit end at their budget: by their own deadline
    // (TimeoutError), or a moment earlier when the health PING timed out first and replaced the
    // connection (RedisUnavailableError). Either way they may still apply: outcome 'unknown'.
    const cut = results.filter((r) => isTimeoutError(r.error) || (isRedisUnavailableError(r.error) && (r.error as { outcome?: string }).outcome === 'unknown'));
    expect(cut.length).toBeGreaterThan(0);
    expect(results.filter((r) => isTimeoutError(r.error)).every((r) => (r.error as { outcome?: string }).outcome === 'unknown')).toBe(true);
    expect(breaker.map((e) => e.state)).toContain('open');
    expect(results.some((r) => r.ok && r.at > healedAt)).toBe(true);
  });

  it('blackhole (no bytes back): calls time out, the stalled connection is replaced, service resumes', async () => {
    const { results, healedAt } = await cell(
      () => void proxy.addToxic({ type: 'timeout', timeout: 0, name: 'hole' }),
      () => void proxy.removeToxic('hole'),
    );
    expectLoadInvariants(results, BUDGET + SLACK);
    expect(results.some((r) => isTimeoutError(r.error))).toBe(true);
    expect(breaker.map((e) => e.state)).toContain('open');
    // The connection stuck behind the blackhole was replaced: later connections carry traffic.
    expect(proxy.stats().connections.total).toBeGreaterThan(1);
    expect(results.some((r) => r.ok && r.at > healedAt)).toBe(true);
  });

  it('connection reset: calls fail with RedisUnavailableError at once, then recover', async () => {
    const { results, healedAt } = await cell(
      () => {
        proxy.addToxic({ type: 'reset_peer', timeout: 0, name: 'rst' });
        proxy.closeConnections('reset');
      },
      () => void proxy.removeToxic('rst'),
    );
    expectLoadInvariants(results, BUDGET + SLACK);
    const unavailable = results.filter((r) => isRedisUnavailableError(r.error));
    expect(unavailable.length).toBeGreaterThan(0);
    expect(results.some((r) => r.ok && r.at > healedAt)).toBe(true);
  });

  it('health: slow PINGs mark the connection degraded, fast ones ready again, with typed events', async () => {
    const changes: string[] = [];
    const slow = createRedisManager({ name: 'health', url: proxy.url, budgets: { redis: BUDGET }, healthIntervalMs: 50, slowPingMs: 40 });
    slow.on('health', (change) => void changes.push(`${change.from}→${change.to}`));
    try {
      await slow.redis.ping({ budgetMs: 5000 }); // the first call also connects: a generous budget on a busy machine
      expect(await waitFor(() => slow.health().lastPing !== undefined, 1000)).toBe(true);
      expect(slow.health().state).toBe('ready');
      proxy.addToxic({ type: 'latency', latency: 80, name: 'lag' });
      expect(await waitFor(() => slow.health().state === 'degraded', 2000)).toBe(true);
      expect(slow.health().lastPing?.ok).toBe(true);
      expect(slow.health().lastPing?.ms).toBeGreaterThan(40);
      proxy.removeToxic('lag');
      expect(await waitFor(() => slow.health().state === 'ready', 2000)).toBe(true);
      expect(changes).toEqual(['idle→connecting', 'connecting→ready', 'ready→degraded', 'degraded→ready']);
    } finally {
      await slow.close();
    }
  });

  it('replies sliced into 1–3 bytes: every reply still parses correctly', { timeout: 60_000 }, async () => {
    proxy.addToxic({ type: 'slicer', averageSize: 2, sizeVariation: 1, delay: 50, name: 'slices' });
    const values = Array.from({ length: 30 }, (_, i) => `value-${i}-${'x'.repeat(i * 7)}`);
    // About 1,700 slices, each at least one timer turn of the proxy in this process: how long
    // that takes is the machine's load, not the parser (speed under slicing is the proxy bench's).
    // So a manager of its own: budgets for a slow machine, and no health PING whose 300 ms budget
    // would take the slow connection for a stalled one and replace it under the calls.
    const sliced = createRedisManager({ name: 'sliced', url: proxy.url, budgets: { redis: 20_000 }, healthIntervalMs: 0 });
    try {
      const writes = await Promise.all(values.map((v, i) => timed(sliced.redis.set(`slice:${i}`, v))));
      const reads = await Promise.all(values.map((_, i) => timed(sliced.redis.get(`slice:${i}`))));
      const hash = await timed(sliced.redis.hgetall('slice:none'));
      for (const w of writes) expect(w.ok, String(w.error)).toBe(true);
      expect(reads.map((r) => r.value)).toEqual(values);
      expect(hash.value).toEqual({});
      expect(sliced.stats().calls.timeout).toBe(0);
    } finally {
      await sliced.close({ drainMs: 0 });
    }
  });
});
