import { rejection } from '../tests/support/faultHarness.js';
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { Bulkhead } from './Bulkhead.js';
import { isTimeoutError, type TimeoutError } from './errors/TimeoutError.js';
import { lazy } from './lazy.js';
import { OffloadPool } from './offload.js';
import { retry } from './retry.js';
import { expectNoLeakedResources } from '../tests/support/expectNoLeaks.js';
import { timeoutPolicy } from './timeoutPolicy.js';
import { currentSignal, remainingBudget, withDeadline } from './withDeadline.js';
import { withTimeout } from './withTimeout.js';

expectNoLeakedResources();

const never = <T>(): Promise<T> => new Promise<T>(() => {});
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));


async function timeoutOf(p: Promise<unknown>): Promise<TimeoutError> {
  const error = await rejection(p);
  expect(isTimeoutError(error), String(error)).toBe(true);
  return error as TimeoutError;
}

describe('withDeadline: the ambient budget', () => {
  it('is absent outside any deadline', () => {
    expect(remainingBudget()).toBeUndefined();
    expect(currentSignal()).toBeUndefined();
  });

  it('settles like fn, and hands fn the deadline signal', async () => {
    await expect(withDeadline(1000, async () => 'value')).resolves.toBe('value');
    await expect(withDeadline(1000, () => 'sync')).resolves.toBe('sync');
    const boom = new Error('boom');
    await expect(withDeadline(1000, () => Promise.reject(boom))).rejects.toBe(boom);
    await expect(
      withDeadline(1000, () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    await withDeadline(1000, ({ signal }) => {
      expect(signal).toBe(currentSignal());
      expect(signal.aborted).toBe(false);
    });
  });

  it('reports what is left, and a nested deadline can only shorten it', async () => {
    await withDeadline(
      500,
      async () => {
        const outer = remainingBudget() as number;
        expect(outer).toBeGreaterThan(0);
        expect(outer).toBeLessThanOrEqual(500);
        // Longer than what is left: clamped to the outer deadline.
        await withDeadline(60_000, () => {
          expect(remainingBudget()).toBeLessThanOrEqual(500);
        });
        // Shorter: wins.
        await withDeadline(50, () => {
          expect(remainingBudget()).toBeLessThanOrEqual(50);
        });
        // Back in the outer scope.
        expect(remainingBudget()).toBeGreaterThan(50);
      },
      { operation: 'outer' },
    );
  });

  it('an inner deadline longer than the outer one fires with the outer one, naming it', async () => {
    const error = await timeoutOf(withDeadline(30, () => withDeadline(60_000, never, { operation: 'inner' }), { operation: 'outer' }));
    expect(error).toMatchObject({ operation: 'inner', firedBy: 'deadline', deadlineOperation: 'outer', deadlineMs: 30 });
    expect(error.message).toMatch(/^inner timed out after .* \(the 30 ms deadline of outer ran out/);
  });

  it('an inner deadline shorter than the outer one fires on its own', async () => {
    const error = await timeoutOf(withDeadline(60_000, () => withDeadline(20, never, { operation: 'inner' }), { operation: 'outer' }));
    expect(error).toMatchObject({ operation: 'inner', firedBy: 'budget', deadlineOperation: 'inner', deadlineMs: 20 });
  });

  it('follows the work across await, timers, setImmediate and event emitters', async () => {
    const emitter = new EventEmitter();
    const seen: Record<string, number | undefined> = {};
    emitter.on('ping', () => {
      seen.emitter = remainingBudget();
    });
    await withDeadline(5000, async () => {
      await Promise.resolve();
      seen.await = remainingBudget();
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          seen.timer = remainingBudget();
          resolve();
        }, 1),
      );
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          seen.immediate = remainingBudget();
          resolve();
        }),
      );
      await new Promise<void>((resolve) =>
        process.nextTick(() => {
          emitter.emit('ping');
          resolve();
        }),
      );
    });
    for (const where of ['await', 'timer', 'immediate', 'emitter']) {
      expect(seen[where], where).toBeGreaterThan(0);
      expect(seen[where], where).toBeLessThanOrEqual(5000);
    }
  });

  it('ends with its body: work left running afterwards no longer inherits it', async () => {
    let later: Promise<number | undefined> | undefined;
    await withDeadline(5000, () => {
      later = sleep(5).then(() => remainingBudget());
    });
    await expect(later).resolves.toBeUndefined();
  });

  it('aborts currentSignal() at the deadline with the deadline TimeoutError', async () => {
    let signal: AbortSignal | undefined;
    const p = withDeadline(
      20,
      async () => {
        signal = currentSignal();
        expect(currentSignal()).toBe(signal); // one per deadline
        await never();
      },
      { operation: 'request' },
    );
    const error = await timeoutOf(p);
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBe(error);
    expect(error).toMatchObject({ operation: 'request', firedBy: 'budget', deadlineOperation: 'request' });
  });

  it('rejects with the error of the call it cut when the body awaits only that call', async () => {
    const error = await timeoutOf(withDeadline(20, () => withTimeout(never(), 60_000, { operation: 'redis.get' }), { operation: 'GET /facts/:id' }));
    expect(error).toMatchObject({ operation: 'redis.get', firedBy: 'deadline', deadlineOperation: 'GET /facts/:id', deadlineMs: 20, budgetMs: 60_000 });
    expect(error.message).toMatch(/the 20 ms deadline of GET \/facts\/:id ran out; own budget 60000 ms/);
  });

  it('rejects calls made after it passed at once, without starting them', async () => {
    let started = false;
    let late: Promise<unknown> | undefined;
    const outer = withDeadline(10, async () => {
      await sleep(40); // ignores the deadline
      late = withTimeout(
        async () => {
          started = true;
          return 'ran';
        },
        1000,
        { operation: 'late' },
      );
      return late;
    });
    await timeoutOf(outer);
    await sleep(60);
    const error = await timeoutOf(late as Promise<unknown>);
    expect(started).toBe(false);
    expect(error).toMatchObject({ operation: 'late', firedBy: 'deadline', outcome: 'not-sent' });
  });

  it('throws at once for a bad budget, fn or options', () => {
    expect(() => withDeadline(-1, () => 1)).toThrow(RangeError);
    expect(() => withDeadline(Number.NaN, () => 1)).toThrow(/withDeadline: ms/);
    expect(() => withDeadline(2 ** 31, () => 1)).toThrow(RangeError);
    expect(() => withDeadline(10, 'x' as never)).toThrow(/fn must be a function/);
    expect(() => withDeadline(10, () => 1, { operation: 1 as never })).toThrow(/operation must be a string/);
    expect(() => withDeadline(10, () => 1, { timeout: 5 } as never)).toThrow(/unknown option "timeout"/);
  });
});

