/** The timer functions a fake clock may replace (the names Vitest's `toFake` accepts). */
export type FakeTimerMethod =
  | 'setTimeout'
  | 'clearTimeout'
  | 'setImmediate'
  | 'clearImmediate'
  | 'setInterval'
  | 'clearInterval'
  | 'Date'
  | 'nextTick'
  | 'hrtime'
  | 'performance'
  | 'queueMicrotask';

/** Options accepted by `vi.useFakeTimers()` and the `test.fakeTimers` config (the subset these presets set). */
export interface FakeTimerPreset {
  readonly toFake: FakeTimerMethod[];
}

/**
 * Fake `setTimeout`/`setInterval` and `Date`, keep everything else real.
 *
 * Vitest's default fakes `setImmediate`, `process.hrtime` and `performance` too. Networked
 * code depends on them: Node's streams, ioredis and HTTP clients schedule work with
 * `setImmediate` and `process.nextTick`, so with those faked a socket read or a reconnect
 * stalls until the test advances the clock, and code that measures elapsed time with
 * `performance.now()` sees frozen time. With this preset, I/O, `setImmediate`, `nextTick`,
 * microtasks and monotonic clocks stay real; timeouts, retry back-offs and `Date` are
 * controlled by the test (`vi.advanceTimersByTimeAsync`).
 *
 * ```ts
 * vi.useFakeTimers(networkSafeFakeTimers);            // in a test
 * export default defineConfig({ test: { fakeTimers: networkSafeFakeTimers } }); // or for all
 * ```
 */
export const networkSafeFakeTimers: FakeTimerPreset = Object.freeze({
  toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
}) as FakeTimerPreset;

/** Like {@link networkSafeFakeTimers} but leaves `Date` real: only timeouts and intervals are faked. */
export const timeoutsOnlyFakeTimers: FakeTimerPreset = Object.freeze({
  toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
}) as FakeTimerPreset;
