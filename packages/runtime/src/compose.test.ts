import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { Bulkhead } from './Bulkhead.js';
import type { CallContext } from './CallContext.js';
import { CircuitBreaker } from './CircuitBreaker.js';
import { compose } from './compose.js';
import { CircuitOpenError } from './errors/CircuitOpenError.js';
import { TimeoutError } from './errors/TimeoutError.js';
import { type RetryContext, retryPolicy } from './retry.js';
import { expectNoLeakedResources } from '../tests/support/expectNoLeaks.js';
import { timeoutPolicy } from './timeoutPolicy.js';

expectNoLeakedResources();

const never = <T>(): Promise<T> => new Promise<T>(() => {});

describe('compose', () => {
  it('runs the function through every policy, outermost first', async () => {
    const order: string[] = [];
    const tracer = (name: string) => ({
      execute<T>(fn: (c: CallContext) => PromiseLike<T> | T, signal?: CallContext | AbortSignal): Promise<T> {
        order.push(`${name}>`);
        return Promise.resolve(fn(signal as CallContext)).finally(() => order.push(`<${name}`));
      },
    });
    const policy = compose(tracer('a'), tracer('b'), tracer('c'));
    await expect(policy.execute(() => 'x')).resolves.toBe('x');
    expect(order).toEqual(['a>', 'b>', 'c>', '<c', '<b', '<a']);
    expect(policy.policies).toHaveLength(3);
  });

  it('timeout outside retry bounds all attempts together and aborts the attempt in flight', async () => {
    vi.useFakeTimers();
    const signals: AbortSignal[] = [];
    const policy = compose(timeoutPolicy(1000, { operation: 'search' }), retryPolicy({ maxAttempts: 10, initialDelayMs: 100, random: () => 0.5 }));
    const p = policy
      .execute(({ signal, attempt }) => {
        signals.push(signal);
        return attempt < 100 ? Promise.reject(new Error(`attempt ${attempt}`)) : never();
      })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1000);
    const error = await p;
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).operation).toBe('search');
    expect(signals.length).toBeGreaterThan(1);
    expect(signals.length).toBeLessThan(10);
    expect(signals.every((s) => s.aborted)).toBe(true);
    expect(vi.getTimerCount()).toBe(0); // the retry's backoff timer was cancelled too
  });

  it('retry outside timeout gives each attempt its own budget', async () => {
    vi.useFakeTimers();
    let attempts = 0;
    const policy = compose(retryPolicy({ maxAttempts: 3, initialDelayMs: 1 }), timeoutPolicy(100));
    const p = policy.execute(() => (++attempts < 3 ? never() : Promise.resolve('third time'))).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(400);
    await expect(p).resolves.toBe('third time');
    expect(attempts).toBe(3);
  });

  it('the four together: breaker opens and retry stops on CircuitOpenError', async () => {
    const breaker = new CircuitBreaker({ consecutiveFailures: 2, halfOpenAfterMs: 60_000 });
    const bulkhead = new Bulkhead({ maxConcurrent: 2, maxQueue: 2 });
    const policy = compose(timeoutPolicy(2000), retryPolicy({ maxAttempts: 5, initialDelayMs: 0 }), breaker, bulkhead);
    const fn = vi.fn(async () => {
      throw new Error('down');
    });
    await expect(policy.execute(fn)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(fn).toHaveBeenCalledTimes(2);
    expect(breaker.state).toBe('open');
    expect(bulkhead.snapshot()).toMatchObject({ running: 0, queued: 0 });
  });

  it('creates no AbortController through four layers unless the function reads the signal', async () => {
    const Original = globalThis.AbortController;
    let made = 0;
    globalThis.AbortController = class extends Original {
      constructor() {
        super();
        made++;
      }
    };
    try {
      const policy = compose(timeoutPolicy(1000), new CircuitBreaker(), retryPolicy(), new Bulkhead({ maxConcurrent: 1 }), timeoutPolicy(500));
      await policy.execute(async () => 1);
      expect(made).toBe(0);
      await policy.execute(async ({ signal }) => signal.aborted);
      expect(made).toBe(1);
    } finally {
      globalThis.AbortController = Original;
    }
  });

  it('follows an outer AbortSignal through every layer', async () => {
    const controller = new AbortController();
    let inner: AbortSignal | undefined;
    const policy = compose(new CircuitBreaker(), timeoutPolicy(60_000));
    const p = policy.execute(({ signal }) => {
      inner = signal;
      return never();
    }, controller.signal);
    controller.abort(new Error('bye'));
    await expect(p).rejects.toThrow('bye');
    expect(inner?.aborted).toBe(true);
  });

  it('types the function context from the innermost policy', () => {
    const withRetryInside = compose(timeoutPolicy(10), retryPolicy());
    expectTypeOf(withRetryInside.execute).parameter(0).parameter(0).toEqualTypeOf<RetryContext>();
    const withTimeoutInside = compose(retryPolicy(), timeoutPolicy(10));
    expectTypeOf(withTimeoutInside.execute).parameter(0).parameter(0).toEqualTypeOf<CallContext>();
  });

  it('timeoutPolicy rejects bad budgets and options at construction', () => {
    expect(() => timeoutPolicy(-1)).toThrow(/timeoutPolicy: ms must not be negative/);
    expect(() => timeoutPolicy(2 ** 31)).toThrow(/timeoutPolicy: ms must be at most 2147483647/);
    expect(() => timeoutPolicy(10, { onLateRejection: 'log' as never })).toThrow(/timeoutPolicy: options\.onLateRejection must be a function/);
  });

  it('rejects anything that is not a policy, naming its position', () => {
    expect(() => compose()).toThrow(/compose: give at least one policy/);
    expect(() => compose(timeoutPolicy(1), {} as never)).toThrow(/compose: argument 2 is not a policy/);
  });
});
