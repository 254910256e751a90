// `@asyncguard/runtime/llamaindex`: LlamaIndex.TS adapters. A separate entry so that only
// services that use LlamaIndex need the `llamaindex` package installed.
export { withBudgets } from './llamaindex/withBudgets.js';
export type { WithBudgetsOptions, RetrieveOrQuery } from './llamaindex/withBudgets.js';
export { fromDocumentsWithBudget } from './llamaindex/fromDocumentsWithBudget.js';
export type { FromDocumentsArgs, IndexingBudgetOptions } from './llamaindex/fromDocumentsWithBudget.js';
export { RedisKVStore } from './llamaindex/RedisKVStore.js';
export type { RedisKVStoreOptions } from './llamaindex/RedisKVStore.js';
export const VERSION = '0.1.0';