describe('the time-bounded pieces clamp to the ambient deadline', () => {
  it('withTimeout: its own budget fires first when shorter', async () => {
    const error = await timeoutOf(withDeadline(60_000, () => withTimeout(never(), 20, { operation: 'inner' }), { operation: 'outer' }));
    expect(error).toMatchObject({ operation: 'inner', firedBy: 'budget', deadlineOperation: 'inner', budgetMs: 20 });
  });

  it('timeoutPolicy: clamped like withTimeout', async () => {
    const policy = timeoutPolicy(60_000, { operation: 'policy' });
    const error = await timeoutOf(withDeadline(20, () => policy.execute(() => never()), { operation: 'outer' }));
    expect(error).toMatchObject({ operation: 'policy', firedBy: 'deadline', deadlineOperation: 'outer' });
  });

  it('retry: never sleeps a backoff past the deadline, and stops with the last error', async () => {
    const errors: Error[] = [];
    const sleeps: { endsAt: number }[] = [];
    let deadlineAt = 0;
    const attempt = (): Promise<never> => {
      const error = new Error(`attempt ${errors.length + 1}`);
      errors.push(error);
      return Promise.reject(error);
    };
    const outcome = await rejection(
      withDeadline(150, () => {
        deadlineAt = performance.now() + (remainingBudget() as number);
        return retry(attempt, {
          maxAttempts: 100,
          initialDelayMs: 40,
          maxDelayMs: 40,
          random: () => 0.99,
          onRetry: ({ delayMs }) => void sleeps.push({ endsAt: performance.now() + delayMs }),
        });
      }),
    );
    // The last attempt's own error, not a TimeoutError: retry gave up before the deadline.
    expect(outcome).toBe(errors.at(-1));
    expect(errors.length).toBeGreaterThan(1);
    expect(errors.length).toBeLessThan(100);
    for (const s of sleeps) expect(s.endsAt).toBeLessThan(deadlineAt);
  });

  it('retry: a first backoff that cannot end in time is not slept at all', async () => {
    let attempts = 0;
    const boom = new Error('boom');
    const outcome = await rejection(
      withDeadline(100, () =>
        retry(
          () => {
            attempts++;
            return Promise.reject(boom);
          },
          { maxAttempts: 5, initialDelayMs: 5000, maxDelayMs: 5000, random: () => 0.5 },
        ),
      ),
    );
    expect(outcome).toBe(boom);
    expect(attempts).toBe(1);
  });

  it('Bulkhead: a queued call leaves the queue at the deadline with a TimeoutError', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 5, operation: 'search' });
    let release: () => void = () => {};
    const running = bulkhead.execute(() => new Promise<void>((resolve) => (release = resolve)));
    const queued = withDeadline(20, () => bulkhead.execute(() => 'never ran'), { operation: 'GET /search' });
    const error = await timeoutOf(queued);
    expect(error).toMatchObject({ operation: 'search', firedBy: 'deadline', deadlineOperation: 'GET /search', outcome: 'not-sent' });
    expect(bulkhead.snapshot().queued).toBe(0);
    release();
    await running;
    expect(bulkhead.snapshot().running).toBe(0);
  });

  it('offload: the ambient deadline terminates the worker task', async () => {
    const pool = new OffloadPool({ minThreads: 0, maxThreads: 1 });
    try {
      const spin = (): number => {
        for (;;) {
          // A task that never yields: only terminating its worker stops it.
        }
      };
      const error = await timeoutOf(withDeadline(200, () => pool.run(spin, []), { operation: 'POST /documents' }));
      expect(error).toMatchObject({ operation: 'offload', firedBy: 'deadline', deadlineOperation: 'POST /documents' });
      // The worker was replaced: the pool still serves.
      await expect(pool.run((a: number, b: number) => a + b, [2, 3])).resolves.toBe(5);
    } finally {
      await pool.destroy();
    }
  });

  it('lazy: a shared value is built outside the deadline of the caller that started it', async () => {
    const seen = lazy(async () => {
      await tick();
      return remainingBudget();
    });
    await expect(withDeadline(5000, () => seen())).resolves.toBeUndefined();
  });
});

afterEach(async () => {
  // Deadline timers of the tests above are cancelled or fired; give fired ones their macrotask.
  await tick();
});
