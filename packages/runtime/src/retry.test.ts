import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { CircuitOpenError } from './errors/CircuitOpenError.js';
import { retry, retryPolicy } from './retry.js';
import { expectNoLeakedResources } from '../tests/support/expectNoLeaks.js';

expectNoLeakedResources();

describe('retry', () => {
  it('returns the first success without waiting', async () => {
    const fn = vi.fn(async () => 'ok');
    await expect(retry(fn)).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(1);
    await expect(retry(() => 'sync')).resolves.toBe('sync');
  });

  it('retries with full-jitter exponential backoff and passes the attempt number', async () => {
    vi.useFakeTimers();
    const attempts: number[] = [];
    const delays: number[] = [];
    const p = retry(
      ({ attempt }) => {
        attempts.push(attempt);
        if (attempt < 4) throw new Error(`fail ${attempt}`);
        return 'done';
      },
      { maxAttempts: 5, initialDelayMs: 100, factor: 2, maxDelayMs: 300, random: () => 0.5, onRetry: (i) => delays.push(i.delayMs) },
    );
    await vi.advanceTimersByTimeAsync(1000);
    await expect(p).resolves.toBe('done');
    expect(attempts).toEqual([1, 2, 3, 4]);
    // caps: 100, 200, min(300, 400) = 300; half of each
    expect(delays).toEqual([50, 100, 150]);
  });

  it('rejects with the last error after maxAttempts', async () => {
    vi.useFakeTimers();
    let n = 0;
    const p = retry(
      async () => {
        throw new Error(`attempt ${++n}`);
      },
      { maxAttempts: 3, initialDelayMs: 10 },
    ).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    expect(((await p) as Error).message).toBe('attempt 3');
  });

  it('stops on errors retryOn refuses, and by default on CircuitOpenError', async () => {
    const notRetried = new Error('validation');
    const fn = vi.fn(async () => {
      throw notRetried;
    });
    await expect(retry(fn, { retryOn: (e) => e !== notRetried })).rejects.toBe(notRetried);
    expect(fn).toHaveBeenCalledTimes(1);
    const open = vi.fn(async () => {
      throw new CircuitOpenError({ state: 'open', retryAfterMs: 1000 });
    });
    await expect(retry(open)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(open).toHaveBeenCalledTimes(1);
  });

  it('stops the backoff when the signal aborts, with its reason', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const fn = vi.fn(async () => {
      throw new Error('down');
    });
    const p = retry(fn, { signal: controller.signal, initialDelayMs: 10_000, maxDelayMs: 10_000, random: () => 0.99 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    const reason = new Error('shutdown');
    controller.abort(reason);
    expect(await p).toBe(reason);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('yields to the event loop between attempts even with a zero backoff', async () => {
    let ioTurn = false;
    setImmediate(() => (ioTurn = true));
    const error = await retry(
      () => Promise.reject(new Error('fast failure')),
      { maxAttempts: 3, initialDelayMs: 0, maxDelayMs: 0 },
    ).catch((e: unknown) => e);
    expect((error as Error).message).toBe('fast failure');
    expect(ioTurn).toBe(true);
  });

  it('retryPolicy is a reusable policy', async () => {
    vi.useFakeTimers();
    const policy = retryPolicy({ maxAttempts: 2, initialDelayMs: 1 });
    let calls = 0;
    const p = policy.execute(async ({ attempt }) => {
      calls++;
      if (attempt === 1) throw new Error('once');
      return attempt;
    });
    await vi.advanceTimersByTimeAsync(5);
    await expect(p).resolves.toBe(2);
    expect(calls).toBe(2);
  });

  it('rejects bad options at once, naming them', () => {
    const fn = async (): Promise<number> => 1;
    expect(() => retry(fn, { maxAttempts: 0 })).toThrow(/retry: options\.maxAttempts must be a positive integer, got 0/);
    expect(() => retry(fn, { factor: 0.5 })).toThrow(/retry: options\.factor must be a finite number >= 1/);
    expect(() => retry(fn, { initialDelayMs: -5 })).toThrow(/retry: options\.initialDelayMs must not be negative/);
    expect(() => retry(fn, { initialDelayMs: 500, maxDelayMs: 100 })).toThrow(/options\.maxDelayMs \(100\) must not be less than options\.initialDelayMs \(500\)/);
    expect(() => retry(fn, { maxElapsedMs: Infinity })).toThrow(/options\.maxElapsedMs must be finite/);
    expect(() => retry(fn, { retryOn: true as never })).toThrow(/options\.retryOn must be a function/);
    expect(() => retry(fn, { signal: 'x' as never })).toThrow(/options\.signal must be an AbortSignal/);
    expect(() => retryPolicy({ maxAttempts: 1.5 })).toThrow(/retryPolicy: options\.maxAttempts/);
  });

  it('never exceeds its attempt or time limits (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 0, max: 500 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 8, maxLength: 8 }),
        fc.array(fc.double({ min: 0, max: 0.999_999, noNaN: true }), { minLength: 8, maxLength: 8 }),
        async (maxAttempts, maxElapsedMs, initialDelayMs, durations, randoms) => {
          vi.useFakeTimers();
          try {
            const starts: number[] = [];
            let r = 0;
            const t0 = performance.now();
            const p = retry(
              ({ attempt }) => {
                starts.push(performance.now() - t0);
                return new Promise<never>((_, reject) => setTimeout(reject, durations[attempt - 1], new Error(`attempt ${attempt}`)));
              },
              { maxAttempts, maxElapsedMs, initialDelayMs, maxDelayMs: Math.max(initialDelayMs, 1000), random: () => randoms[r++ % randoms.length]! },
            ).catch((e: unknown) => e);
            await vi.runAllTimersAsync();
            const error = (await p) as Error;
            expect(starts.length).toBeGreaterThanOrEqual(1);
            expect(starts.length).toBeLessThanOrEqual(maxAttempts);
            for (const s of starts) expect(s).toBeLessThanOrEqual(maxElapsedMs);
            expect(error.message).toBe(`attempt ${starts.length}`);
            expect(vi.getTimerCount()).toBe(0);
          } finally {
            vi.useRealTimers();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
