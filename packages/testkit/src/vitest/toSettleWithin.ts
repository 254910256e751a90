import type { MatcherState } from 'vitest';
import { realClearTimeout, realNow, realSetTimeout } from '../timers/realTimers.js';
import { failureMessage } from './failureMessage.js';

/**
 * `await expect(promise).toSettleWithin(ms)`: passes when the promise resolves or rejects within
 * `ms` of real time. The clock is real even under `vi.useFakeTimers()`, so a promise that only
 * settles when the test advances fake time fails here instead of hanging the test. Accepts a
 * function returning the promise as well.
 */
export async function toSettleWithin(this: MatcherState, received: unknown, ms: number) {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw new RangeError(`toSettleWithin: ms must be a non-negative number of milliseconds, got ${String(ms)}`);
  }
  const started = realNow();
  let subject: unknown = received;
  if (typeof subject === 'function') subject = (subject as () => unknown)();
  if (typeof (subject as PromiseLike<unknown> | null)?.then !== 'function') {
    throw new TypeError(`toSettleWithin: expect() needs a promise or a function returning one, got ${subject === null ? 'null' : typeof subject}`);
  }
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    Promise.resolve(subject as PromiseLike<unknown>).then(
      () => ({ state: 'resolved' as const, after: realNow() - started }),
      (error: unknown) => ({ state: 'rejected' as const, after: realNow() - started, error }),
    ),
    new Promise<{ state: 'pending'; after: number }>((resolve) => {
      timer = realSetTimeout(() => resolve({ state: 'pending', after: realNow() - started }), ms);
    }),
  ]);
  realClearTimeout(timer);
  const pass = outcome.state !== 'pending';
  const after = `${Math.round(outcome.after)} ms`;
  const explanation = (): string =>
    pass
      ? `expected the promise not to settle within ${ms} ms, but it ${outcome.state} after ${after}${
          outcome.state === 'rejected' ? ` (${String((outcome as { error: unknown }).error)})` : ''
        }`
      : `expected the promise to settle within ${ms} ms, but it was still pending after ${after} (real time${
          this.isNot ? '' : '; fake timers do not advance during this wait'
        })`;
  return {
    pass,
    message: () =>
      failureMessage(this, 'toSettleWithin', { received: 'promise', expected: 'ms' }, explanation(), {
        expected: `settled within ${ms} ms`,
        received: pass ? `${outcome.state} after ${after}` : `still pending after ${after}`,
      }),
  };
}
