import { expect } from 'vitest';
import { asyncguardMatchers } from './vitest/matchers.js';

export { describeWithRedis, redisTestsAvailable, useChaosProxy, useRedisCluster, useRedisServer } from './vitest/redis.js';

// Importing this entry (directly or from `test.setupFiles`) registers the matchers; the types
// come with it through the `declare module 'vitest'` augmentation in ./vitest/matchers.ts.
expect.extend(asyncguardMatchers);

export { asyncguardMatchers } from './vitest/matchers.js';
export type { AsyncguardMatchers } from './vitest/matchers.js';
export { toBlockEventLoop } from './vitest/toBlockEventLoop.js';
export type { ToBlockEventLoopOptions } from './vitest/toBlockEventLoop.js';
export { toSettleWithin } from './vitest/toSettleWithin.js';
export { toRunConcurrently } from './vitest/toRunConcurrently.js';
export type { ToRunConcurrentlyOptions } from './vitest/toRunConcurrently.js';
export { toLeakHandles } from './vitest/toLeakHandles.js';
export { trackConcurrency, concurrencyRecordOf } from './vitest/trackConcurrency.js';
export type { TrackedFunction, TrackedCall, ConcurrencyRecord } from './vitest/trackConcurrency.js';
export { installBlockGuard, createBlockGuard, EventLoopBlockedError } from './vitest/installBlockGuard.js';
export type { BlockGuard, BlockGuardOptions } from './vitest/installBlockGuard.js';
export { formatBlock, formatFrames } from './vitest/formatBlock.js';
