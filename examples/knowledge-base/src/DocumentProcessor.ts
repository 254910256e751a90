import type { DocumentToProcess, ProcessedBatch, ProcessedChunk } from '@asyncguard-examples/kb-shared';
import type { EmbeddedChunks } from './embedChunksTask.js';

/** Runs the CPU-heavy work of indexing off the main thread. */
export interface DocumentProcessor {
  /** Chunking and near-duplicate detection. */
  process(documents: readonly DocumentToProcess[], signal?: AbortSignal): Promise<ProcessedBatch>;
  /**
   * Embedding and document-store serialisation of a batch of chunks, when this processor has a
   * model of its own (see `WorkerEmbedding`); without it the main thread embeds, slice by slice.
   */
  embed?(chunks: readonly ProcessedChunk[], signal?: AbortSignal): Promise<EmbeddedChunks>;
  /**
   * Starts the workers and loads what `embed` needs (a second or more: tsx and LlamaIndex), so
   * that no job waits for it. Idempotent: later calls share the first one's promise.
   */
  warm?(): Promise<void>;
  /** Whether `warm()` has completed: until then a job embeds on the main thread instead of waiting. */
  embedReady?(): boolean;
  /** Stops the workers; work in flight is rejected. */
  close(): Promise<void>;
}
