import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { OffloadPool } from '@asyncguard/runtime';
import { keptChunks, type DocumentToProcess, type ProcessedBatch, type ProcessOptions, type SignedChunks } from '@asyncguard-examples/kb-shared';
import type { DocumentProcessor } from './DocumentProcessor.js';
import type { EmbeddedChunks, WorkerEmbedding } from './embedChunksTask.js';
import { INDEXING_NICE } from './lowerThreadPriority.js';

const PROCESS_TASK = new URL('./processDocumentsWorker.mjs', import.meta.url);
const EMBED_TASK = new URL('./embedChunksWorker.mjs', import.meta.url);

/** Parts of a batch per thread when several sign it: small enough to even out busy workers. */
const PARTS_PER_THREAD = 3;

/** The default model (the testkit's `HashEmbedding`) as a worker makes it. */
export const HASH_EMBEDDING_IN_WORKER: WorkerEmbedding = { module: fileURLToPath(new URL('./workerEmbeddings.mjs', import.meta.url)), export: 'hashEmbedding' };

export interface DocumentProcessorOptions {
  /** Chunking and duplicate-detection settings. */
  processing?: ProcessOptions;
  /** The embedding model the workers make, the same as the main thread's; without it `embed` is absent. */
  embedding?: WorkerEmbedding;
  /**
   * Worker threads. Default: one per core, at most 4. They run at a lower OS priority (`nice`,
   * on Linux): they take the CPU the main thread leaves, on every
   * core, and give it back when requests come in. With several, a batch's documents are chunked
   * and signed on several at once, and embedding batches run side by side.
   */
  threads?: number;
  /**
   * OS nice value of the worker threads (Linux; 0 to 19). Default 5: the main thread, which
   * serves requests, wins the CPU when both want it; higher gives serving more and indexing less
   * (also against other processes on the machine), 0 makes them equals.
   */
  nice?: number;
  /** Budget of one task, ms: at the deadline the worker is terminated. */
  timeoutMs: number;
}

/**
 * Document processing on a worker-thread pool of its own (`OffloadPool`, the pool behind
 * `offload`): the main thread stays free to answer requests while a large batch is chunked and
 * embedded, and a task over budget (or aborted) really stops, because its worker is terminated.
 */
export function createDocumentProcessor(options: DocumentProcessorOptions): DocumentProcessor {
  const threads = options.threads ?? defaultIndexingThreads();
  const nice = options.nice ?? INDEXING_NICE;
  if (!Number.isInteger(nice) || nice < 0 || nice > 19) throw new RangeError(`createDocumentProcessor: nice must be an integer from 0 to 19, got ${String(nice)}`);
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`createDocumentProcessor: threads must be an integer >= 1, got ${String(threads)}`);
  // Idle workers stay a minute: a new one loads tsx and LlamaIndex again (a second or more).
  const pool = new OffloadPool({ minThreads: 0, maxThreads: threads, idleTimeoutMs: 60_000, maxQueue: 64 });
  const processing = options.processing ?? {};
  const embedding = options.embedding;
  let warming: Promise<void> | undefined;
  let warmed = false;
  return {
    async process(documents, signal) {
      if (documents.length === 0) return { chunks: [], duplicatesDropped: 0, words: 0 };
      const run = <R>(exportName: string, args: unknown[]): Promise<R> =>
        pool.run({ module: PROCESS_TASK, export: exportName }, args, { timeout: options.timeoutMs, signal, operation: 'documents.process' });
      if (threads === 1 || documents.length === 1) return run<ProcessedBatch>('default', [[...documents], processing, nice]);
      // Several workers sign parts of the batch at once; one drops the near-duplicates over all
      // of them, in document order: the same batch as one worker would make.
      const parts = splitByLength(documents, Math.min(documents.length, threads * PARTS_PER_THREAD));
      const signed = await Promise.all(parts.map((part) => run<SignedChunks>('signDocumentsTask', [part, processing, nice])));
      const keep = await run<Uint8Array>('nearDuplicateMaskTask', [signed.map((s) => s.signatures), processing, nice]);
      return keptChunks(signed, keep);
    },
    ...(embedding === undefined
      ? {}
      : {
          embed(chunks, signal): Promise<EmbeddedChunks> {
            if (chunks.length === 0) return Promise.resolve({ dimensions: 0, vectors: new Float32Array(0), data: [], metadata: [] });
            return pool.run({ module: EMBED_TASK }, [[...chunks], embedding, nice], { timeout: options.timeoutMs, signal, operation: 'documents.embed' });
          },
          warm(): Promise<void> {
            // One task per thread at once, so that each worker starts and loads both entries.
            const warmOne = async (): Promise<void> => {
              await pool.run({ module: PROCESS_TASK }, [[], processing, nice], { timeout: options.timeoutMs, operation: 'documents.process' });
              await pool.run({ module: EMBED_TASK }, [[], embedding, nice], { timeout: options.timeoutMs, operation: 'documents.embed' });
            };
            warming ??= Promise.all(Array.from({ length: threads }, warmOne)).then(
              () => {
                warmed = true;
              },
              (error: unknown) => {
                warming = undefined; // tried again by the next call
                throw error;
              },
            );
            return warming;
          },
          embedReady: () => warmed,
        }),
    close: () => pool.destroy(),
  };
}

/** `count` runs of consecutive documents of about equal total text length, in order. */
function splitByLength(documents: readonly DocumentToProcess[], count: number): DocumentToProcess[][] {
  const total = documents.reduce((sum, doc) => sum + doc.text.length, 0);
  const parts: DocumentToProcess[][] = [[]];
  let filled = 0;
  for (const doc of documents) {
    let part = parts[parts.length - 1] as DocumentToProcess[];
    if (part.length > 0 && parts.length < count && filled >= (total * parts.length) / count) {
      part = [];
      parts.push(part);
    }
    part.push(doc);
    filled += doc.text.length;
  }
  return parts;
}

/** One indexing thread per core, at most 4 (each loads its own LlamaIndex). */
export function defaultIndexingThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}
