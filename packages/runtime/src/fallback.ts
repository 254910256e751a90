import { isThenable } from './internal/isThenable.js';
import { type Logger, type LogLevel, silentLogger } from './Logger.js';
import { type OptionKeys, rejectUnknownKeys } from './internal/rejectUnknownKeys.js';

export interface FallbackOptions {
  /** Where the reason for degrading goes. Default: nowhere. */
  log?: Logger;
  /** Default `'warn'`. */
  level?: LogLevel;
  /** Names the operation in the log entry. */
  operation?: string;
  /** Which errors to degrade on; others are rethrown. Default: all. */
  when?: (error: unknown) => boolean;
}

const OPTION_KEYS: OptionKeys<FallbackOptions> = { log: true, level: true, operation: true, when: true };

/**
 * Graceful degradation: runs `fn`, and if it fails returns `fallbackValue` (or what
 * `fallbackValue(error)` returns) instead — always logging why, so a degraded answer never
 * goes unnoticed. The log entry has `{ err, operation, fallback: true }`.
 *
 * ```ts
 * const hits = await fallback(() => search(q), [], { log: logger, operation: 'search' });
 * ```
 */
export function fallback<T, F = T>(
  fn: () => PromiseLike<T> | T,
  fallbackValue: F | ((error: unknown) => PromiseLike<F> | F),
  options: FallbackOptions = {},
): Promise<T | F> {
  if (typeof fn !== 'function') throw new TypeError('fallback: fn must be a function');
  if (typeof options !== 'object' || options === null) throw new TypeError('fallback: options must be an object');
  rejectUnknownKeys(options, OPTION_KEYS, 'fallback');
  const { log = silentLogger, level = 'warn', operation, when } = options;
  if (typeof log !== 'object' || log === null || typeof log[level] !== 'function') {
    throw new TypeError(`fallback: options.log must be a logger with a ${String(level)}() method`);
  }
  if (when !== undefined && typeof when !== 'function') throw new TypeError('fallback: options.when must be a function');

  const degrade = async (error: unknown): Promise<F> => {
    if (when !== undefined && !when(error)) throw error;
    try {
      log[level]({ err: error, operation, fallback: true }, `${operation ?? 'operation'} failed, using fallback: ${describe(error)}`);
    } catch {
      // Logging must never turn a degraded answer into a failure.
    }
    return typeof fallbackValue === 'function' ? (fallbackValue as (error: unknown) => PromiseLike<F> | F)(error) : fallbackValue;
  };

  let result: PromiseLike<T> | T;
  try {
    result = fn();
  } catch (error) {
    return degrade(error);
  }
  if (!isThenable(result)) return Promise.resolve(result);
  return Promise.resolve(result).then(undefined, degrade);
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
