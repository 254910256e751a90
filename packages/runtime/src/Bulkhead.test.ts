import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { Bulkhead } from './Bulkhead.js';
import { BulkheadRejectedError, isBulkheadRejectedError } from './errors/BulkheadRejectedError.js';
import { expectNoLeakedResources } from '../tests/support/expectNoLeaks.js';

expectNoLeakedResources();

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('Bulkhead', () => {
  it('runs at most maxConcurrent at once and queues the rest in order', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 2, maxQueue: 2 });
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    const results = gates.map((g, i) =>
      bulkhead.execute(async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(bulkhead.snapshot()).toMatchObject({ running: 2, queued: 2 });
    gates[1]!.open();
    await results[1];
    expect(started).toEqual([0, 1, 2]);
    gates.forEach((g) => g.open());
    await expect(Promise.all(results)).resolves.toEqual([0, 1, 2, 3]);
    expect(bulkhead.snapshot()).toMatchObject({ running: 0, queued: 0 });
  });

  it('rejects at once when running and queue are full', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 1, name: 'llm', operation: 'embed' });
    const g = gate();
    const a = bulkhead.execute(() => g.promise);
    const b = bulkhead.execute(() => g.promise);
    const fn = vi.fn(async () => {});
    const error: unknown = await bulkhead.execute(fn).catch((e: unknown) => e);
    expect(fn).not.toHaveBeenCalled();
    expect(isBulkheadRejectedError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'queue-full', bulkhead: 'llm', operation: 'embed', maxConcurrent: 1, maxQueue: 1 });
    g.open();
    await Promise.all([a, b]);
    expect(bulkhead.snapshot().rejected).toEqual({ 'queue-full': 1, 'queue-timeout': 0 });
  });

  it('rejects a call that waits longer than queueTimeoutMs and frees its place', async () => {
    vi.useFakeTimers();
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 1, queueTimeoutMs: 50 });
    const g = gate();
    const running = bulkhead.execute(() => g.promise);
    const fn = vi.fn(async () => 'late');
    const queued = bulkhead.execute(fn).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(50);
    const error = (await queued) as BulkheadRejectedError;
    expect(error).toBeInstanceOf(BulkheadRejectedError);
    expect(error.reason).toBe('queue-timeout');
    expect(error.budgetMs).toBe(50);
    expect(error.elapsedMs).toBeGreaterThanOrEqual(50);
    expect(bulkhead.snapshot().queued).toBe(0);
    g.open();
    await running;
    expect(fn).not.toHaveBeenCalled();
  });

  it('drops a queued call whose signal aborts, and refuses an already aborted one', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 5 });
    const g = gate();
    const running = bulkhead.execute(() => g.promise);
    const controller = new AbortController();
    const fn = vi.fn(async () => {});
    const queued = bulkhead.execute(fn, controller.signal);
    expect(bulkhead.snapshot().queued).toBe(1);
    const reason = new Error('caller left');
    controller.abort(reason);
    await expect(queued).rejects.toBe(reason);
    expect(bulkhead.snapshot().queued).toBe(0);
    await expect(bulkhead.execute(fn, AbortSignal.abort(reason))).rejects.toBe(reason);
    g.open();
    await running;
    expect(fn).not.toHaveBeenCalled();
  });

  it('frees the slot when the function throws synchronously or returns a value', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1 });
    await expect(
      bulkhead.execute(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    await expect(bulkhead.execute(() => 7)).resolves.toBe(7);
    expect(bulkhead.snapshot().running).toBe(0);
  });

  it('never runs more than maxConcurrent nor holds more than maxQueue (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.scheduler(),
        fc.integer({ min: 1, max: 20 }),
        async (maxConcurrent, maxQueue, s, calls) => {
          const bulkhead = new Bulkhead({ maxConcurrent, maxQueue });
          let running = 0;
          let peak = 0;
          const all = Promise.all(
            Array.from({ length: calls }, (_, i) =>
              s.schedule(Promise.resolve(i)).then(() =>
                bulkhead
                  .execute(async () => {
                    running++;
                    peak = Math.max(peak, running);
                    expect(bulkhead.snapshot().queued).toBeLessThanOrEqual(maxQueue);
                    await s.schedule(Promise.resolve());
                    running--;
                    return 'ran';
                  })
                  .catch((e: unknown) => (isBulkheadRejectedError(e) ? 'rejected' : 'other')),
              ),
            ),
          );
          let done = false;
          void all.then(() => (done = true));
          while (!done) {
            await s.waitAll();
            await new Promise((resolve) => setImmediate(resolve));
          }
          const outcomes = await all;
          expect(peak).toBeLessThanOrEqual(maxConcurrent);
          expect(outcomes).not.toContain('other');
          expect(bulkhead.snapshot()).toMatchObject({ running: 0, queued: 0 });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('rejects bad options at construction, naming them', () => {
    expect(() => new Bulkhead({ maxConcurrent: 0 })).toThrow(/Bulkhead: options\.maxConcurrent must be an integer >= 1, got 0/);
    expect(() => new Bulkhead({ maxConcurrent: 1, maxQueue: -1 })).toThrow(/options\.maxQueue must be an integer >= 0/);
    expect(() => new Bulkhead({ maxConcurrent: 1, queueTimeoutMs: 2 ** 40 })).toThrow(/options\.queueTimeoutMs must be at most/);
    expect(() => new Bulkhead(undefined as never)).toThrow(/options must be an object with maxConcurrent/);
  });
});
