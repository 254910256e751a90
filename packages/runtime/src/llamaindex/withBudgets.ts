import { assertBudget, type Budgets, DEFAULT_BUDGETS } from '../budgets.js';
import type { Logger } from '../Logger.js';
import { withTimeout } from '../withTimeout.js';
import { type OptionKeys, rejectUnknownKeys } from '../internal/rejectUnknownKeys.js';

export interface WithBudgetsOptions {
  /** Budget for `retrieve()` (semantic search). Default: the `search` budget (10 s). */
  retrieveMs?: number;
  /** Budget for `query()`. Default: the `llamaindex` budget (10 s). */
  queryMs?: number;
  /** Read the defaults from this table instead of `DEFAULT_BUDGETS`. */
  budgets?: Budgets;
  /** Names the operations in `TimeoutError`s, e.g. `kb` → `kb.retrieve`. Default `llamaindex`. */
  name?: string;
  /**
   * LlamaIndex accepts no AbortSignal, so a timed-out call keeps running; when it later fails,
   * that failure is reported here (never as an unhandled rejection).
   */
  logger?: Logger;
}

/** Anything with LlamaIndex's `retrieve` and/or `query` (a retriever, a query engine, an index's engines). */
export interface RetrieveOrQuery {
  retrieve?(params: never): Promise<unknown>;
  query?(params: never): Promise<unknown>;
}

const OPTION_KEYS: OptionKeys<WithBudgetsOptions> = { retrieveMs: true, queryMs: true, budgets: true, name: true, logger: true };

/**
 * The same retriever or query engine, with `retrieve()` bounded by the `search` budget and
 * `query()` by the `llamaindex` budget: past its budget a call rejects with `TimeoutError`.
 * Everything else (properties, other methods, `instanceof`) is the target's own. For a
 * streaming `query({ stream: true })` the budget bounds the time until the stream is returned.
 *
 * ```ts
 * const retriever = withBudgets(index.asRetriever({ similarityTopK: 3 }));
 * const nodes = await retriever.retrieve({ query: 'budgets' }); // ≤ 10 s
 * ```
 */
export function withBudgets<T extends object>(target: T, options: WithBudgetsOptions = {}): T {
  if (target === null || typeof target !== 'object') throw new TypeError('withBudgets: target must be a LlamaIndex retriever or query engine');
  const t = target as RetrieveOrQuery;
  if (typeof t.retrieve !== 'function' && typeof t.query !== 'function') {
    throw new TypeError('withBudgets: target has neither retrieve() nor query(); pass a retriever or a query engine');
  }
  if (options === null || typeof options !== 'object') throw new TypeError('withBudgets: options must be an object');
  rejectUnknownKeys(options, OPTION_KEYS, 'withBudgets');
  const budgets = options.budgets ?? DEFAULT_BUDGETS;
  const retrieveMs = assertBudget(options.retrieveMs ?? budgets.search, 'withBudgets: retrieveMs');
  const queryMs = assertBudget(options.queryMs ?? budgets.llamaindex, 'withBudgets: queryMs');
  const name = options.name ?? 'llamaindex';
  const logger = options.logger;
  const late = (operation: string) => (error: unknown) => {
    logger?.warn({ operation, error: error instanceof Error ? error.message : String(error) }, `${operation} failed after its budget had already run out`);
  };
  const wrap = (method: 'retrieve' | 'query', ms: number) => {
    const operation = `${name}.${method}`;
    const onLateRejection = late(operation);
    return function bounded(this: unknown, ...args: unknown[]): Promise<unknown> {
      const fn = (target as Record<string, (...a: unknown[]) => Promise<unknown>>)[method] as (...a: unknown[]) => Promise<unknown>;
      return withTimeout(() => fn.apply(target, args), ms, { operation, onLateRejection });
    };
  };
  const boundedRetrieve = typeof t.retrieve === 'function' ? wrap('retrieve', retrieveMs) : undefined;
  const boundedQuery = typeof t.query === 'function' ? wrap('query', queryMs) : undefined;
  return new Proxy(target, {
    get(obj, prop, receiver) {
      if (prop === 'retrieve' && boundedRetrieve !== undefined) return boundedRetrieve;
      if (prop === 'query' && boundedQuery !== undefined) return boundedQuery;
      const value: unknown = Reflect.get(obj, prop, receiver);
      return value;
    },
  });
}
