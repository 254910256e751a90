import type { CallOutcome } from '../errors/brand.js';
import { TimeoutError } from '../errors/TimeoutError.js';
import { withTimeout } from '../withTimeout.js';
import type { RedisBreaker } from './RedisBreaker.js';
import type { RedisStatsRecorder } from './RedisStats.js';
import { unavailableError } from './unavailableError.js';

/**
 * Runs the manager's operations off the command path (pipelines and MULTI, SUBSCRIBE and
 * UNSUBSCRIBE, a cluster SCAN step) under a budget, through the same breaker and into the same
 * stats as commands: a server error is a reply (the breaker counts a success), a timeout stays a
 * `TimeoutError`, anything else becomes a `RedisUnavailableError`. @internal
 */
export class TimedOperations {
  constructor(
    private readonly breaker: RedisBreaker | undefined,
    private readonly stats: RedisStatsRecorder,
    private readonly secrets: readonly string[],
  ) {}

  /** Runs `fn` under `budgetMs` through the breaker, recording stats (non-hot paths). */
  async timed<T>(fn: () => Promise<T>, budgetMs: number, operation: string, outcome: CallOutcome = 'unknown'): Promise<T> {
    const started = performance.now();
    if (this.breaker !== undefined && !this.breaker.tryPass()) {
      this.stats.record('circuitOpen', 0);
      throw this.breaker.openError(operation);
    }
    try {
      const value = await withTimeout(fn, budgetMs, { operation, outcome });
      this.breaker?.success();
      this.stats.record('ok', performance.now() - started);
      return value;
    } catch (err) {
      const isReply = err instanceof Error && err.name === 'ReplyError';
      if (isReply) {
        this.breaker?.success();
        this.stats.record('replyError', performance.now() - started);
        throw err;
      }
      this.breaker?.failure();
      if (err instanceof TimeoutError) {
        this.stats.record('timeout', performance.now() - started);
        throw err;
      }
      this.stats.record('unavailable', performance.now() - started);
      throw unavailableError(operation, err, outcome, this.secrets);
    }
  }}
