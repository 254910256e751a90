import { BaseEmbedding } from 'llamaindex';
import { assertKnownOptions } from '../assertKnownOptions.js';

export interface HashEmbeddingOptions {
  /** Length of every vector. Default 256. */
  dimensions?: number;
  /** Changes the hash, and so every vector, while keeping it deterministic. Default 0. */
  seed?: number;
}

const WORD = /[\p{L}\p{N}]+/gu;

function fnv1a(text: string, seed: number): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * A deterministic, offline embedding for tests: each lower-cased word is hashed into one of
 * `dimensions` buckets with a hashed sign (feature hashing), and the vector is L2-normalised.
 * Texts that share words get a high cosine similarity, so `VectorStoreIndex.fromDocuments()` and
 * its retriever rank documents sensibly with no model, no network and no API key. The same text
 * always gives the same vector, across runs and machines.
 *
 * ```ts
 * Settings.embedModel = new HashEmbedding();
 * const index = await VectorStoreIndex.fromDocuments(documents);
 * ```
 */
export class HashEmbedding extends BaseEmbedding {
  readonly dimensions: number;
  readonly seed: number;

  constructor(options: HashEmbeddingOptions = {}) {
    super();
    assertKnownOptions('HashEmbedding', options, ['dimensions', 'seed']);
    const { dimensions = 256, seed = 0 } = options;
    if (!Number.isInteger(dimensions) || dimensions < 2) throw new RangeError(`HashEmbedding: options.dimensions must be an integer of at least 2, got ${String(dimensions)}`);
    if (!Number.isInteger(seed)) throw new RangeError(`HashEmbedding: options.seed must be an integer, got ${String(seed)}`);
    this.dimensions = dimensions;
    this.seed = seed;
    this.embedInfo = { dimensions };
  }

  /** The vector for `text`, synchronously (the async methods wrap this). */
  embed(text: string): number[] {
    const vector = new Array<number>(this.dimensions).fill(0);
    for (const [word] of text.toLowerCase().matchAll(WORD)) {
      const hash = fnv1a(word, this.seed);
      const bucket = hash % this.dimensions;
      vector[bucket]! += hash & 0x80000000 ? -1 : 1;
    }
    const norm = Math.hypot(...vector);
    // A text without words still needs a usable (non-zero) vector for cosine similarity.
    if (norm === 0) {
      vector[0] = 1;
      return vector;
    }
    return vector.map((value) => value / norm);
  }

  override async getTextEmbedding(text: string): Promise<number[]> {
    return this.embed(text);
  }
}
