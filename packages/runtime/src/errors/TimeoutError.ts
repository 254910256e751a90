import { type CallOutcome, formatMs, hasBrand, installBrand } from './brand.js';

const BRAND = Symbol.for('asyncguard.TimeoutError');

export interface TimeoutErrorOptions {
  /** What timed out, e.g. `redis.get` or `index.build`. */
  operation?: string | undefined;
  /** The budget that was exceeded, in milliseconds. */
  budgetMs: number;
  /** Time from the start of the call until the deadline fired, in milliseconds. */
  elapsedMs: number;
  /**
   * For writes: `'not-sent'` when the request never left the process, `'unknown'` when it may
   * still be applied. Left undefined when the caller cannot tell or it does not matter.
   */
  outcome?: CallOutcome | undefined;
  /** Overrides the generated message. */
  message?: string | undefined;
  cause?: unknown;
}

/** A call exceeded its time budget. The caller was released; the work itself may still run. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly operation: string | undefined;
  readonly budgetMs: number;
  readonly elapsedMs: number;
  readonly outcome: CallOutcome | undefined;

  constructor(options: TimeoutErrorOptions) {
    const { operation, budgetMs, elapsedMs, outcome } = options;
    const what = operation === undefined ? 'operation' : operation;
    const suffix = outcome === 'unknown' ? '; it was sent and may still run on the server' : outcome === 'not-sent' ? '; it was not sent' : '';
    super(options.message ?? `${what} timed out after ${formatMs(elapsedMs)} (budget ${budgetMs} ms)${suffix}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.operation = operation;
    this.budgetMs = budgetMs;
    this.elapsedMs = elapsedMs;
    this.outcome = outcome;
  }
}
installBrand(TimeoutError, BRAND);

/** True for a `TimeoutError` from any copy of `@asyncguard/runtime`. */
export function isTimeoutError(value: unknown): value is TimeoutError {
  return hasBrand(value, BRAND);
}
