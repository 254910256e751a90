import { BaseEmbedding } from 'llamaindex';
import { fnv1a } from './minHash.js';

/**
 * Stand-in until the testkit's deterministic offline embedding lands: a hashed bag of words,
 * L2-normalised. No network, no model, same vector for the same text.
 */
class HashedBagOfWordsEmbedding extends BaseEmbedding {
  constructor(private readonly dimensions = 256) {
    super();
  }
  override async getTextEmbedding(text: string): Promise<number[]> {
    const v = new Array<number>(this.dimensions).fill(0);
    for (const w of text.toLowerCase().split(/[^a-z0-9]+/)) {
      if (w === '') continue;
      const i = fnv1a(w) % this.dimensions;
      v[i] = (v[i] ?? 0) + 1;
    }
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm) || 1;
    return v.map((x) => x / norm);
  }
}

export const defaultEmbedding = (): BaseEmbedding => new HashedBagOfWordsEmbedding();
