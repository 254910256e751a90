import { OffloadPool } from '@asyncguard/runtime';
import type { ProcessOptions } from '@asyncguard-examples/kb-shared';
import type { DocumentProcessor } from './DocumentProcessor.js';

const TASK = new URL('./processDocumentsWorker.mjs', import.meta.url);

export interface DocumentProcessorOptions {
  /** Chunking and duplicate-detection settings. */
  processing?: ProcessOptions;
  /** Worker threads. Default 1 (the main thread keeps the other core). */
  threads?: number;
  /** Budget of one batch, ms: at the deadline the worker is terminated. */
  timeoutMs: number;
}

/**
 * Document processing on a worker-thread pool of its own (`OffloadPool`, the pool behind
 * `offload`): the main thread stays free to answer requests while a large batch is chunked, and
 * a batch over budget (or aborted) really stops, because its worker is terminated.
 */
export function createDocumentProcessor(options: DocumentProcessorOptions): DocumentProcessor {
  const threads = options.threads ?? 1;
  const pool = new OffloadPool({ minThreads: 0, maxThreads: threads, idleTimeoutMs: 5_000, maxQueue: 64 });
  const processing = options.processing ?? {};
  return {
    process(documents, signal) {
      if (documents.length === 0) return Promise.resolve({ chunks: [], duplicatesDropped: 0, words: 0 });
      return pool.run({ module: TASK }, [[...documents], processing], { timeout: options.timeoutMs, signal, operation: 'documents.process' });
    },
    close: () => pool.destroy(),
  };
}
