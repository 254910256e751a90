// `@asyncguard/testkit/llamaindex`: LlamaIndex.TS doubles. A separate entry so that only users
// who test LlamaIndex code need the `llamaindex` package installed.
export { HashEmbedding } from './llamaindex/HashEmbedding.js';
export type { HashEmbeddingOptions } from './llamaindex/HashEmbedding.js';
export { RetrieverDouble } from './llamaindex/RetrieverDouble.js';
export type { RetrieverDoubleOptions } from './llamaindex/RetrieverDouble.js';
export { QueryEngineDouble } from './llamaindex/QueryEngineDouble.js';
export type { QueryEngineDoubleOptions } from './llamaindex/QueryEngineDouble.js';
export { applyLlamaFault, validateLlamaFault } from './llamaindex/LlamaFault.js';
export type { LlamaFault } from './llamaindex/LlamaFault.js';
