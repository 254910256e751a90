import { BaseEmbedding } from 'llamaindex';
import { fnv1a } from '@asyncguard-examples/kb-shared';

// Stand-in until the testkit's deterministic embedding lands.
class BagOfWordsEmbedding extends BaseEmbedding {
  constructor() {
    super();
  }
  override async getTextEmbedding(text: string): Promise<number[]> {
    const v = new Array<number>(256).fill(0);
    for (const w of text.toLowerCase().split(/[^a-z0-9]+/)) if (w !== '') v[fnv1a(w) % 256] = (v[fnv1a(w) % 256] ?? 0) + 1;
    const n = Math.hypot(...v) || 1;
    return v.map((x) => x / n);
  }
}
export const testEmbedding = (): BaseEmbedding => new BagOfWordsEmbedding();
