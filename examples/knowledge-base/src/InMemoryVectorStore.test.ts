import { TextNode, VectorStoreQueryMode, FilterOperator } from 'llamaindex';
import { describe, expect, it } from 'vitest';
import { HashEmbedding } from '@asyncguard/testkit/llamaindex';
import { InMemoryVectorStore } from './InMemoryVectorStore.js';

const node = (id: string, embedding: number[], text = id, ref?: string): TextNode => {
  const n = new TextNode({ id_: id, text, embedding });
  if (ref !== undefined) n.relationships = { SOURCE: { nodeId: ref, metadata: {} } } as TextNode['relationships'];
  return n;
};
const query = (queryEmbedding: number[], similarityTopK: number) => ({ queryEmbedding, similarityTopK, mode: VectorStoreQueryMode.DEFAULT });

/** Seeded pseudo-random vectors, so the check against a sort is the same every run. */
function vectors(count: number, dims: number, seed = 7): number[][] {
  let s = seed;
  const next = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  return Array.from({ length: count }, () => Array.from({ length: dims }, next));
}

const cosine = (a: number[], b: number[]): number => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) => {
    dot += x * (b[i] as number);
    na += x * x;
    nb += (b[i] as number) ** 2;
  });
  return dot / Math.sqrt(na * nb);
};

describe('InMemoryVectorStore', () => {
  it('returns the k most cosine-similar nodes, best first, as a full sort would', async () => {
    const store = new InMemoryVectorStore(new HashEmbedding());
    const all = vectors(500, 16);
    await store.add(all.map((v, i) => node(`n${i}`, v)));
    const [q] = vectors(1, 16, 99);
    const expected = all
      .map((v, i) => ({ id: `n${i}`, score: cosine(q!, v) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 7);
    const result = await store.query(query(q!, 7));
    expect(result.ids).toEqual(expected.map((e) => e.id));
    result.similarities.forEach((s, i) => expect(s).toBeCloseTo(expected[i]!.score, 5));
    expect(result.nodes?.map((n) => n.id_)).toEqual(result.ids);
  });

  it('replaces a node added again under the same id, and deletes by source document', async () => {
    const store = new InMemoryVectorStore(new HashEmbedding());
    await store.add([node('a', [1, 0], 'first', 'doc-1'), node('b', [0, 1], 'other', 'doc-2')]);
    await store.add([node('a', [0, 1], 'second', 'doc-1')]);
    expect(store.size).toBe(2);
    const top = await store.query(query([0, 1], 2));
    expect(top.nodes?.map((n) => (n as TextNode).text)).toEqual(expect.arrayContaining(['second', 'other']));
    await store.delete('doc-2');
    expect(store.size).toBe(1);
    expect((await store.query(query([0, 1], 5))).ids).toEqual(['a']);
  });

  it('answers an empty store with no hits and k larger than the store with all of it', async () => {
    const store = new InMemoryVectorStore(new HashEmbedding());
    expect(await store.query(query([1, 0], 3))).toEqual({ nodes: [], similarities: [], ids: [] });
    await store.add([node('a', [1, 0]), node('b', [0.5, 0.5])]);
    expect((await store.query(query([1, 0], 10))).ids).toEqual(['a', 'b']);
  });

  it('rejects what it cannot answer, saying why', async () => {
    const store = new InMemoryVectorStore(new HashEmbedding());
    await store.add([node('a', [1, 0, 0])]);
    await expect(store.add([node('b', [1, 0])])).rejects.toThrow(/2-dimensional.*holds 3/);
    await expect(store.query(query([1, 0], 1))).rejects.toThrow(/2 dimensions/);
    await expect(store.query({ ...query([1, 0, 0], 1), mode: VectorStoreQueryMode.MMR })).rejects.toThrow(/query mode/);
    await expect(
      store.query({ ...query([1, 0, 0], 1), filters: { filters: [{ key: 'topic', value: 'x', operator: FilterOperator.EQ }] } }),
    ).rejects.toThrow(/filters/);
  });
});
