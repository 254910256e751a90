import { HashEmbedding } from '@asyncguard/testkit/llamaindex';
import { describeWithRedis, useRedisServer } from '@asyncguard/testkit/vitest';
import { Document, KVDocumentStore, KVIndexStore, Settings, storageContextFromDefaults, VectorStoreIndex } from 'llamaindex';
import { expect, it } from 'vitest';
import { RedisKVStore } from './RedisKVStore.js';
import { useManagers } from '../../tests/support/useManagers.js';

describeWithRedis('RedisKVStore', () => {
  const server = useRedisServer();
  const make = useManagers(server);

  it('implements put/get/getAll/delete over one Redis hash per collection', async () => {
    const m = make();
    const kv = new RedisKVStore(m, { namespace: 'kvtest' });
    await kv.put('a', { n: 1, tags: ['x'] });
    await kv.put('b', { n: 2 }, 'other');
    expect(await kv.get('a')).toEqual({ n: 1, tags: ['x'] });
    expect(await kv.get('missing')).toBeNull();
    expect(await kv.get('a', 'other')).toBeNull();
    expect(await kv.getAll('other')).toEqual({ b: { n: 2 } });
    expect(await kv.delete('a')).toBe(true);
    expect(await kv.delete('a')).toBe(false);
    expect(await m.redis.hkeys('kvtest:other')).toEqual(['b']);
    expect(() => new RedisKVStore({} as never)).toThrow(/manager must be a RedisManager/);
  });

  it('persists a LlamaIndex docstore and index store in Redis, readable by a fresh process', async () => {
    const documents = [
      new Document({ text: 'Redis budgets bound every command to two seconds', id_: 'doc-redis' }),
      new Document({ text: 'LlamaIndex retrieval runs under the search budget', id_: 'doc-llama' }),
    ];
    await Settings.withEmbedModel(new HashEmbedding(), async () => {
      const kv = new RedisKVStore(make(), { namespace: 'kb' });
      // Distinct namespaces: both stores default to the same one and would share a collection.
      const storageContext = await storageContextFromDefaults({ docStore: new KVDocumentStore(kv, 'docstore'), indexStore: new KVIndexStore(kv, 'index_store') });
      const index = await VectorStoreIndex.fromDocuments(documents, { storageContext });
      const hits = await index.asRetriever({ similarityTopK: 1 }).retrieve({ query: 'redis command budgets' });
      expect(hits[0]?.node.sourceNode?.nodeId).toBe('doc-redis');

      // A second manager (another process, as far as Redis knows) sees the stored nodes and index.
      const again = new RedisKVStore(make(), { namespace: 'kb' });
      const docStore = new KVDocumentStore(again, 'docstore');
      const allDocs = await docStore.docs();
      expect(Object.keys(allDocs).length).toBeGreaterThanOrEqual(2);
      const texts = Object.values(allDocs).map((n) => (n as { text?: string }).text ?? '');
      expect(texts.some((t) => t.includes('two seconds'))).toBe(true);
      const structs = await new KVIndexStore(again, 'index_store').getIndexStructs();
      expect(structs.map((s) => s.indexId)).toContain(index.indexStruct.indexId);
    });
  });
});
