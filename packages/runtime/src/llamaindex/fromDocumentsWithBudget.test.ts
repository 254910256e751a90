import { HashEmbedding } from '@asyncguard/testkit/llamaindex';
import { Document, Settings } from 'llamaindex';
import { describe, expect, it } from 'vitest';
import { isTimeoutError } from '../errors/TimeoutError.js';
import { fromDocumentsWithBudget } from './fromDocumentsWithBudget.js';

/** testkit's deterministic embedding, answering only after `delayMs` (a slow model). */
class SlowHashEmbedding extends HashEmbedding {
  /** Embeddings that have come back. */
  answered = 0;
  constructor(private readonly delayMs: number) {
    super();
  }

  override async getTextEmbedding(text: string): Promise<number[]> {
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    this.answered += 1;
    return super.getTextEmbedding(text);
  }
}

const docs = (): Document[] => [
  new Document({ text: 'the manager fails fast when redis is down', id_: 'a' }),
  new Document({ text: 'indexing runs under a thirty second budget', id_: 'b' }),
];

describe('fromDocumentsWithBudget', () => {
  it('builds a VectorStoreIndex within the budget', async () => {
    await Settings.withEmbedModel(new HashEmbedding(), async () => {
      const index = await fromDocumentsWithBudget(docs(), undefined, { budgetMs: 5000 });
      const hits = await index.asRetriever({ similarityTopK: 1 }).retrieve({ query: 'indexing budget' });
      expect(hits[0]?.node.sourceNode?.nodeId).toBe('b');
    });
  });

  it('rejects with TimeoutError when embedding is slower than the indexing budget', async () => {
    const model = new SlowHashEmbedding(200);
    await Settings.withEmbedModel(model, async () => {
      const error = await fromDocumentsWithBudget(docs(), undefined, { budgetMs: 50 }).catch((e: unknown) => e);
      expect(isTimeoutError(error)).toBe(true);
      expect((error as Error).message).toMatch(/llamaindex\.fromDocuments timed out/);
      // The caller hears of the timeout before any slow embedding came back (order, not time).
      expect(model.answered).toBe(0);
      // Let the abandoned embedding finish before the next test changes Settings.
      await new Promise((resolve) => setTimeout(resolve, 500));
    });
  });

  it('names bad input', async () => {
    await expect(fromDocumentsWithBudget('nope' as never)).rejects.toThrow(/documents must be an array/);
    await expect(fromDocumentsWithBudget([], undefined, { budgetMs: Number.NaN })).rejects.toThrow(/budgetMs must be a number/);
  });
});
