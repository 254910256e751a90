export * from './contract.js';
export { ajvOptions, postDocumentsSchema, postFactSchema, getFactSchema, searchSchema } from './routeSchemas.js';
export { processDocuments, signDocuments, nearDuplicateMask, keptChunks, normaliseText, wordWindows } from './processDocuments.js';
export type { DocumentToProcess, ProcessedBatch, ProcessedChunk, ProcessOptions, SignedChunks } from './processDocuments.js';
export { fnv1a, minHashSignature, shingleHashes, estimatedSimilarity } from './minHash.js';
export { syntheticCorpus, TOPICS } from './syntheticCorpus.js';
export type { CorpusOptions } from './syntheticCorpus.js';
export { SOURCE_KEY, SOURCE_ID_KEY, chunkNodeId, factNodeId, chunkMetadata, factMetadata, toSearchHit, factToHash, factFromHash } from './searchMetadata.js';
export { SAMPLE_DOCUMENTS_DIR } from './sampleDocuments.js';
