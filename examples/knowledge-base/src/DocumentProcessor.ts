import type { DocumentToProcess, ProcessedBatch } from '@asyncguard-examples/kb-shared';

/** Runs the CPU-heavy half of indexing (chunking, near-duplicate detection). */
export interface DocumentProcessor {
  process(documents: readonly DocumentToProcess[], signal?: AbortSignal): Promise<ProcessedBatch>;
  /** Stops the workers; work in flight is rejected. */
  close(): Promise<void>;
}
