import fc from 'fast-check';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CircuitBreaker, type CircuitState } from './CircuitBreaker.js';
import { compose } from './compose.js';
import { CircuitOpenError, isCircuitOpenError } from './errors/CircuitOpenError.js';
import { TimeoutError } from './errors/TimeoutError.js';
import { expectNoLeakedResources } from '../tests/support/expectNoLeaks.js';
import { timeoutPolicy } from './timeoutPolicy.js';

expectNoLeakedResources();

const ok = async (): Promise<string> => 'ok';
const boom = new Error('boom');
const fail = async (): Promise<never> => {
  throw boom;
};

async function failTimes(breaker: CircuitBreaker, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await expect(breaker.execute(fail)).rejects.toBe(boom);
}

describe('CircuitBreaker', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  it('opens after N consecutive failures and then rejects fast without calling', async () => {
    const breaker = new CircuitBreaker({ name: 'redis', consecutiveFailures: 3, halfOpenAfterMs: 1000 });
    await failTimes(breaker, 2);
    await breaker.execute(ok); // a success resets the count
    await failTimes(breaker, 2);
    expect(breaker.state).toBe('closed');
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('open');
    const fn = vi.fn(ok);
    vi.advanceTimersByTime(400);
    const error: unknown = await breaker.execute(fn).catch((e: unknown) => e);
    expect(fn).not.toHaveBeenCalled();
    expect(isCircuitOpenError(error)).toBe(true);
    expect((error as CircuitOpenError).breaker).toBe('redis');
    expect((error as CircuitOpenError).state).toBe('open');
    expect((error as CircuitOpenError).retryAfterMs).toBeCloseTo(600, 0);
  });

  it('lets one trial through after halfOpenAfterMs: success closes, failure reopens', async () => {
    const breaker = new CircuitBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 1000 });
    await failTimes(breaker, 1);
    vi.advanceTimersByTime(1000);
    expect(breaker.state).toBe('half-open');
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('open');
    vi.advanceTimersByTime(999);
    expect(breaker.state).toBe('open');
    vi.advanceTimersByTime(1);
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  it('allows halfOpenTrials concurrent trials, rejects the rest, and needs all to succeed', async () => {
    const breaker = new CircuitBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 10, halfOpenTrials: 2 });
    await failTimes(breaker, 1);
    vi.advanceTimersByTime(10);
    const releases: Array<() => void> = [];
    const slow = (): Promise<string> => new Promise((resolve) => releases.push(() => resolve('trial')));
    const t1 = breaker.execute(slow);
    const t2 = breaker.execute(slow);
    const third: unknown = await breaker.execute(ok).catch((e: unknown) => e);
    expect((third as CircuitOpenError).state).toBe('half-open');
    expect(breaker.snapshot().trialsInFlight).toBe(2);
    releases[0]!();
    await t1;
    expect(breaker.state).toBe('half-open');
    releases[1]!();
    await t2;
    expect(breaker.state).toBe('closed');
  });

  it('opens on the failure rate in a sliding window once it holds minimumCalls', async () => {
    const breaker = new CircuitBreaker({ failureRate: { threshold: 0.5, windowMs: 1000, minimumCalls: 4 } });
    await failTimes(breaker, 3);
    expect(breaker.state).toBe('closed'); // 3 calls < minimumCalls
    await breaker.execute(ok);
    // 3 of 4 failed: 75% >= 50%? It was checked at the 4th call, which succeeded: the rate is re-evaluated on every call.
    expect(breaker.state).toBe('open');
    expect(breaker.snapshot().totals).toMatchObject({ calls: 4, failures: 3, successes: 1, opened: 1 });
  });

  it('forgets calls older than the window', async () => {
    const breaker = new CircuitBreaker({ failureRate: { threshold: 0.5, windowMs: 1000, minimumCalls: 4 } });
    await failTimes(breaker, 3);
    vi.advanceTimersByTime(1100);
    await breaker.execute(ok);
    await breaker.execute(ok);
    await failTimes(breaker, 1);
    expect(breaker.snapshot().failureWindow).toEqual({ calls: 3, failures: 1, rate: 1 / 3 });
    expect(breaker.state).toBe('closed');
  });

  it('opens on too many slow calls, even successful ones', async () => {
    const breaker = new CircuitBreaker({ slowCalls: { durationMs: 100, threshold: 0.5, minimumCalls: 2 } });
    const slowOk = (): Promise<string> => new Promise((resolve) => setTimeout(resolve, 150, 'late'));
    const fast = breaker.execute(ok);
    await fast;
    const p = breaker.execute(slowOk);
    await vi.advanceTimersByTimeAsync(150);
    await expect(p).resolves.toBe('late');
    expect(breaker.state).toBe('open');
    expect(breaker.snapshot().totals.failures).toBe(0);
  });

  it('counts only errors isFailure accepts', async () => {
    class NotFound extends Error {}
    const breaker = new CircuitBreaker({ consecutiveFailures: 2, isFailure: (e) => !(e instanceof NotFound) });
    for (let i = 0; i < 5; i++) {
      await expect(
        breaker.execute(() => {
          throw new NotFound();
        }),
      ).rejects.toBeInstanceOf(NotFound);
    }
    expect(breaker.state).toBe('closed');
    expect(breaker.snapshot().totals.ignored).toBe(5);
    await failTimes(breaker, 2);
    expect(breaker.state).toBe('open');
  });

  it('emits open, half-open, close and reject to listeners until disposed', async () => {
    const breaker = new CircuitBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 5 });
    const events: string[] = [];
    const offOpen = breaker.onOpen((e) => events.push(`open:${e.reason}:${e.error === boom}`));
    breaker.onHalfOpen(() => events.push('half-open'));
    breaker.onClose(() => events.push('close'));
    breaker.onReject((e) => events.push(`reject:${e.error.state}`));
    await failTimes(breaker, 1);
    await breaker.execute(ok).catch(() => {});
    vi.advanceTimersByTime(5);
    await breaker.execute(ok);
    offOpen();
    await failTimes(breaker, 1);
    expect(events).toEqual(['open:consecutive-failures:true', 'reject:open', 'half-open', 'close']);
  });

  it('keeps working when a listener throws', async () => {
    const warning = vi.fn();
    process.on('warning', warning);
    try {
      const breaker = new CircuitBreaker({ consecutiveFailures: 1 });
      breaker.onOpen(() => {
        throw new Error('listener bug');
      });
      await failTimes(breaker, 1);
      expect(breaker.state).toBe('open');
      vi.useRealTimers();
      await new Promise((r) => setImmediate(r));
      expect(String(warning.mock.calls[0]?.[0])).toMatch(/listener bug/);
    } finally {
      process.off('warning', warning);
    }
  });

  it('decides a call when an outer timeout gives up on it, so a hung trial cannot wedge the circuit', async () => {
    const breaker = new CircuitBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 100 });
    const guarded = compose(timeoutPolicy(50), breaker);
    await failTimes(breaker, 1);
    vi.advanceTimersByTime(100);
    const hung = guarded.execute(() => new Promise<never>(() => {})).catch((e: unknown) => e);
    expect(breaker.snapshot().trialsInFlight).toBe(1);
    await vi.advanceTimersByTimeAsync(50);
    expect(await hung).toBeInstanceOf(TimeoutError);
    expect(breaker.state).toBe('open'); // the timed-out trial counted as a failure
    vi.advanceTimersByTime(100);
    await expect(guarded.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  it('ignores a call the caller aborted for another reason, freeing its trial slot', async () => {
    const breaker = new CircuitBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 100 });
    await failTimes(breaker, 1);
    vi.advanceTimersByTime(100);
    const controller = new AbortController();
    const left = breaker.execute(() => new Promise<never>(() => {}), controller.signal);
    controller.abort(new Error('client went away'));
    expect(breaker.snapshot()).toMatchObject({ state: 'half-open', trialsInFlight: 0 });
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    void left;
    await expect(breaker.execute(ok, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });

  it('can be opened and closed by hand', async () => {
    const breaker = new CircuitBreaker();
    breaker.open();
    await expect(breaker.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    breaker.close();
    await expect(breaker.execute(ok)).resolves.toBe('ok');
  });

  it('defaults to 5 consecutive failures', async () => {
    const breaker = new CircuitBreaker();
    await failTimes(breaker, 4);
    expect(breaker.state).toBe('closed');
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('open');
  });

  it('rejects bad options at construction, naming them', () => {
    expect(() => new CircuitBreaker({ consecutiveFailures: 0 })).toThrow(/options\.consecutiveFailures must be a positive integer, got 0/);
    expect(() => new CircuitBreaker({ failureRate: { threshold: 1.5 } })).toThrow(/options\.failureRate\.threshold must be a number in \(0, 1\]/);
    expect(() => new CircuitBreaker({ failureRate: { threshold: 0.5, windowMs: 0 } })).toThrow(/options\.failureRate\.windowMs must be greater than 0/);
    expect(() => new CircuitBreaker({ failureRate: { threshold: 0.5, minimumCalls: 2.5 } })).toThrow(/failureRate\.minimumCalls/);
    expect(() => new CircuitBreaker({ slowCalls: { durationMs: -1, threshold: 0.5 } })).toThrow(/options\.slowCalls\.durationMs must not be negative/);
    expect(() => new CircuitBreaker({ halfOpenAfterMs: Number.NaN })).toThrow(/options\.halfOpenAfterMs/);
    expect(() => new CircuitBreaker({ halfOpenTrials: 0 })).toThrow(/options\.halfOpenTrials/);
    expect(() => new CircuitBreaker({ isFailure: 'yes' as never })).toThrow(/options\.isFailure must be a function/);
    expect(() => new CircuitBreaker(null as never)).toThrow(/options must be an object/);
  });

  it('halfOpen() ends the wait of an open circuit: the next call is the trial', async () => {
    const breaker = new CircuitBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 60_000 });
    const states: string[] = [];
    breaker.onHalfOpen(() => void states.push('half-open'));
    breaker.onClose(() => void states.push('closed'));
    breaker.halfOpen(); // closed: nothing to end
    expect(breaker.state).toBe('closed');
    await failTimes(breaker, 1);
    await expect(breaker.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    breaker.halfOpen();
    expect(breaker.state).toBe('half-open');
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(states).toEqual(['half-open', 'closed']);
  });
});

