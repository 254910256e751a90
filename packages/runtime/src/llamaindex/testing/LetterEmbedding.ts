import { BaseEmbedding } from 'llamaindex';

/**
 * A tiny deterministic embedding for offline tests: word hashes folded into 64 dimensions,
 * normalised. Texts sharing words land close together. `delayMs` simulates a slow model.
 */
export class LetterEmbedding extends BaseEmbedding {
  constructor(private readonly delayMs = 0) {
    super();
  }

  async getTextEmbedding(text: string): Promise<number[]> {
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const v = new Array<number>(64).fill(0);
    for (const word of text.toLowerCase().split(/[^a-z0-9]+/)) {
      if (word === '') continue;
      let h = 2166136261;
      for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
      const slot = (h >>> 0) % 64;
      v[slot] = (v[slot] ?? 0) + 1;
    }
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
    return v.map((x) => x / norm);
  }
}
