import { type OptionKeys, rejectUnknownKeys } from '../internal/rejectUnknownKeys.js';

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

/** Options of `RedisManager.close()`. */
export interface RedisCloseOptions {
  /** How long to wait for in-flight commands before cutting them. Default 2000 ms. */
  drainMs?: number;
}

/** Options of `RedisManager.scanIterator()`. */
export interface ScanIteratorOptions {
  /** COUNT hint per SCAN step. Default 100. */
  count?: number;
  /** Only keys of this type. */
  type?: string;
  /** Budget per SCAN step. Default: the `redisScan` budget. */
  stepBudgetMs?: number;
}

/** The keys of {@link RedisCallOptions}, for error messages. */
export const CALL_OPTION_KEYS: OptionKeys<RedisCallOptions> = { fallback: true, budgetMs: true, retry: true };
export const BLOCKING_CALL_OPTION_KEYS: OptionKeys<RedisBlockingCallOptions> = { ...CALL_OPTION_KEYS, signal: true };
export const CLOSE_OPTION_KEYS: OptionKeys<RedisCloseOptions> = { drainMs: true };
export const SCAN_ITERATOR_OPTION_KEYS: OptionKeys<ScanIteratorOptions> = { count: true, type: true, stepBudgetMs: true };

/**
 * The per-call options of one command, checked before it runs: a key outside `known` (a typo
 * such as `budgetMS`) is a `TypeError` naming it, and `retry` must be a boolean. Returns the error,
 * or `undefined` when the options are fine; errors name the operation (`redis.<command>`). On the hot path nothing is allocated unless a key
 * falls outside the common set (`fallback`, `budgetMs`, `retry`): the usual `{ budgetMs }` or
 * `{ fallback }` costs one loop over its own keys.
 */
export function callOptionsError(options: object | undefined, known: object, command: string): TypeError | undefined {
  if (options === undefined || options === null) return undefined;
  for (const key in options) {
    if (key !== 'fallback' && key !== 'budgetMs' && key !== 'retry') return slowCheck(options, known, command);
  }
  return retryError(options, command);
}

function slowCheck(options: object, known: object, command: string): TypeError | undefined {
  if (typeof options !== 'object') return new TypeError(`redis.${command}: options must be an object, got ${typeof options}`);
  try {
    rejectUnknownKeys(options, known, `redis.${command}`);
  } catch (err) {
    return err as TypeError;
  }
  return retryError(options, command);
}

function retryError(options: object, command: string): TypeError | undefined {
  const retry = (options as RedisCallOptions).retry;
  if (retry === undefined || typeof retry === 'boolean') return undefined;
  return new TypeError(`redis.${command}: option "retry" must be a boolean, got ${typeof retry}`);
}
