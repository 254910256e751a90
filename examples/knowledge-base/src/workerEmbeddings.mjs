// Embedding factories a worker thread can load (see WorkerEmbedding in embedChunksTask.ts).
// Plain JavaScript: a worker thread has no TypeScript loader of its own.
import { HashEmbedding } from '@asyncguard/testkit/llamaindex';

/** The service's default model, the testkit's deterministic offline HashEmbedding. */
export function hashEmbedding(options) {
  return new HashEmbedding(options ?? {});
}
