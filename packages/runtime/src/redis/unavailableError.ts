import type { CallOutcome } from '../errors/brand.js';
import { RedisUnavailableError } from '../errors/RedisUnavailableError.js';
import { redactCredentials, redactError } from './redactCredentials.js';

/** How long a refused call waited, and the budget it had. */
export interface CallTiming {
  elapsedMs: number;
  budgetMs: number;
}

/**
 * The one way the Redis code builds a {@link RedisUnavailableError}. `failure` is either a reason
 * (`'the manager is closed'`) or what was caught: then its message is the reason (unless `reason`
 * rewords it) and it becomes the `cause`. Reason and cause are redacted with `secrets`, so no
 * credential reaches an error message. @internal
 */
export function unavailableError(
  operation: string | undefined,
  failure: unknown,
  outcome: CallOutcome,
  secrets: readonly string[],
  timing?: CallTiming,
  reason?: string,
): RedisUnavailableError {
  const text = reason ?? (typeof failure === 'string' ? failure : failure instanceof Error ? failure.message : String(failure));
  return new RedisUnavailableError({
    operation,
    reason: redactCredentials(text, secrets),
    outcome,
    elapsedMs: timing?.elapsedMs,
    budgetMs: timing?.budgetMs,
    cause: typeof failure === 'string' ? undefined : redactError(failure, secrets),
  });
}
