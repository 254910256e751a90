import { formatMs, hasBrand, installBrand } from './brand.js';

const BRAND = Symbol.for('asyncguard.BulkheadRejectedError');

export type BulkheadRejectionReason =
  /** Every slot was busy and the queue was full. */
  | 'queue-full'
  /** The call waited in the queue longer than the queue timeout. */
  | 'queue-timeout';

export interface BulkheadRejectedErrorOptions {
  operation?: string | undefined;
  bulkhead?: string | undefined;
  reason: BulkheadRejectionReason;
  maxConcurrent: number;
  maxQueue: number;
  /** The queue timeout, for `'queue-timeout'`. */
  budgetMs?: number | undefined;
  /** How long the call waited before it was rejected. */
  elapsedMs: number;
  message?: string | undefined;
}

/** A bulkhead refused the call (full, or queued too long). The call was not sent. */
export class BulkheadRejectedError extends Error {
  override readonly name = 'BulkheadRejectedError';
  readonly operation: string | undefined;
  readonly bulkhead: string | undefined;
  readonly reason: BulkheadRejectionReason;
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  readonly budgetMs: number | undefined;
  readonly elapsedMs: number;
  /** A rejected call never ran. */
  readonly outcome = 'not-sent' as const;

  constructor(options: BulkheadRejectedErrorOptions) {
    const { operation, bulkhead, reason, maxConcurrent, maxQueue, budgetMs, elapsedMs } = options;
    const who = bulkhead === undefined ? 'bulkhead' : `bulkhead "${bulkhead}"`;
    const what = operation === undefined ? 'call' : operation;
    const why =
      reason === 'queue-full'
        ? `is full (${maxConcurrent} running, ${maxQueue} queued)`
        : `queue timeout: waited ${formatMs(elapsedMs)} (budget ${budgetMs ?? '?'} ms) for one of ${maxConcurrent} slots`;
    super(options.message ?? `${who} rejected ${what}: ${why}`);
    this.operation = operation;
    this.bulkhead = bulkhead;
    this.reason = reason;
    this.maxConcurrent = maxConcurrent;
    this.maxQueue = maxQueue;
    this.budgetMs = budgetMs;
    this.elapsedMs = elapsedMs;
  }
}
installBrand(BulkheadRejectedError, BRAND);

/** True for a `BulkheadRejectedError` from any copy of `@asyncguard/runtime`. */
export function isBulkheadRejectedError(value: unknown): value is BulkheadRejectedError {
  return hasBrand(value, BRAND);
}
