import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeWithRedis, useRedisServer } from '@asyncguard/testkit/vitest';
import { factKey, type HealthResponse, type IndexDocumentsResult, type SearchResponse, type StoredFact } from '../contract.js';
import type { StartService } from './StartService.js';

const SEED_FILE = 'seed-redis.txt';
const SEED_TEXT =
  'Redis keeps the whole keyspace in memory. A replica follows the primary; eviction policies decide which key leaves when memory runs out.';

/**
 * The one behaviour suite of the knowledge-base contract, run against every implementation
 * (the legacy service, the modern one, and the codemod's conversion of the legacy one).
 * Each test gets a fresh service over a flushed, real redis-server and a fresh documents
 * directory holding one seed file. Requests go through Fastify's `inject`.
 */
export function runBehaviourSuite(name: string, startService: StartService): void {
  describeWithRedis(`${name}: knowledge-base behaviour`, () => {
    const server = useRedisServer();
    let redis: Redis;
    let documentsDir: string;
    let app: FastifyInstance | undefined;

    beforeAll(() => {
      redis = new Redis(server().url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    });
    afterAll(async () => {
      await redis.quit();
    });

    const start = async (): Promise<FastifyInstance> => {
      app = await startService({ redisUrl: server().url, documentsDir });
      return app;
    };

    beforeEach(async () => {
      await redis.flushall();
      documentsDir = await mkdtemp(join(tmpdir(), 'kb-docs-'));
      await writeFile(join(documentsDir, SEED_FILE), SEED_TEXT);
    });
    afterEach(async () => {
      await app?.close();
      app = undefined;
      await rm(documentsDir, { recursive: true, force: true });
    });

    const storeFact = async (kb: FastifyInstance, text: string, metadata?: Record<string, string | number | boolean>): Promise<string> => {
      const res = await kb.inject({ method: 'POST', url: '/facts', payload: metadata === undefined ? { text } : { text, metadata } });
      expect(res.statusCode, res.body).toBe(201);
      const { id } = res.json<{ id: unknown }>();
      expect(typeof id).toBe('string');
      return id as string;
    };
    const search = async (kb: FastifyInstance, q: string, k?: number): Promise<SearchResponse> => {
      const res = await kb.inject({ method: 'GET', url: '/search', query: k === undefined ? { q } : { q, k: String(k) } });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<SearchResponse>();
    };

    it('stores a fact in a Redis hash and reads it back by id', async () => {
      const kb = await start();
      const before = Date.now();
      const id = await storeFact(kb, 'The primary streams writes to its replicas.', { source: 'ops-handbook', page: 12, verified: true });

      const res = await kb.inject({ method: 'GET', url: `/facts/${id}` });
      expect(res.statusCode).toBe(200);
      const fact = res.json<StoredFact>();
      expect(fact).toMatchObject({ id, text: 'The primary streams writes to its replicas.', metadata: { source: 'ops-handbook', page: 12, verified: true } });
      expect(Date.parse(fact.createdAt)).toBeGreaterThanOrEqual(before - 1000);

      const hash = await redis.hgetall(factKey(id));
      expect(hash.text).toBe('The primary streams writes to its replicas.');
    });

    it('answers 404 for an unknown fact id', async () => {
      const kb = await start();
      const res = await kb.inject({ method: 'GET', url: '/facts/no-such-fact' });
      expect(res.statusCode).toBe(404);
      expect(res.json<{ message: string }>().message).toMatch(/no-such-fact/);
    });

    it('rejects a malformed fact with 400 naming the field', async () => {
      const kb = await start();
      const missing = await kb.inject({ method: 'POST', url: '/facts', payload: { metadata: { a: 1 } } });
      expect(missing.statusCode).toBe(400);
      expect(missing.json<{ message: string }>().message).toMatch(/text/);
      const nested = await kb.inject({ method: 'POST', url: '/facts', payload: { text: 'x', metadata: { deep: { no: 1 } } } });
      expect(nested.statusCode).toBe(400);
      expect(nested.json<{ message: string }>().message).toMatch(/metadata/);
      expect(await redis.dbsize()).toBe(0);
    });

    it('keeps ten facts stored concurrently apart', async () => {
      const kb = await start();
      const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => storeFact(kb, `concurrent fact number ${i}`, { i })));
      expect(new Set(ids).size).toBe(10);
      for (const [i, id] of ids.entries()) {
        const res = await kb.inject({ method: 'GET', url: `/facts/${id}` });
        expect(res.json<StoredFact>()).toMatchObject({ text: `concurrent fact number ${i}`, metadata: { i } });
      }
    });

    it('indexes inline documents and ranks the relevant one first', async () => {
      const kb = await start();
      const res = await kb.inject({
        method: 'POST',
        url: '/documents',
        payload: {
          documents: [
            { id: 'garden', text: 'Tomato seedlings want warm soil, compost and mulch; prune them in the greenhouse.', metadata: { topic: 'gardening' } },
            { id: 'sky', text: 'A telescope shows the comet near the galaxy; the eclipse hides the nebula.', metadata: { topic: 'astronomy' } },
          ],
        },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<IndexDocumentsResult>()).toMatchObject({ documents: 2, duplicatesDropped: 0 });
      expect(res.json<IndexDocumentsResult>().chunks).toBeGreaterThanOrEqual(2);

      const found = await search(kb, 'comet telescope galaxy', 3);
      expect(found.degraded).toBe(false);
      expect(found.results.length).toBeGreaterThan(0);
      expect(found.results.length).toBeLessThanOrEqual(3);
      expect(found.results[0]).toMatchObject({ source: 'document', sourceId: 'sky', metadata: { topic: 'astronomy' } });
      const scores = found.results.map((r) => r.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      expect(scores[0]).toBeGreaterThan(0);
    });

    it('honours k', async () => {
      const kb = await start();
      const documents = Array.from({ length: 6 }, (_, i) => ({ id: `d${i}`, text: `document ${i} about orbit ${i} and parallax number ${i * 7}` }));
      expect((await kb.inject({ method: 'POST', url: '/documents', payload: { documents } })).statusCode).toBe(200);
      expect((await search(kb, 'orbit parallax', 2)).results).toHaveLength(2);
      expect((await search(kb, 'orbit parallax', 5)).results).toHaveLength(5);
    });

    it('indexes the seed directory at start and files named later', async () => {
      const kb = await start();
      const seeded = await search(kb, 'replica eviction keyspace', 1);
      expect(seeded.results[0]).toMatchObject({ source: 'document', sourceId: SEED_FILE });

      await writeFile(join(documentsDir, 'late.txt'), 'Quasars outshine their galaxy; parallax measures a nearby star.');
      const res = await kb.inject({ method: 'POST', url: '/documents', payload: { files: ['late.txt'] } });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<IndexDocumentsResult>().documents).toBe(1);
      expect((await search(kb, 'quasars parallax', 1)).results[0]).toMatchObject({ sourceId: 'late.txt' });
    });

    it('answers 404 naming a missing document file, and 400 for a path', async () => {
      const kb = await start();
      const missing = await kb.inject({ method: 'POST', url: '/documents', payload: { files: ['nope.txt'] } });
      expect(missing.statusCode).toBe(404);
      expect(missing.json<{ message: string }>().message).toMatch(/nope\.txt/);
      const escape = await kb.inject({ method: 'POST', url: '/documents', payload: { files: ['../etc/passwd'] } });
      expect(escape.statusCode).toBe(400);
      expect(escape.json<{ message: string }>().message).toMatch(/files/);
    });

    it('drops near-duplicate chunks', async () => {
      const kb = await start();
      const text = 'Workers run CPU-bound code off the main thread so the event loop keeps answering requests while documents are chunked.';
      const res = await kb.inject({ method: 'POST', url: '/documents', payload: { documents: [{ id: 'one', text }, { id: 'two', text }] } });
      expect(res.statusCode).toBe(200);
      expect(res.json<IndexDocumentsResult>()).toMatchObject({ documents: 2, duplicatesDropped: 1 });
    });

    it('finds stored facts in search, also after a restart', async () => {
      let kb = await start();
      const id = await storeFact(kb, 'Pipelining batches many commands into one network round trip.', { topic: 'redis' });
      expect((await search(kb, 'pipelining round trip', 1)).results[0]).toMatchObject({ source: 'fact', sourceId: id });

      await kb.close();
      kb = await start();
      const again = await search(kb, 'pipelining round trip', 1);
      expect(again.results[0]).toMatchObject({ source: 'fact', sourceId: id, metadata: { topic: 'redis' } });
    });

    it('rejects a search without q, or with a bad k, with 400', async () => {
      const kb = await start();
      const noQ = await kb.inject({ method: 'GET', url: '/search' });
      expect(noQ.statusCode).toBe(400);
      expect(noQ.json<{ message: string }>().message).toMatch(/q/);
      const badK = await kb.inject({ method: 'GET', url: '/search?q=redis&k=0' });
      expect(badK.statusCode).toBe(400);
      expect(badK.json<{ message: string }>().message).toMatch(/k/);
    });

    it('reports Redis and the index in /health', async () => {
      const kb = await start();
      await kb.inject({ method: 'POST', url: '/documents', payload: { documents: [{ id: 'x', text: 'a nebula seen through a telescope' }] } });
      const res = await kb.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(200);
      const health = res.json<HealthResponse>();
      expect(health.status).toBe('ok');
      expect(health.redis.status).toBe('up');
      expect(health.index).toMatchObject({ state: 'ready', documents: 2 });
      expect(health.index.chunks).toBeGreaterThanOrEqual(2);
    });
  });
}
