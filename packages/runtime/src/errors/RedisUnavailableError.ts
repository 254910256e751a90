import { type CallOutcome, formatMs, hasBrand, installBrand } from './brand.js';

const BRAND = Symbol.for('asyncguard.RedisUnavailableError');

export interface RedisUnavailableErrorOptions {
  /** The command or operation refused, e.g. `redis.get`. */
  operation?: string | undefined;
  /** Why Redis is unavailable, e.g. `'connecting'`, `'closed'`, `'offline queue full'`. */
  reason: string;
  /** `'not-sent'` when the command never reached the socket; `'unknown'` when it may have. */
  outcome?: CallOutcome | undefined;
  /** How long the call waited before it failed, if it waited at all. */
  elapsedMs?: number | undefined;
  /** The budget the call had, if any. */
  budgetMs?: number | undefined;
  message?: string | undefined;
  cause?: unknown;
}

/** Redis could not take the command (not connected, closed, or its queue is full). */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
  readonly operation: string | undefined;
  readonly reason: string;
  readonly outcome: CallOutcome | undefined;
  readonly elapsedMs: number | undefined;
  readonly budgetMs: number | undefined;

  constructor(options: RedisUnavailableErrorOptions) {
    const { operation, reason, outcome, elapsedMs, budgetMs } = options;
    const what = operation === undefined ? 'Redis' : `Redis (${operation})`;
    const waited = elapsedMs === undefined ? '' : ` after ${formatMs(elapsedMs)}`;
    const suffix = outcome === 'unknown' ? '; it was sent and may still run on the server' : outcome === 'not-sent' ? '; it was not sent' : '';
    super(options.message ?? `${what} unavailable: ${reason}${waited}${suffix}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.operation = operation;
    this.reason = reason;
    this.outcome = outcome;
    this.elapsedMs = elapsedMs;
    this.budgetMs = budgetMs;
  }
}
installBrand(RedisUnavailableError, BRAND);

/** True for a `RedisUnavailableError` from any copy of `@asyncguard/runtime`. */
export function isRedisUnavailableError(value: unknown): value is RedisUnavailableError {
  return hasBrand(value, BRAND);
}
