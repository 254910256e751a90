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
  /**
   * What fired: `'budget'` when the call's own budget ran out, `'deadline'` when an ambient
   * deadline it inherited (`withDeadline`) ran out first. Default `'budget'`.
   */
  firedBy?: TimeoutSource | undefined;
  /** The operation that set the deadline that fired (for `'budget'`, the call's own operation). */
  deadlineOperation?: string | undefined;
  /** The whole budget of that deadline, ms (for `'budget'`, `budgetMs`). */
  deadlineMs?: number | undefined;
  /** Overrides the generated message. */
  message?: string | undefined;
  cause?: unknown;
}

/** Which budget ran out: the call's own, or an ambient deadline it inherited. */
export type TimeoutSource = 'budget' | 'deadline';

/** A call exceeded its time budget. The caller was released; the work itself may still run. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly operation: string | undefined;
  readonly budgetMs: number;
  readonly elapsedMs: number;
  readonly outcome: CallOutcome | undefined;
  /** `'budget'`: the call's own budget ran out; `'deadline'`: an inherited ambient deadline did. */
  readonly firedBy: TimeoutSource;
  /** The operation whose deadline fired: the call's own for `'budget'`, the `withDeadline` (or route) that set it for `'deadline'`. */
  readonly deadlineOperation: string | undefined;
  /** The whole budget of the deadline that fired, ms. */
  readonly deadlineMs: number;

  constructor(options: TimeoutErrorOptions) {
    const { operation, budgetMs, elapsedMs, outcome } = options;
    const firedBy = options.firedBy ?? 'budget';
    const deadlineOperation = firedBy === 'budget' ? (options.deadlineOperation ?? operation) : options.deadlineOperation;
    const deadlineMs = options.deadlineMs ?? budgetMs;
    const what = operation === undefined ? 'operation' : operation;
    const suffix = outcome === 'unknown' ? '; it was sent and may still run on the server' : outcome === 'not-sent' ? '; it was not sent' : '';
    const why =
      firedBy === 'deadline'
        ? `the ${formatMs(deadlineMs)} deadline of ${deadlineOperation ?? 'an enclosing withDeadline'} ran out; own budget ${formatMs(budgetMs)}`
        : `budget ${formatMs(budgetMs)}`;
    super(options.message ?? `${what} timed out after ${formatMs(elapsedMs)} (${why})${suffix}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.operation = operation;
    this.budgetMs = budgetMs;
    this.elapsedMs = elapsedMs;
    this.outcome = outcome;
    this.firedBy = firedBy;
    this.deadlineOperation = deadlineOperation;
    this.deadlineMs = deadlineMs;
  }
}
installBrand(TimeoutError, BRAND);

/** True for a `TimeoutError` from any copy of `@asyncguard/runtime`. */
export function isTimeoutError(value: unknown): value is TimeoutError {
  return hasBrand(value, BRAND);
}
