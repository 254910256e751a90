import { describe, expect, it, vi } from 'vitest';
import { BulkheadRejectedError, isBulkheadRejectedError } from './BulkheadRejectedError.js';
import { CircuitOpenError, isCircuitOpenError } from './CircuitOpenError.js';
import { isRedisUnavailableError, RedisUnavailableError } from './RedisUnavailableError.js';
import { isTimeoutError, TimeoutError } from './TimeoutError.js';

describe('errors', () => {
  it('TimeoutError carries operation, budget, elapsed and outcome', () => {
    const e = new TimeoutError({ operation: 'redis.set', budgetMs: 2000, elapsedMs: 2001.26, outcome: 'unknown' });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('TimeoutError');
    expect(e.message).toBe('redis.set timed out after 2001.3 ms (budget 2000 ms); it was sent and may still run on the server');
    expect([e.operation, e.budgetMs, e.elapsedMs, e.outcome]).toEqual(['redis.set', 2000, 2001.26, 'unknown']);
    expect(new TimeoutError({ budgetMs: 5, elapsedMs: 5, outcome: 'not-sent' }).message).toBe(
      'operation timed out after 5 ms (budget 5 ms); it was not sent',
    );
    expect(String(new TimeoutError({ budgetMs: 1, elapsedMs: 1 }))).toMatch(/^TimeoutError: operation timed out/);
  });

  it('TimeoutError says whether its own budget or an inherited deadline fired, and who set the deadline', () => {
    const own = new TimeoutError({ operation: 'redis.get', budgetMs: 2000, elapsedMs: 2000 });
    expect([own.firedBy, own.deadlineOperation, own.deadlineMs]).toEqual(['budget', 'redis.get', 2000]);
    const inherited = new TimeoutError({ operation: 'redis.get', budgetMs: 2000, elapsedMs: 100.04, outcome: 'unknown', firedBy: 'deadline', deadlineOperation: 'GET /facts/:id', deadlineMs: 100 });
    expect([inherited.firedBy, inherited.deadlineOperation, inherited.deadlineMs]).toEqual(['deadline', 'GET /facts/:id', 100]);
    expect(inherited.message).toBe(
      'redis.get timed out after 100 ms (the 100 ms deadline of GET /facts/:id ran out; own budget 2000 ms); it was sent and may still run on the server',
    );
    expect(new TimeoutError({ budgetMs: 50, elapsedMs: 10, firedBy: 'deadline', deadlineMs: 10 }).message).toBe(
      'operation timed out after 10 ms (the 10 ms deadline of an enclosing withDeadline ran out; own budget 50 ms)',
    );
  });

  it('CircuitOpenError, BulkheadRejectedError and RedisUnavailableError describe themselves', () => {
    const c = new CircuitOpenError({ breaker: 'redis', operation: 'redis.get', state: 'open', retryAfterMs: 1500 });
    expect(c.message).toBe('circuit "redis" is open (retry in 1500 ms); refused redis.get');
    expect(c.outcome).toBe('not-sent');
    const b = new BulkheadRejectedError({ reason: 'queue-full', maxConcurrent: 4, maxQueue: 10, elapsedMs: 0 });
    expect(b.message).toBe('bulkhead rejected call: is full (4 running, 10 queued)');
    const q = new BulkheadRejectedError({ bulkhead: 'io', reason: 'queue-timeout', maxConcurrent: 1, maxQueue: 1, budgetMs: 50, elapsedMs: 51 });
    expect(q.message).toMatch(/bulkhead "io" rejected call: queue timeout: waited 51 ms \(budget 50 ms\)/);
    const cause = new Error('ECONNREFUSED');
    const r = new RedisUnavailableError({ operation: 'redis.get', reason: 'connecting', outcome: 'not-sent', cause });
    expect(r.message).toBe('Redis (redis.get) unavailable: connecting; it was not sent');
    expect(r.cause).toBe(cause);
  });

  it('each guard recognises only its own class', () => {
    const all = [
      new TimeoutError({ budgetMs: 1, elapsedMs: 1 }),
      new CircuitOpenError({ state: 'half-open', retryAfterMs: 0 }),
      new BulkheadRejectedError({ reason: 'queue-full', maxConcurrent: 1, maxQueue: 0, elapsedMs: 0 }),
      new RedisUnavailableError({ reason: 'closed' }),
    ];
    const guards = [isTimeoutError, isCircuitOpenError, isBulkheadRejectedError, isRedisUnavailableError];
    guards.forEach((guard, g) => {
      all.forEach((err, i) => expect(guard(err)).toBe(g === i));
      expect(guard(new Error('x'))).toBe(false);
      expect(guard(null)).toBe(false);
      expect(guard('TimeoutError')).toBe(false);
      expect(guard({ name: 'TimeoutError' })).toBe(false);
    });
  });

  it('guards and instanceof work across two copies of the module', async () => {
    vi.resetModules();
    const copy = (await import('./TimeoutError.js')) as typeof import('./TimeoutError.js');
    expect(copy.TimeoutError).not.toBe(TimeoutError);
    const foreign = new copy.TimeoutError({ budgetMs: 1, elapsedMs: 1 });
    expect(isTimeoutError(foreign)).toBe(true);
    expect(foreign instanceof TimeoutError).toBe(true);
    expect(copy.isTimeoutError(new TimeoutError({ budgetMs: 1, elapsedMs: 1 }))).toBe(true);
  });

  it('subclasses keep ordinary instanceof semantics', () => {
    class RedisTimeout extends TimeoutError {}
    const sub = new RedisTimeout({ budgetMs: 1, elapsedMs: 1 });
    expect(sub instanceof RedisTimeout).toBe(true);
    expect(sub instanceof TimeoutError).toBe(true);
    expect(new TimeoutError({ budgetMs: 1, elapsedMs: 1 }) instanceof RedisTimeout).toBe(false);
    expect(isTimeoutError(sub)).toBe(true);
  });
});
