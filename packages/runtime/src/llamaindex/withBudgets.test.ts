import { HashEmbedding } from '@asyncguard/testkit/llamaindex';
import { BaseRetriever, Document, type NodeWithScore, type QueryBundle, Settings, TextNode, VectorStoreIndex } from 'llamaindex';
import { describe, expect, it } from 'vitest';
import { isTimeoutError } from '../errors/TimeoutError.js';
import type { Logger } from '../Logger.js';
import { withDeadline } from '../withDeadline.js';
import { withBudgets } from './withBudgets.js';

class SlowRetriever extends BaseRetriever {
  readonly label = 'slow';
  /** Set once the slow retrieval has run its course (answered or failed). */
  finished = false;
  constructor(
    private readonly delayMs: number,
    private readonly failAfter = false,
  ) {
    super();
  }
  async _retrieve(params: QueryBundle): Promise<NodeWithScore[]> {
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    this.finished = true;
    if (this.failAfter) throw new Error('vector store went away');
    return [{ node: new TextNode({ text: `answer to ${String(params.query)}` }), score: 1 }];
  }
}

describe('withBudgets', () => {
  it('clamps to an ambient deadline shorter than its budget, and says the deadline fired', async () => {
    const retriever = withBudgets(new SlowRetriever(300), { retrieveMs: 10_000, name: 'kb' });
    const error = await withDeadline(30, () => retriever.retrieve({ query: 'q' }), { operation: 'GET /search' }).catch((e: unknown) => e);
    expect(isTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ operation: 'kb.retrieve', firedBy: 'deadline', deadlineOperation: 'GET /search', budgetMs: 10_000 });
  });

  it('passes a retrieval that fits the budget through, keeping the retriever itself', async () => {
    const inner = new SlowRetriever(5);
    const retriever = withBudgets(inner, { retrieveMs: 500 });
    expect(retriever).toBeInstanceOf(BaseRetriever);
    expect(retriever.label).toBe('slow');
    const nodes = await retriever.retrieve({ query: 'q' });
    expect((nodes[0]?.node as TextNode).text).toBe('answer to q');
  });

  it('rejects with TimeoutError at the search budget and reports a late failure to the logger', async () => {
    const warned: string[] = [];
    const push = (_fields: Record<string, unknown>, message: string): void => void warned.push(message);
    const logger: Logger = { debug: push, info: push, warn: push, error: push };
    const inner = new SlowRetriever(300, true);
    const retriever = withBudgets(inner, { retrieveMs: 50, name: 'kb', logger });
    const error = await retriever.retrieve({ query: 'q' }).catch((e: unknown) => e);
    expect(isTimeoutError(error)).toBe(true);
    expect((error as Error).message).toMatch(/kb\.retrieve timed out/);
    // The budget's timer is due before the retrieval's, so the caller hears first (order, not time).
    expect(inner.finished).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(warned).toEqual(['kb.retrieve failed after its budget had already run out']);
  });

  it('bounds query() by the llamaindex budget and retrieve() by the search budget, separately', async () => {
    await Settings.withEmbedModel(new HashEmbedding(), async () => {
      const index = await VectorStoreIndex.fromDocuments([new Document({ text: 'budgets keep calls bounded' })]);
      const retriever = index.asRetriever({ similarityTopK: 1 });
      // A query engine whose answer takes 200 ms (an LLM would); retrieval is real and fast.
      const engine = {
        retrieve: (params: { query: string }) => retriever.retrieve(params),
        query: async (params: { query: string }) => {
          await new Promise((resolve) => setTimeout(resolve, 200));
          return { response: `answered ${params.query}` };
        },
      };
      const bounded = withBudgets(engine, { queryMs: 50, retrieveMs: 1000 });
      expect(await bounded.retrieve({ query: 'bounded calls' })).toHaveLength(1);
      const error = await bounded.query({ query: 'q' }).catch((e: unknown) => e);
      expect(isTimeoutError(error)).toBe(true);
      expect((error as Error).message).toMatch(/llamaindex\.query timed out/);
      const roomy = withBudgets(engine, { queryMs: 1000 });
      expect(await roomy.query({ query: 'q' })).toEqual({ response: 'answered q' });
    });
  });

  it('defaults to the search and llamaindex budgets and names bad input', () => {
    expect(() => withBudgets({} as never)).toThrow(/neither retrieve\(\) nor query\(\)/);
    expect(() => withBudgets(new SlowRetriever(1), { retrieveMs: -1 })).toThrow(/retrieveMs must not be negative/);
  });
});
