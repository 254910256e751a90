import { assertBudget } from './budgets.js';
import type { CancellationSource, GuardedFn } from './CallContext.js';
import type { Policy } from './Policy.js';
import { rejectUnknownKeys } from './internal/rejectUnknownKeys.js';
import { runWithTimeout, WITH_TIMEOUT_OPTION_KEYS, type WithTimeoutOptions } from './withTimeout.js';

export type TimeoutPolicyOptions = Omit<WithTimeoutOptions, 'signal'>;

const { signal: _signal, ...OPTION_KEYS } = WITH_TIMEOUT_OPTION_KEYS;

/** `withTimeout` as a {@link Policy}, for `compose`. */
export class TimeoutPolicy implements Policy {
  readonly ms: number;
  private readonly options: TimeoutPolicyOptions | undefined;

  constructor(ms: number, options?: TimeoutPolicyOptions) {
    this.ms = assertBudget(ms, 'timeoutPolicy: ms');
    if (options !== undefined && (typeof options !== 'object' || options === null)) throw new TypeError('timeoutPolicy: options must be an object');
    if (options !== undefined) rejectUnknownKeys(options, OPTION_KEYS, 'timeoutPolicy');
    if (options?.operation !== undefined && typeof options.operation !== 'string') throw new TypeError('timeoutPolicy: options.operation must be a string');
    if (options?.outcome !== undefined && options.outcome !== 'not-sent' && options.outcome !== 'unknown' && typeof options.outcome !== 'function') {
      throw new TypeError(`timeoutPolicy: options.outcome must be 'not-sent', 'unknown' or a function`);
    }
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
