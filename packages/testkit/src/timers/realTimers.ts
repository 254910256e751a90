/**
 * The real clock and timers, even while a test has installed fake timers
 * (`vi.useFakeTimers()`, @sinonjs/fake-timers). Fake-timer libraries replace the globals and
 * tag each replacement with its clock, which keeps the original as `clock._<name>`; the helpers
 * below look through that tag at call time, so they stay real whenever fakes are installed.
 */

type ClockTagged = { clock?: Record<string, unknown> };

function original<T>(current: T, name: string): T {
  const clock = (current as ClockTagged | undefined)?.clock;
  const saved = clock?.[`_${name}`];
  return (typeof saved === 'function' ? saved : current) as T;
}

const loadedHrtime = original(process.hrtime, 'hrtime');

/** Real monotonic milliseconds (process.hrtime), never faked. */
export function realNow(): number {
  const hrtime = original(process.hrtime, 'hrtime') ?? loadedHrtime;
  return Number((hrtime.bigint ?? loadedHrtime.bigint)()) / 1e6;
}

/** The real `setTimeout`. */
export function realSetTimeout(callback: () => void, ms: number): NodeJS.Timeout {
  return original(globalThis.setTimeout, 'setTimeout').call(globalThis, callback, ms) as NodeJS.Timeout;
}

/** The real `clearTimeout`. */
export function realClearTimeout(timer: NodeJS.Timeout | undefined): void {
  original(globalThis.clearTimeout, 'clearTimeout').call(globalThis, timer);
}

/** The real `setImmediate`, as a promise. */
export function realImmediate(): Promise<void> {
  return new Promise((resolve) => {
    original(globalThis.setImmediate, 'setImmediate').call(globalThis, () => resolve());
  });
}

/** Resolves after `ms` milliseconds of real time, fake timers or not. */
export function realDelay(ms: number, options: { unref?: boolean } = {}): Promise<void> {
  return new Promise((resolve) => {
    const timer = realSetTimeout(resolve, ms);
    if (options.unref === true) timer.unref();
  });
}
