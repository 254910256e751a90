import type { RedisUnavailableError } from '../errors/RedisUnavailableError.js';
import { formatMs } from '../errors/brand.js';
import type { AmbientDeadline } from '../internal/AmbientDeadline.js';
import { unavailableError } from './unavailableError.js';

/**
 * Below this many milliseconds left of the ambient deadline a command is not sent at all: a
 * reply could not arrive in time, and a write sent that late would only add an `'unknown'`
 * outcome the caller has to reason about.
 */
export const MIN_COMMAND_BUDGET_MS = 5;

/** The refusal for a command the ambient deadline leaves too little time for. */
export function deadlineRefusal(operation: string, deadline: AmbientDeadline, leftMs: number): RedisUnavailableError {
  const origin = deadline.origin;
  const who = origin.operation === undefined ? 'the ambient deadline' : `the deadline of ${origin.operation}`;
  return unavailableError(operation, `${who} leaves ${formatMs(Math.max(0, leftMs))}, below the ${MIN_COMMAND_BUDGET_MS} ms a command needs`, 'not-sent', []);
}
