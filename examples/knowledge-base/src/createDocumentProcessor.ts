import { fileURLToPath } from 'node:url';
import { OffloadPool } from '@asyncguard/runtime';
import type { ProcessOptions } from '@asyncguard-examples/kb-shared';
import type { DocumentProcessor } from './DocumentProcessor.js';
import type { EmbeddedChunks, WorkerEmbedding } from './embedChunksTask.js';

const PROCESS_TASK = new URL('./processDocumentsWorker.mjs', import.meta.url);
const EMBED_TASK = new URL('./embedChunksWorker.mjs', import.meta.url);

/** The default model (the testkit's `HashEmbedding`) as a worker makes it. */
export const HASH_EMBEDDING_IN_WORKER: WorkerEmbedding = { module: fileURLToPath(new URL('./workerEmbeddings.mjs', import.meta.url)), export: 'hashEmbedding' };

export interface DocumentProcessorOptions {
  /** Chunking and duplicate-detection settings. */
  processing?: ProcessOptions;
  /** The embedding model the workers make, the same as the main thread's; without it `embed` is absent. */
  embedding?: WorkerEmbedding;
  /** Worker threads. Default 1 (the main thread keeps the other core). */
  threads?: number;
  /** Budget of one task, ms: at the deadline the worker is terminated. */
  timeoutMs: number;
}

/**
 * Document processing on a worker-thread pool of its own (`OffloadPool`, the pool behind
 * `offload`): the main thread stays free to answer requests while a large batch is chunked and
 * embedded, and a task over budget (or aborted) really stops, because its worker is terminated.
 */
export function createDocumentProcessor(options: DocumentProcessorOptions): DocumentProcessor {
  const threads = options.threads ?? 1;
  // Idle workers stay a minute: a new one loads tsx and LlamaIndex again (a second or more).
  const pool = new OffloadPool({ minThreads: 0, maxThreads: threads, idleTimeoutMs: 60_000, maxQueue: 64 });
  const processing = options.processing ?? {};
  const embedding = options.embedding;
  return {
    process(documents, signal) {
      if (documents.length === 0) return Promise.resolve({ chunks: [], duplicatesDropped: 0, words: 0 });
      return pool.run({ module: PROCESS_TASK }, [[...documents], processing], { timeout: options.timeoutMs, signal, operation: 'documents.process' });
    },
    ...(embedding === undefined
      ? {}
      : {
          embed(chunks, signal): Promise<EmbeddedChunks> {
            if (chunks.length === 0) return Promise.resolve({ dimensions: 0, vectors: new Float32Array(0), data: [], metadata: [] });
            return pool.run({ module: EMBED_TASK }, [[...chunks], embedding], { timeout: options.timeoutMs, signal, operation: 'documents.embed' });
          },
          async warm(): Promise<void> {
            await pool.run({ module: EMBED_TASK }, [[], embedding], { timeout: options.timeoutMs, operation: 'documents.embed' });
          },
        }),
    close: () => pool.destroy(),
  };
}