describe('CircuitBreaker against a model', () => {
  type Op = { kind: 'start' } | { kind: 'finish'; index: number; failed: boolean } | { kind: 'tick'; ms: number } | { kind: 'read' };

  /** The specification, as plainly as possible. */
  class Model {
    state: CircuitState = 'closed';
    consecutive = 0;
    openedAt = 0;
    trials = 0;
    successes = 0;
    generation = 0;
    constructor(
      readonly threshold: number,
      readonly halfOpenAfter: number,
      readonly maxTrials: number,
    ) {}
    refresh(now: number): void {
      if (this.state === 'open' && now - this.openedAt >= this.halfOpenAfter) {
        this.state = 'half-open';
        this.generation++;
        this.trials = this.successes = 0;
      }
    }
    start(now: number): { admitted: boolean; trial: boolean; generation: number } {
      this.refresh(now);
      if (this.state === 'closed') return { admitted: true, trial: false, generation: this.generation };
      if (this.state === 'half-open' && this.trials < this.maxTrials) {
        this.trials++;
        return { admitted: true, trial: true, generation: this.generation };
      }
      return { admitted: false, trial: false, generation: this.generation };
    }
    finish(call: { trial: boolean; generation: number }, failed: boolean, now: number): void {
      if (call.generation !== this.generation) return;
      if (call.trial) {
        this.trials--;
        if (failed) this.open(now);
        else if (++this.successes >= this.maxTrials) this.transition('closed');
        return;
      }
      if (failed) {
        if (++this.consecutive >= this.threshold) this.open(now);
      } else this.consecutive = 0;
    }
    open(now: number): void {
      this.transition('open');
      this.openedAt = now;
    }
    transition(state: CircuitState): void {
      this.state = state;
      this.generation++;
      this.consecutive = this.trials = this.successes = 0;
    }
  }

  const opArb: fc.Arbitrary<Op> = fc.oneof(
    { weight: 4, arbitrary: fc.constant({ kind: 'start' as const }) },
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('finish' as const), index: fc.nat(7), failed: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 150 }) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'read' as const }) },
  );

  it('agrees with the model on every admission and state, under concurrency', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.array(opArb, { minLength: 10, maxLength: 80, size: 'max' }), async (threshold, trials, ops) => {
        vi.useFakeTimers();
        try {
          const halfOpenAfter = 100;
          const breaker = new CircuitBreaker({ consecutiveFailures: threshold, halfOpenAfterMs: halfOpenAfter, halfOpenTrials: trials });
          const model = new Model(threshold, halfOpenAfter, trials);
          const pending: Array<{ settle: (failed: boolean) => Promise<void>; call: { trial: boolean; generation: number } }> = [];
          for (const op of ops) {
            const now = performance.now();
            if (op.kind === 'tick') vi.advanceTimersByTime(op.ms);
            else if (op.kind === 'read') {
              model.refresh(now);
              expect(breaker.state).toBe(model.state);
            } else if (op.kind === 'start') {
              const expected = model.start(now);
              let finish!: (failed: boolean) => void;
              const work = new Promise<void>((resolve, reject) => {
                finish = (failed) => (failed ? reject(boom) : resolve());
              });
              let called = false;
              const result = breaker.execute(() => {
                called = true;
                return work;
              });
              expect(called).toBe(expected.admitted);
              if (expected.admitted) {
                pending.push({
                  call: expected,
                  settle: async (failed) => {
                    finish(failed);
                    await result.catch(() => {});
                  },
                });
              } else {
                await expect(result).rejects.toBeInstanceOf(CircuitOpenError);
              }
            } else if (pending.length > 0) {
              const [entry] = pending.splice(op.index % pending.length, 1);
              await entry!.settle(op.failed);
              model.finish(entry!.call, op.failed, now);
            }
          }
          model.refresh(performance.now());
          expect(breaker.state).toBe(model.state);
          for (const entry of pending) await entry.settle(false);
        } finally {
          vi.useRealTimers();
        }
      }),
      { numRuns: 200 },
    );
  });
});
