/**
 * Timeout budgets: the one table of how long each kind of operation may take. The runtime's
 * wrappers, the RedisManager and the ESLint rule `require-timeout` all read their defaults here.
 */
export type BudgetCategory = 'redis' | 'redisScan' | 'llamaindex' | 'search' | 'indexing';

export type Budgets = Readonly<Record<BudgetCategory, number>>;

/** Milliseconds per category. */
export const DEFAULT_BUDGETS: Budgets = Object.freeze({
  /** Redis GET/SET/HSET and other simple commands. */
  redis: 2000,
  /** One SCAN step. */
  redisScan: 2000,
  /** LlamaIndex operations (embedding, retrieval, vector operations). */
  llamaindex: 10_000,
  /** Semantic search. */
  search: 10_000,
  /** Document indexing. */
  indexing: 30_000,
});

export const BUDGET_CATEGORIES: readonly BudgetCategory[] = Object.freeze(Object.keys(DEFAULT_BUDGETS) as BudgetCategory[]);

/** Largest delay Node's timers honour; a larger one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Checks that `ms` is a usable timeout budget and returns it. `what` names the option in the
 * error message, e.g. `withTimeout: ms` or `budgets.redis`.
 */
export function assertBudget(ms: unknown, what: string): number {
  if (typeof ms !== 'number' || Number.isNaN(ms)) {
    throw new RangeError(`${what} must be a number of milliseconds, got ${describe(ms)}`);
  }
  if (!Number.isFinite(ms)) throw new RangeError(`${what} must be finite, got ${String(ms)}`);
  if (ms < 0) throw new RangeError(`${what} must not be negative, got ${ms}`);
  if (ms > MAX_TIMER_MS) {
    throw new RangeError(`${what} must be at most ${MAX_TIMER_MS} ms (2^31-1; Node fires larger timers at once), got ${ms}`);
  }
  return ms;
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return value === null ? 'null' : typeof value;
}

/**
 * The default table with some categories overridden. Unknown categories and bad values throw
 * a `RangeError`/`TypeError` that names them.
 */
export function defineBudgets(overrides: Partial<Record<BudgetCategory, number>> = {}, base: Budgets = DEFAULT_BUDGETS): Budgets {
  if (overrides === null || typeof overrides !== 'object') throw new TypeError('defineBudgets: overrides must be an object');
  const result: Record<BudgetCategory, number> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (!(BUDGET_CATEGORIES as readonly string[]).includes(key)) {
      throw new TypeError(`defineBudgets: unknown budget category "${key}" (known: ${BUDGET_CATEGORIES.join(', ')})`);
    }
    if (value === undefined) continue;
    result[key as BudgetCategory] = assertBudget(value, `budgets.${key}`);
  }
  return Object.freeze(result);
}
