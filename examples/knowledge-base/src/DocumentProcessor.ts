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
  /** Starts a worker and loads what `embed` needs, so the first batch does not wait for it. */
  warm?(): Promise<void>;
  /** Stops the workers; work in flight is rejected. */
  close(): Promise<void>;
}
