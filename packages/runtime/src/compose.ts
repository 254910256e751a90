import type { CallContext, CancellationSource } from './CallContext.js';
import type { ContextOf, Policy } from './Policy.js';

/** Policies run outermost first; the function gets the innermost policy's context. */
export interface ComposedPolicy<P extends readonly Policy[]> extends Policy<InnermostContext<P>> {
  readonly policies: P;
}

type InnermostContext<P extends readonly unknown[]> = P extends readonly [...unknown[], infer Last] ? ContextOf<Last> : CallContext;

/**
 * Nests policies into one, outermost first:
 *
 * ```ts
 * const guarded = compose(timeoutPolicy(2000), breaker, retryPolicy({ maxAttempts: 3 }), bulkhead);
 * await guarded.execute(({ signal }) => fetchThing(signal));
 * ```
 *
 * Order matters. Above, the 2 s budget covers every retry together, the breaker sees one
 * outcome per call, and each attempt takes its own bulkhead slot. Put the timeout innermost
 * for a per-attempt budget instead. Cancellation flows inwards without creating signals that
 * nobody reads.
 */
export function compose<A extends Policy>(a: A): ComposedPolicy<[A]>;
export function compose<A extends Policy, B extends Policy>(a: A, b: B): ComposedPolicy<[A, B]>;
export function compose<A extends Policy, B extends Policy, C extends Policy>(a: A, b: B, c: C): ComposedPolicy<[A, B, C]>;
export function compose<A extends Policy, B extends Policy, C extends Policy, D extends Policy>(
  a: A,
  b: B,
  c: C,
  d: D,
): ComposedPolicy<[A, B, C, D]>;
export function compose<A extends Policy, B extends Policy, C extends Policy, D extends Policy, E extends Policy>(
  a: A,
  b: B,
  c: C,
  d: D,
  e: E,
): ComposedPolicy<[A, B, C, D, E]>;
export function compose<P extends Policy[]>(...policies: P): ComposedPolicy<P>;
export function compose(...policies: Policy[]): ComposedPolicy<readonly Policy[]> {
  if (policies.length === 0) throw new TypeError('compose: give at least one policy');
  policies.forEach((p, i) => {
    if (p === null || typeof p !== 'object' || typeof (p as Policy).execute !== 'function') {
      throw new TypeError(`compose: argument ${i + 1} is not a policy (it has no execute method)`);
    }
  });
  return new Composed(Object.freeze([...policies]));
}

class Composed implements ComposedPolicy<readonly Policy[]> {
  constructor(readonly policies: readonly Policy[]) {}

  execute<T>(fn: (context: CallContext) => PromiseLike<T> | T, signal?: CancellationSource): Promise<T> {
    return this.layer(0, fn, signal);
  }

  private layer<T>(i: number, fn: (context: CallContext) => PromiseLike<T> | T, signal: CancellationSource | undefined): Promise<T> {
    const policy = this.policies[i]!;
    if (i === this.policies.length - 1) return policy.execute(fn, signal);
    return policy.execute((context: CallContext) => this.layer(i + 1, fn, context), signal);
  }
}
