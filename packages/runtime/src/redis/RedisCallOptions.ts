/** Per-call options accepted by every facade method (as the last argument). */
export interface RedisCallOptions<T = unknown> {
  /**
   * Used instead of throwing when the call fails for any reason (timeout, Redis down, breaker
   * open, bulkhead full, a server error): a value, or a function of the error. The failure is
   * logged with its reason.
   */
  fallback?: T | ((error: unknown) => T | PromiseLike<T>);
  /** Overrides the category budget for this call, in ms. */
  budgetMs?: number;
  /**
   * `true` retries this call on connection failures even though it is a write (for idempotent
   * writes such as `SET k v`); `false` turns retries off for a read.
   */
  retry?: boolean;
}

/** Options of a blocking command on a dedicated connection. */
export interface RedisBlockingCallOptions<T = unknown> extends RedisCallOptions<T> {
  /** Gives up (and closes the dedicated connection) when this aborts. Required for a 0 (forever) timeout. */
  signal?: AbortSignal;
}
