/**
 * The real clock and timers even while fake timers are installed (`vi.useFakeTimers()`,
 * @sinonjs/fake-timers): those libraries replace the globals and keep each original on the
 * replacement's `clock` as `_<name>`. The event-loop monitor measures real time with these, so a
 * test that freezes the clock is not mistaken for a blocked loop.
 */

type ClockTagged = { clock?: Record<string, unknown> };

function original<T>(current: T, name: string): T {
  const saved = (current as ClockTagged | undefined)?.clock?.[`_${name}`];
  return (typeof saved === 'function' ? saved : current) as T;
}

const loadedHrtime = process.hrtime;

/** Real monotonic milliseconds. */
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

/** Resolves on the next real `setImmediate` turn. */
export function realImmediate(): Promise<void> {
  return new Promise((resolve) => {
    original(globalThis.setImmediate, 'setImmediate').call(globalThis, () => resolve());
  });
}
