import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { isLazyDisposedError } from './errors/LazyDisposedError.js';
import { lazy } from './lazy.js';
import { expectNoLeakedResources } from '../tests/support/expectNoLeaks.js';

expectNoLeakedResources();

describe('lazy', () => {
  it('initialises once and shares the value', async () => {
    const init = vi.fn(async () => ({ index: 1 }));
    const get = lazy(init);
    expect(get.state).toBe('idle');
    const [a, b] = await Promise.all([get(), get()]);
    expect(a).toBe(b);
    expect(await get()).toBe(a);
    expect(init).toHaveBeenCalledTimes(1);
    expect(get.state).toBe('ready');
  });

  it('does not cache a failure: the first caller after the backoff tries again', async () => {
    vi.useFakeTimers();
    let n = 0;
    const get = lazy(
      async () => {
        n++;
        if (n < 3) throw new Error(`init ${n}`);
        return 'ready';
      },
      { initialBackoffMs: 100, maxBackoffMs: 1000 },
    );
    await expect(get()).rejects.toThrow('init 1');
    expect(get.state).toBe('failed');
    await expect(get()).rejects.toThrow('init 1'); // inside the backoff: same failure, no new attempt
    expect(n).toBe(1);
    vi.advanceTimersByTime(100);
    await expect(get()).rejects.toThrow('init 2');
    vi.advanceTimersByTime(150); // backoff doubled to 200
    await expect(get()).rejects.toThrow('init 2');
    vi.advanceTimersByTime(50);
    await expect(get()).resolves.toBe('ready');
    expect(n).toBe(3);
  });

  it('reset() makes the next call initialise again and aborts an attempt in flight', async () => {
    let n = 0;
    let seen: AbortSignal | undefined;
    const get = lazy(async ({ signal }) => {
      seen = signal;
      return ++n;
    });
    expect(await get()).toBe(1);
    get.reset();
    expect(get.state).toBe('idle');
    expect(await get()).toBe(2);

    let release!: (v: string) => void;
    const slow = lazy(({ signal }) => {
      seen = signal;
      return new Promise<string>((resolve) => (release = resolve));
    });
    const first = slow();
    slow.reset();
    expect(seen?.aborted).toBe(true);
    release('old');
    await expect(first).resolves.toBe('old'); // its waiters still get its result
    expect(slow.state).toBe('idle'); // but it is not cached
  });

  it('dispose() disposes the value, then rejects every call', async () => {
    const disposed: string[] = [];
    const get = lazy(async () => 'conn', { dispose: (v) => void disposed.push(v), name: 'redis' });
    await get();
    await get.dispose();
    expect(disposed).toEqual(['conn']);
    const error: unknown = await get().catch((e: unknown) => e);
    expect(isLazyDisposedError(error)).toBe(true);
    expect((error as Error).message).toBe('redis was disposed');
    await get.dispose(); // idempotent
    expect(disposed).toEqual(['conn']);
  });

  it('dispose() during an attempt disposes what that attempt produces', async () => {
    const disposed: string[] = [];
    let release!: (v: string) => void;
    const get = lazy(() => new Promise<string>((resolve) => (release = resolve)), { dispose: (v) => void disposed.push(v) });
    const waiting = get();
    const disposing = get.dispose();
    release('late');
    await disposing;
    await expect(waiting).resolves.toBe('late');
    expect(disposed).toEqual(['late']);
    expect(get.state).toBe('disposed');
  });

  it('rejects bad arguments, naming them', () => {
    expect(() => lazy('nope' as never)).toThrow(/lazy: init must be a function/);
    expect(() => lazy(async () => 1, { initialBackoffMs: -1 })).toThrow(/lazy: options\.initialBackoffMs must not be negative/);
    expect(() => lazy(async () => 1, { initialBackoffMs: 500, maxBackoffMs: 10 })).toThrow(/options\.maxBackoffMs \(10\)/);
    expect(() => lazy(async () => 1, { dispose: 3 as never })).toThrow(/options\.dispose must be a function/);
  });

  it('is single-flight under any interleaving of callers and init steps (fc.scheduler)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 1, max: 8 }), fc.boolean(), async (s, callers, firstFails) => {
        let attempts = 0;
        let active = 0;
        let maxActive = 0;
        const get = lazy(
          async () => {
            attempts++;
            active++;
            maxActive = Math.max(maxActive, active);
            await s.schedule(Promise.resolve(), 'init step');
            active--;
            if (firstFails && attempts === 1) throw new Error('first attempt fails');
            return { attempt: attempts };
          },
          { initialBackoffMs: 0 },
        );
        const results = Array.from({ length: callers }, (_, i) =>
          s.schedule(Promise.resolve(), `caller ${i}`).then(() =>
            get().then(
              (v) => v,
              (e: unknown) => e as Error,
            ),
          ),
        );
        await s.waitAll();
        const settled = await Promise.all(results);
        expect(maxActive).toBe(1);
        const values = settled.filter((r): r is { attempt: number } => !(r instanceof Error));
        // Every success is the same object: one initialisation served them all.
        expect(new Set(values).size).toBeLessThanOrEqual(1);
        expect(attempts).toBeLessThanOrEqual(firstFails ? 2 : 1);
        if (!firstFails) expect(values).toHaveLength(callers);
        if (values.length > 0) await expect(get()).resolves.toBe(values[0]);
      }),
      { numRuns: 200 },
    );
  });
});
