/**
 * What every guarded function receives. `signal` aborts when the caller stops waiting (its
 * deadline passed, an outer signal aborted, a bulkhead queue gave up). It is created on first
 * read: an `AbortController` costs microseconds, so functions that cannot be cancelled should
 * not touch it, and then none is made.
 *
 * ```ts
 * await withTimeout(({ signal }) => fetch(url, { signal }), 2000);   // reads it: gets one
 * await withTimeout(() => redis.get(key), 2000);                      // doesn't: none is made
 * ```
 */
export interface CallContext {
  readonly signal: AbortSignal;
}

/** Where a caller's cancellation comes from: an `AbortSignal`, or a context handed down by an outer policy. */
export type CancellationSource = AbortSignal | CallContext;

/** A function a policy runs. It may return a value or a promise (thenable). */
export type GuardedFn<T> = (context: CallContext) => PromiseLike<T> | T;
