import { formatMs, hasBrand, installBrand } from './brand.js';

const BRAND = Symbol.for('asyncguard.CircuitOpenError');

export interface CircuitOpenErrorOptions {
  /** What was refused, e.g. `redis.get`. */
  operation?: string | undefined;
  /** The breaker's name, if it has one. */
  breaker?: string | undefined;
  /** `'open'`, or `'half-open'` when every trial slot is taken. */
  state: 'open' | 'half-open';
  /** Milliseconds until the breaker lets a trial call through (0 when half-open). */
  retryAfterMs: number;
  message?: string | undefined;
  cause?: unknown;
}

/** A circuit breaker refused the call without running it. The call was not sent. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  readonly operation: string | undefined;
  readonly breaker: string | undefined;
  readonly state: 'open' | 'half-open';
  readonly retryAfterMs: number;
  /** A refused call never ran. */
  readonly outcome = 'not-sent' as const;

  constructor(options: CircuitOpenErrorOptions) {
    const { operation, breaker, state, retryAfterMs } = options;
    const who = breaker === undefined ? 'circuit' : `circuit "${breaker}"`;
    const what = operation === undefined ? '' : ` refused ${operation}`;
    const detail = state === 'open' ? `is open (retry in ${formatMs(retryAfterMs)})` : 'is half-open and its trial calls are in flight';
    super(options.message ?? `${who} ${detail}${what === '' ? '' : ';' + what}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.operation = operation;
    this.breaker = breaker;
    this.state = state;
    this.retryAfterMs = retryAfterMs;
  }
}
installBrand(CircuitOpenError, BRAND);

/** True for a `CircuitOpenError` from any copy of `@asyncguard/runtime`. */
export function isCircuitOpenError(value: unknown): value is CircuitOpenError {
  return hasBrand(value, BRAND);
}
