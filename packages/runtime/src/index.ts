export { DEFAULT_BUDGETS, BUDGET_CATEGORIES, MAX_TIMER_MS, assertBudget, defineBudgets } from './budgets.js';
export type { BudgetCategory, Budgets } from './budgets.js';
export { TimeoutError, isTimeoutError } from './errors/TimeoutError.js';
export type { TimeoutErrorOptions, TimeoutSource } from './errors/TimeoutError.js';
export { CircuitOpenError, isCircuitOpenError } from './errors/CircuitOpenError.js';
export type { CircuitOpenErrorOptions } from './errors/CircuitOpenError.js';
export { BulkheadRejectedError, isBulkheadRejectedError } from './errors/BulkheadRejectedError.js';
export type { BulkheadRejectedErrorOptions, BulkheadRejectionReason } from './errors/BulkheadRejectedError.js';
export { RedisUnavailableError, isRedisUnavailableError } from './errors/RedisUnavailableError.js';
export type { RedisUnavailableErrorOptions } from './errors/RedisUnavailableError.js';
export type { CallOutcome } from './errors/brand.js';
export { withTimeout } from './withTimeout.js';
export { withDeadline, remainingBudget, currentSignal } from './withDeadline.js';
export type { WithDeadlineOptions } from './withDeadline.js';
export type { TimeoutWork, WithTimeoutOptions } from './withTimeout.js';
export type { CallContext, CancellationSource, GuardedFn } from './CallContext.js';
export type { Policy, ContextOf } from './Policy.js';
export { TimeoutPolicy, timeoutPolicy } from './timeoutPolicy.js';
export type { TimeoutPolicyOptions } from './timeoutPolicy.js';
export { CircuitBreaker } from './CircuitBreaker.js';
export type {
  CircuitBreakerOptions,
  CircuitBreakerSnapshot,
  CircuitOpenEvent,
  CircuitRejectEvent,
  CircuitState,
  Disposer,
  FailureRateTrigger,
  OpenReason,
  SlowCallTrigger,
} from './CircuitBreaker.js';
export { retry, retryPolicy, RetryPolicy } from './retry.js';
export type { RetryCallOptions, RetryContext, RetryInfo, RetryOptions } from './retry.js';
export { Bulkhead } from './Bulkhead.js';
export type { BulkheadOptions, BulkheadSnapshot } from './Bulkhead.js';
export { lazy } from './lazy.js';
export type { Lazy, LazyOptions, LazyState } from './lazy.js';
export { LazyDisposedError, isLazyDisposedError } from './errors/LazyDisposedError.js';
export { fallback } from './fallback.js';
export type { FallbackOptions } from './fallback.js';
export { silentLogger } from './Logger.js';
export type { Logger, LogLevel, LogMethod } from './Logger.js';
export { compose } from './compose.js';
export type { ComposedPolicy } from './compose.js';
export { RedisManager } from './redis/RedisManager.js';
export type { RedisCloseOptions, RedisManagerEvents, RedisSubscription, ScanIteratorOptions } from './redis/RedisManager.js';
export { getRedisManager, createRedisManager, closeAllRedisManagers } from './redis/getRedisManager.js';
export type { RedisManagerOptions, RedisBreakerSettings, RedisRetrySettings, RedisBulkheadSettings, BlockingPoolSettings, ReconnectSettings, RedisSentinelOptions, RedisClusterOptions, RedisNodeAddress, MeterLike } from './redis/RedisManagerOptions.js';
export type { RedisCommands, SafeRedisCommands, RedisKey, RedisValue, SetOptions, ScanOptions, ZMember } from './redis/RedisCommands.js';
export type { RedisCallOptions, RedisBlockingCallOptions } from './redis/RedisCallOptions.js';
export type { RedisHealth, RedisHealthChange, RedisHealthState, RedisPingResult } from './redis/RedisHealthMonitor.js';
export type { RedisManagerStats, RedisCallOutcome } from './redis/RedisStats.js';
export type { LatencySummary } from './redis/LatencyHistogram.js';
export { offload, OffloadPool, closeOffloadPool } from './offload.js';
export type { OffloadModule, OffloadOptions, OffloadPoolOptions, OffloadTarget } from './offload.js';
export type { RedisMessageListener } from './redis/RedisManager.js';
export { monitorEventLoop, blockingFrame, formatBlockFrame, EVENT_LOOP_BLOCK_METRIC } from './eventLoop/monitorEventLoop.js';
export type { EventLoopMonitor, EventLoopMonitorOptions, HistogramMeter } from './eventLoop/monitorEventLoop.js';
export type { EventLoopBlock, BlockFrame } from './eventLoop/EventLoopBlock.js';
