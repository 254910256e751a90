import { type Document, VectorStoreIndex } from 'llamaindex';
import { assertBudget, DEFAULT_BUDGETS } from '../budgets.js';
import type { Logger } from '../Logger.js';
import { withTimeout } from '../withTimeout.js';
import { type OptionKeys, rejectUnknownKeys } from '../internal/rejectUnknownKeys.js';

export type FromDocumentsArgs = NonNullable<Parameters<typeof VectorStoreIndex.fromDocuments>[1]>;

export interface IndexingBudgetOptions {
  /** Default: the `indexing` budget (30 s). */
  budgetMs?: number;
  /** Told when indexing fails after its budget already ran out (it cannot be cancelled). */
  logger?: Logger;
}

const OPTION_KEYS: OptionKeys<IndexingBudgetOptions> = { budgetMs: true, logger: true };

/**
 * `VectorStoreIndex.fromDocuments` bounded by the `indexing` budget: past it, rejects with
 * `TimeoutError` (operation `llamaindex.fromDocuments`). LlamaIndex takes no AbortSignal, so the
 * embedding work already started runs on in the background; its late failure goes to `logger`.
 */
export function fromDocumentsWithBudget(documents: Document[], args?: FromDocumentsArgs, options: IndexingBudgetOptions = {}): Promise<VectorStoreIndex> {
  if (!Array.isArray(documents)) return Promise.reject(new TypeError('fromDocumentsWithBudget: documents must be an array of Document'));
  let ms: number;
  try {
    rejectUnknownKeys(options, OPTION_KEYS, 'fromDocumentsWithBudget');
    ms = assertBudget(options.budgetMs ?? DEFAULT_BUDGETS.indexing, 'fromDocumentsWithBudget: budgetMs');
  } catch (err) {
    return Promise.reject(err);
  }
  const operation = 'llamaindex.fromDocuments';
  return withTimeout(() => VectorStoreIndex.fromDocuments(documents, args), ms, {
    operation,
    onLateRejection: (error) => {
      options.logger?.warn({ operation, error: error instanceof Error ? error.message : String(error) }, `${operation} failed after its budget had already run out`);
    },
  });
}
