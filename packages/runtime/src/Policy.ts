import type { CallContext, CancellationSource } from './CallContext.js';

/**
 * The one interface every asyncguard policy implements, so they nest and compose:
 * `execute` runs `fn` under the policy and settles like it (or rejects with the policy's own
 * error). `signal` is the caller's cancellation — an `AbortSignal`, or the context an outer
 * policy handed to its function, which keeps lazily created signals lazy down the chain.
 * `C` is the context the policy hands to `fn` (retry adds the attempt number).
 */
export interface Policy<C extends CallContext = CallContext> {
  execute<T>(fn: (context: C) => PromiseLike<T> | T, signal?: CancellationSource): Promise<T>;
}

/** The context type a policy hands to its function. */
export type ContextOf<P> = P extends Policy<infer C> ? C : CallContext;
