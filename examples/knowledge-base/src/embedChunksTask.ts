// Runs in a worker thread (see `createDocumentProcessor`), loaded through `embedChunksWorker.mjs`.
import { pathToFileURL } from 'node:url';
import { MetadataMode, type BaseEmbedding } from 'llamaindex';
import type { ProcessedChunk } from '@asyncguard-examples/kb-shared/processing';
import { chunkToNode, docStoreEntry, writeUnit } from './nodes.js';
import { lowerThreadPriority } from './lowerThreadPriority.js';

/**
 * An embedding model a worker thread can make for itself: a JavaScript module (path or `file:`
 * URL) and a function it exports that returns the model, given `options`. The worker cannot be
 * handed the main thread's model object, so it builds the same one from this recipe.
 */
export interface WorkerEmbedding {
  module: string;
  /** Export called with `options`. Default `'default'`. */
  export?: string;
  /** Structured-cloneable argument of the factory. */
  options?: unknown;
}

/** A batch of chunks, embedded and serialised for the document store in a worker. */
export interface EmbeddedChunks {
  dimensions: number;
  /** The chunks' unit vectors back to back (as the vector store keeps them), in input order. */
  vectors: Float32Array;
  /** Document-store field values (see `docStoreEntry`), in input order. */
  data: string[];
  metadata: string[];
}

const models = new Map<string, Promise<BaseEmbedding>>();

function model(spec: WorkerEmbedding): Promise<BaseEmbedding> {
  const href = spec.module.startsWith('file:') ? spec.module : pathToFileURL(spec.module).href;
  const name = spec.export ?? 'default';
  const key = `${href}#${name}#${JSON.stringify(spec.options ?? null)}`;
  let made = models.get(key);
  if (made === undefined) {
    made = import(href).then((namespace: Record<string, unknown>) => {
      const factory = namespace[name];
      if (typeof factory !== 'function') throw new TypeError(`embedChunksTask: ${href} has no function export "${name}"`);
      return (factory as (options: unknown) => BaseEmbedding | Promise<BaseEmbedding>)(spec.options);
    });
    made.catch(() => models.delete(key)); // a failed load is tried again by the next batch
    models.set(key, made);
  }
  return made;
}

/**
 * Makes the chunks' nodes, embeds them as LlamaIndex would on insert (the model's
 * `getTextEmbeddingsBatch` over each node's embed content), normalises the vectors, and
 * serialises each node for the document store: everything CPU-bound about indexing a chunk.
 */
export default async function embedChunksTask(chunks: ProcessedChunk[], embedding: WorkerEmbedding, nice: number): Promise<EmbeddedChunks> {
  lowerThreadPriority(nice);
  const embedModel = await model(embedding);
  const nodes = chunks.map(chunkToNode);
  // Bounded by the task's budget: at its end the pool terminates this worker.
  // eslint-disable-next-line @asyncguard/require-timeout -- bounded by the offload timeout, see above
  const embeddings = await embedModel.getTextEmbeddingsBatch(nodes.map((node) => node.getContent(MetadataMode.EMBED)));
  const dimensions = embeddings[0]?.length ?? 0;
  const vectors = new Float32Array(nodes.length * dimensions);
  embeddings.forEach((vector, i) => {
    if (vector.length !== dimensions) throw new RangeError(`embedChunksTask: the model returned vectors of ${dimensions} and ${vector.length} dimensions`);
    writeUnit(vectors, i * dimensions, vector);
  });
  const entries = nodes.map(docStoreEntry);
  return { dimensions, vectors, data: entries.map((e) => e.data), metadata: entries.map((e) => e.metadata) };
}
