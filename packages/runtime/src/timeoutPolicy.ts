import { assertBudget } from './budgets.js';
import type { CancellationSource, GuardedFn } from './CallContext.js';
import type { Policy } from './Policy.js';
import { runWithTimeout, type WithTimeoutOptions } from './withTimeout.js';

export type TimeoutPolicyOptions = Omit<WithTimeoutOptions, 'signal'>;

/** `withTimeout` as a {@link Policy}, for `compose`. */
export class TimeoutPolicy implements Policy {
  readonly ms: number;
  private readonly options: TimeoutPolicyOptions | undefined;

  constructor(ms: number, options?: TimeoutPolicyOptions) {
    this.ms = assertBudget(ms, 'timeoutPolicy: ms');
    if (options !== undefined && (typeof options !== 'object' || options === null)) throw new TypeError('timeoutPolicy: options must be an object');
    if (options?.onLateRejection !== undefined && typeof options.onLateRejection !== 'function') {
      throw new TypeError('timeoutPolicy: options.onLateRejection must be a function');
    }
    this.options = options;
  }

  execute<T>(fn: GuardedFn<T>, signal?: CancellationSource): Promise<T> {
    return runWithTimeout(fn, this.ms, this.options, signal);
  }
}

/** A policy that bounds each call to `ms` milliseconds (see `withTimeout`). */
export function timeoutPolicy(ms: number, options?: TimeoutPolicyOptions): TimeoutPolicy {
  return new TimeoutPolicy(ms, options);
}
