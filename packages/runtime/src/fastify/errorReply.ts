import { isBulkheadRejectedError } from '../errors/BulkheadRejectedError.js';
import { isCircuitOpenError } from '../errors/CircuitOpenError.js';
import { isRedisUnavailableError } from '../errors/RedisUnavailableError.js';
import { isTimeoutError } from '../errors/TimeoutError.js';

export interface ErrorReplyOptions {
  /** Status for a `TimeoutError`. Default 504 (Gateway Timeout). */
  timeoutStatusCode?: number;
  /** `Retry-After` of a 503, in seconds, when the error does not say (a `CircuitOpenError` does). Default 1. */
  retryAfterSeconds?: number;
}

/** The JSON body of a mapped error. */
export interface ErrorReplyBody {
  error: string;
  message: string;
  /** The operation that failed, e.g. `redis.get`. */
  operation: string | undefined;
  /** For a timeout: whether its own budget or an inherited deadline fired, and who set that deadline. */
  firedBy?: 'budget' | 'deadline';
  deadlineOperation?: string | undefined;
}

export interface ErrorReply {
  statusCode: number;
  headers: Record<string, string>;
  body: ErrorReplyBody;
}

const REASONS: Readonly<Record<number, string>> = { 503: 'Service Unavailable', 504: 'Gateway Timeout' };

/**
 * The HTTP reply for an asyncguard error, or `undefined` for any other error: `TimeoutError` →
 * 504; `CircuitOpenError`, `BulkheadRejectedError`, `RedisUnavailableError` → 503 with
 * `Retry-After`. Recognises errors from any copy of the runtime (by brand). For an error
 * handler of your own:
 *
 * ```ts
 * app.setErrorHandler((error, request, reply) => {
 *   const mapped = errorReply(error);
 *   if (mapped !== undefined) return reply.code(mapped.statusCode).headers(mapped.headers).send(mapped.body);
 *   …
 * });
 * ```
 */
export function errorReply(error: unknown, options: ErrorReplyOptions = {}): ErrorReply | undefined {
  const retryAfter = options.retryAfterSeconds ?? 1;
  if (isTimeoutError(error)) {
    const statusCode = options.timeoutStatusCode ?? 504;
    const headers: Record<string, string> = statusCode === 503 ? { 'retry-after': String(retryAfter) } : {};
    return {
      statusCode,
      headers,
      body: { error: REASONS[statusCode] ?? 'Error', message: error.message, operation: error.operation, firedBy: error.firedBy, deadlineOperation: error.deadlineOperation },
    };
  }
  let seconds = retryAfter;
  if (isCircuitOpenError(error)) seconds = Math.max(1, Math.ceil(error.retryAfterMs / 1000));
  else if (!isBulkheadRejectedError(error) && !isRedisUnavailableError(error)) return undefined;
  const { message, operation } = error as Error & { operation: string | undefined };
  return { statusCode: 503, headers: { 'retry-after': String(seconds) }, body: { error: REASONS[503] as string, message, operation } };
}
