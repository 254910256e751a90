import { toBlockEventLoop, type ToBlockEventLoopOptions } from './toBlockEventLoop.js';
import { toLeakHandles } from './toLeakHandles.js';
import { toRunConcurrently, type ToRunConcurrentlyOptions } from './toRunConcurrently.js';
import { toSettleWithin } from './toSettleWithin.js';
import type { FindLeakedHandlesOptions } from '../event-loop/findLeakedHandles.js';

/** asyncguard's matchers, for `expect.extend(asyncguardMatchers)` (importing `@asyncguard/testkit/vitest` does it for you). */
export const asyncguardMatchers = { toBlockEventLoop, toSettleWithin, toRunConcurrently, toLeakHandles };

/** The matchers' signatures, merged into Vitest's `expect` types. All of them are async: `await` them. */
export interface AsyncguardMatchers<R = unknown> {
  /** Runs the function under a block detector; use `.not` to require the loop never stalls longer than `maxMs` (default 50). */
  toBlockEventLoop(options?: ToBlockEventLoopOptions): Promise<R>;
  /** The promise (or the function's promise) settles within `ms` of real time, fake timers or not. */
  toSettleWithin(ms: number): Promise<R>;
  /** Calls overlap: at least `minOverlap` and at most `maxInFlight` in flight at once. */
  toRunConcurrently(options?: ToRunConcurrentlyOptions): Promise<R>;
  /** Runs the function; use `.not` to require it closes every timer, socket, server, child process, worker and ioredis client it opens. */
  toLeakHandles(options?: FindLeakedHandlesOptions): Promise<R>;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends AsyncguardMatchers<T> {}
}
