import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { HealthResponse, SearchResponse } from '@asyncguard-examples/kb-shared';
import { describeWithRedis, useRedisServer } from '@asyncguard/testkit/vitest';
import { createKnowledgeBaseServer } from '../src/index.js';

describeWithRedis('knowledge-base: posted documents live in Redis', () => {
  const server = useRedisServer();
  let documentsDir: string;
  let app: FastifyInstance | undefined;
  beforeEach(async () => {
    documentsDir = await mkdtemp(join(tmpdir(), 'kb-persist-'));
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await rm(documentsDir, { recursive: true, force: true });
  });

  it('re-indexes posted documents after a restart, from the Redis document store', async () => {
    app = createKnowledgeBaseServer({ redisUrl: server().url, documentsDir }).app;
    const posted = await app.inject({
      method: 'POST',
      url: '/documents',
      payload: { documents: [{ id: 'nebula', text: 'A telescope resolves the nebula into filaments of glowing gas.', metadata: { topic: 'astronomy' } }] },
    });
    expect(posted.statusCode, posted.body).toBe(200);
    await app.close();

    // The chunks are in Redis, in the hashes of LlamaIndex's document store.
    const redis = new Redis(server().url, { lazyConnect: true });
    try {
      const keys = await redis.keys('kb:docstore:*');
      expect(keys.length).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }

    app = createKnowledgeBaseServer({ redisUrl: server().url, documentsDir }).app;
    const found = (await app.inject({ method: 'GET', url: '/search?q=telescope%20nebula&k=1' })).json<SearchResponse>();
    expect(found).toMatchObject({ degraded: false, results: [{ source: 'document', sourceId: 'nebula', metadata: { topic: 'astronomy' } }] });
    expect((await app.inject({ method: 'GET', url: '/health' })).json<HealthResponse>().index).toMatchObject({ state: 'ready', documents: 1, chunks: 1 });
  });
});
