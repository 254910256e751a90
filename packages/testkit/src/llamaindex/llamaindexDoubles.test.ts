import { Document, MetadataMode, Settings, VectorStoreIndex } from 'llamaindex';
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../vitest.js';
import { HashEmbedding } from './HashEmbedding.js';
import { QueryEngineDouble } from './QueryEngineDouble.js';
import { RetrieverDouble } from './RetrieverDouble.js';

const facts = [
  'Redis keeps the session cache in memory and answers GET in microseconds.',
  'The vector index stores document embeddings for retrieval augmented generation.',
  'Circuit breakers stop calls to a failing dependency until it recovers.',
];

describe('HashEmbedding', () => {
  it('is deterministic, normalised and of fixed dimensions', async () => {
    const a = new HashEmbedding({ dimensions: 64 });
    const b = new HashEmbedding({ dimensions: 64 });
    const vector = await a.getTextEmbedding('Redis session cache');
    expect(vector).toHaveLength(64);
    expect(vector).toEqual(await b.getTextEmbedding('Redis session cache'));
    expect(Math.hypot(...vector)).toBeCloseTo(1, 10);
    expect(await new HashEmbedding({ dimensions: 64, seed: 7 }).getTextEmbedding('Redis session cache')).not.toEqual(vector);
    expect(a.embed('')).toEqual([1, ...new Array<number>(63).fill(0)]);
  });

  it('scores texts that share words above texts that do not', () => {
    const e = new HashEmbedding();
    const query = e.embed('redis session cache');
    expect(e.similarity(query, e.embed(facts[0]!))).toBeGreaterThan(e.similarity(query, e.embed(facts[2]!)));
  });

  it('names bad options', () => {
    expect(() => new HashEmbedding({ dimensions: 1 })).toThrow('HashEmbedding: options.dimensions must be an integer of at least 2, got 1');
    expect(() => new HashEmbedding({ seed: 0.5 })).toThrow('options.seed must be an integer');
    expect(() => new HashEmbedding({ dimension: 8 } as never)).toThrow('HashEmbedding: unknown option "dimension" (known options: dimensions, seed)');
  });
});

describe('VectorStoreIndex with HashEmbedding, offline', () => {
  it('indexes documents and retrieves the relevant one with no model and no network', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockRejectedValue(new Error('network is off in this test'));
    try {
      const index = await Settings.withEmbedModel(new HashEmbedding(), () =>
        VectorStoreIndex.fromDocuments(facts.map((text, i) => new Document({ text, id_: `fact-${i}` }))),
      );
      const retriever = Settings.withEmbedModel(new HashEmbedding(), () => index.asRetriever({ similarityTopK: 1 }));
      const [best] = await Settings.withEmbedModel(new HashEmbedding(), () => retriever.retrieve({ query: 'which circuit breakers stop failing calls?' }));
      expect(best?.node.getContent(MetadataMode.NONE)).toBe(facts[2]);
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  });
});

describe('RetrieverDouble', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ranks its documents for the query and records it', async () => {
    const retriever = new RetrieverDouble({ documents: facts, topK: 2 });
    const results = await retriever.retrieve({ query: 'redis cache' });
    expect(results).toHaveLength(2);
    expect(results[0]!.node.getContent(MetadataMode.NONE)).toBe(facts[0]);
    expect(retriever.queries).toEqual(['redis cache']);
  });

  it('delays on fake time, hangs without holding a handle, fails N times then recovers', async () => {
    vi.useFakeTimers();
    const slow = new RetrieverDouble({ documents: facts, fault: { delayMs: 5_000 } });
    const pending = slow.retrieve({ query: 'redis' });
    await expect(pending).not.toSettleWithin(20);
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(pending).toSettleWithin(100);
    vi.useRealTimers();

    const hung = new RetrieverDouble({ documents: facts, fault: { hang: true } });
    await expect(() => {
      void hung.retrieve({ query: 'redis' });
    }).not.toLeakHandles({ settleMs: 0 });
    await expect(hung.retrieve({ query: 'redis' })).not.toSettleWithin(30);

    const flaky = new RetrieverDouble({ documents: facts, fault: { fail: 'vector store unavailable', failTimes: 2 } });
    await expect(flaky.retrieve({ query: 'redis' })).rejects.toThrow('vector store unavailable');
    await expect(flaky.retrieve({ query: 'redis' })).rejects.toThrow('vector store unavailable');
    await expect(flaky.retrieve({ query: 'redis' })).resolves.toHaveLength(2);
  });

  it('names bad fault specs', () => {
    expect(() => new RetrieverDouble({ fault: { delayMs: -1 } })).toThrow('RetrieverDouble: options.fault.delayMs must be a number of milliseconds >= 0, got -1');
    expect(() => new RetrieverDouble({ fault: { failTimes: 1 } })).toThrow('options.fault.failTimes needs options.fault.fail');
    expect(() => new RetrieverDouble({ top: 3 } as never)).toThrow('RetrieverDouble: unknown option "top" (known options: documents, topK, fault)');
    expect(() => new RetrieverDouble({ fault: { delay: 5 } } as never)).toThrow('RetrieverDouble: options.fault: unknown option "delay" (known options: delayMs, hang, fail, failTimes)');
    expect(() => new QueryEngineDouble({ answers: () => 'x' } as never)).toThrow('QueryEngineDouble: unknown option "answers" (known options: answer, retriever, fault)');
  });
});

describe('QueryEngineDouble', () => {
  it('answers without an LLM, with sources from a retriever double', async () => {
    const engine = new QueryEngineDouble({ retriever: new RetrieverDouble({ documents: facts, topK: 1 }) });
    const response = await engine.query({ query: 'what does the vector index store?' });
    expect(response.message.content).toBe(`answer: what does the vector index store? (from: ${facts[1]})`);
    expect(response.sourceNodes).toHaveLength(1);
    expect(engine.queries).toEqual(['what does the vector index store?']);
  });

  it('fails and hangs on demand', async () => {
    const engine = new QueryEngineDouble({ fault: { fail: new TypeError('llm quota exceeded') } });
    await expect(engine.query({ query: 'x' })).rejects.toThrow(TypeError);
    engine.fault = { hang: true };
    await expect(engine.query({ query: 'x' })).not.toSettleWithin(30);
    engine.fault = undefined;
    await expect(engine.query({ query: 'x' })).resolves.toMatchObject({ message: { content: 'answer: x' } });
  });
});
