import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { syntheticCorpus, type HealthResponse, type SearchResponse } from '@asyncguard-examples/kb-shared';
import { createRedisManager, type Budgets } from '@asyncguard/runtime';
import { ChaosProxy, findLeakedHandles } from '@asyncguard/testkit';
import { describeWithRedis, installBlockGuard, trackConcurrency, useRedisServer } from '@asyncguard/testkit/vitest';
import { createKnowledgeBaseServer, type KnowledgeBaseServer, type KnowledgeBaseServerOptions } from '../src/index.js';
import { HangingEmbedding } from './support/HangingEmbedding.js';
import { recordingLogger } from './support/testLogger.js';

// Every test here fails if it stalls the event loop for longer than this. The legacy service
// stalls it for seconds while indexing; the margin over the guard's default (100 ms) only
// absorbs scheduling hiccups on a loaded 2-core machine.
installBlockGuard({ thresholdMs: 250 });

/** Small budgets keep the tests quick; the behaviour does not depend on their size. */
const BUDGETS: Partial<Budgets> = { redis: 300, redisScan: 300, llamaindex: 1000, search: 2000, indexing: 5000 };
/** "Well before the fault would have ended": far above every budget, far below the fault. */
const SETTLES_WITHIN = 1500;
const FAULT_MS = 2500;

const json = { 'content-type': 'application/json' };

describeWithRedis('knowledge-base under faults', () => {
  const server = useRedisServer();
  let proxy: ChaosProxy;
  let documentsDir: string;
  let service: KnowledgeBaseServer | undefined;
  let log: ReturnType<typeof recordingLogger>;

  // First use loads and compiles a lot (Fastify's injector, Ajv, LlamaIndex, the worker's
  // TypeScript): do it once before the tests, outside the block guard's watch.
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kb-warm-'));
    const warm = createKnowledgeBaseServer({ redisUrl: server().url, documentsDir: dir, budgets: BUDGETS });
    try {
      await warm.app.inject({ method: 'POST', url: '/facts', headers: json, payload: { text: 'warm-up' } });
      await warm.app.inject({ method: 'POST', url: '/documents', headers: json, payload: { documents: syntheticCorpus({ documents: 4, wordsPerDocument: 500 }) } });
      await warm.app.inject({ method: 'GET', url: '/search?q=warm' });
      await warm.app.inject({ method: 'GET', url: '/facts/none' });
      await warm.app.inject({ method: 'GET', url: '/health' });
    } finally {
      await warm.app.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);

  // The large indexing job's input (80k words): generating it is the test's own synchronous work,
  // so it happens here, outside the block guard's watch, not inside the test.
  let largeCorpus: ReturnType<typeof syntheticCorpus>;
  beforeAll(() => {
    largeCorpus = syntheticCorpus({ documents: 40, wordsPerDocument: 2000, seed: 3 });
  });

  beforeEach(async () => {
    proxy = new ChaosProxy({ upstream: { port: server().port } });
    await proxy.start();
    documentsDir = await mkdtemp(join(tmpdir(), 'kb-faults-'));
    await writeFile(join(documentsDir, 'seed.txt'), 'Replicas follow the primary; the keyspace lives in memory.');
    log = recordingLogger();
  });
  afterEach(async () => {
    await service?.app.close();
    service = undefined;
    await proxy.stop();
    await rm(documentsDir, { recursive: true, force: true });
  });

  const start = (overrides: Partial<KnowledgeBaseServerOptions> = {}): FastifyInstance => {
    service = createKnowledgeBaseServer({
      redisUrl: proxy.url,
      documentsDir,
      budgets: BUDGETS,
      logger: log,
      redis: { healthIntervalMs: 100, reconnect: { minDelayMs: 20, maxDelayMs: 200 } },
      ...overrides,
    });
    return service.app;
  };
  const storeFact = async (app: FastifyInstance, text = 'a fact about replicas'): Promise<string> => {
    const res = await app.inject({ method: 'POST', url: '/facts', headers: json, payload: { text } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  };
  const health = async (app: FastifyInstance): Promise<HealthResponse> => (await app.inject({ method: 'GET', url: '/health' })).json<HealthResponse>();

  it('cuts a Redis call slower than its budget with a 503, and serves again once Redis is fast', async () => {
    const app = start();
    const id = await storeFact(app);
    proxy.addToxic({ type: 'latency', latency: FAULT_MS, name: 'slow' });

    const read = app.inject({ method: 'GET', url: `/facts/${id}` });
    await expect(read).toSettleWithin(SETTLES_WITHIN);
    expect((await read).statusCode).toBe(503);
    const write = app.inject({ method: 'POST', url: '/facts', headers: json, payload: { text: 'written while slow' } });
    await expect(write).toSettleWithin(SETTLES_WITHIN);
    expect((await write).statusCode).toBe(503);

    proxy.removeToxic('slow');
    await vi.waitFor(async () => expect((await app.inject({ method: 'GET', url: `/facts/${id}` })).statusCode).toBe(200), { timeout: 10_000, interval: 100 });
  }, 20_000);

  it('keeps answering while Redis hangs: facts fail fast, search and /health carry on', async () => {
    const app = start();
    await storeFact(app, 'the keyspace is kept in memory');
    expect((await app.inject({ method: 'GET', url: '/search?q=keyspace' })).json<SearchResponse>().results.length).toBeGreaterThan(0);
    proxy.addToxic({ type: 'timeout', timeout: 0, name: 'hang' }); // replies are swallowed

    const calls = Promise.all([
      app.inject({ method: 'POST', url: '/facts', headers: json, payload: { text: 'lost in the stall' } }),
      app.inject({ method: 'GET', url: '/facts/some-id' }),
      app.inject({ method: 'GET', url: '/search?q=keyspace%20memory' }),
      app.inject({ method: 'GET', url: '/health' }),
    ]);
    await expect(calls).toSettleWithin(SETTLES_WITHIN);
    const [write, read, search, status] = await calls;
    expect(write.statusCode).toBe(503);
    expect(read.statusCode).toBe(503);
    expect(search.statusCode).toBe(200);
    expect(search.json<SearchResponse>()).toMatchObject({ degraded: false });
    expect(search.json<SearchResponse>().results[0]?.text).toMatch(/keyspace/);
    expect(status.statusCode).toBe(200);
    await vi.waitFor(async () => expect((await health(app)).redis.status).toBe('down'), { timeout: 10_000, interval: 100 });

    proxy.removeToxic('hang');
    await vi.waitFor(async () => expect((await app.inject({ method: 'POST', url: '/facts', headers: json, payload: { text: 'after the stall' } })).statusCode).toBe(201), {
      timeout: 15_000,
      interval: 200,
    });
    expect((await health(app)).redis.status).toBe('up');
  }, 30_000);

  it('degrades search to an empty, flagged answer with a logged reason when the index hangs', async () => {
    const embedModel = new HangingEmbedding();
    try {
      const app = start({ embedModel, budgets: { ...BUDGETS, search: 300 } });
      const res = app.inject({ method: 'GET', url: '/search?q=replicas' });
      await expect(res).toSettleWithin(SETTLES_WITHIN);
      const body = (await res).json<SearchResponse>();
      expect((await res).statusCode).toBe(200);
      expect(body).toMatchObject({ query: 'replicas', results: [], degraded: true });
      expect(body.reason).toMatch(/TimeoutError/);
      const logged = log.entries.find((e) => e.level === 'warn' && e.fields.operation === 'search');
      expect(logged?.message).toMatch(/TimeoutError/);
      // The build itself is still within its own (larger) budget, and /health says so.
      expect((await health(app)).index.state).toBe('building');
    } finally {
      embedModel.release();
    }
  });

  it('sends ten concurrent POST /facts to Redis at the same time', async () => {
    const manager = createRedisManager({ name: 'kb-concurrency', url: proxy.url, budgets: { redis: 2000 } });
    try {
      const hset = trackConcurrency(manager.redis.hset);
      manager.redis.hset = hset;
      const app = start({ redisManager: manager, budgets: { ...BUDGETS, redis: 2000 } });
      proxy.addToxic({ type: 'latency', latency: 100, name: 'rtt' }); // each reply takes a while

      const replies = await Promise.all(
        Array.from({ length: 10 }, (_, i) => app.inject({ method: 'POST', url: '/facts', headers: json, payload: { text: `fact ${i}` } })),
      );
      expect(replies.map((r) => r.statusCode)).toEqual(Array(10).fill(201));
      await expect(hset).toRunConcurrently({ minOverlap: 10 });
    } finally {
      await service?.app.close();
      service = undefined;
      await manager.close();
    }
  });

  it('answers /health while a large indexing job runs', async () => {
    const app = start();
    await app.inject({ method: 'GET', url: '/search?q=warm' }); // the index exists
    const documents = largeCorpus;
    let jobDone = false;
    const job = app.inject({ method: 'POST', url: '/documents', headers: json, payload: { documents } }).then((res) => {
      jobDone = true;
      return res;
    });

    const during: HealthResponse[] = [];
    await vi.waitFor(() => expect(service?.kb.health().index.state).toBe('building'));
    while (!jobDone && during.length < 20) {
      const res = await app.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(200);
      if (!jobDone) during.push(res.json<HealthResponse>());
    }
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((h) => h.index.state === 'building')).toBe(true);
    const done = await job;
    expect(done.statusCode, done.body).toBe(200);
    expect((await health(app)).index.state).toBe('ready');
  }, 20_000);

  it('leaves no socket, worker or process-holding timer behind after close', async () => {
    const leaks = await findLeakedHandles(async () => {
      const { app } = createKnowledgeBaseServer({ redisUrl: server().url, documentsDir, budgets: BUDGETS, redis: { healthIntervalMs: 100 } });
      await storeFact(app);
      expect((await app.inject({ method: 'POST', url: '/documents', headers: json, payload: { documents: [{ text: 'a comet near a galaxy' }] } })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/search?q=comet' })).statusCode).toBe(200);
      await app.close();
    }, {
      // The runtime's shared deadline timers are unref'd and fire once when their budget ends:
      // they never keep the process alive, so only those may outlive the call.
      ignore: (handle) => handle.kind === 'timer' && !handle.ref,
    });
    expect(leaks).toEqual([]);
  }, 20_000);
});

describeWithRedis('knowledge-base when Redis goes down and comes back', () => {
  const server = useRedisServer();
  let app: FastifyInstance | undefined;
  let documentsDir: string;

  beforeEach(async () => {
    documentsDir = await mkdtemp(join(tmpdir(), 'kb-down-'));
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    if (!server().running) await server().restart();
    await rm(documentsDir, { recursive: true, force: true });
  });

  it('fails fast while Redis is down and serves again once it is back', async () => {
    app = createKnowledgeBaseServer({
      redisUrl: server().url,
      documentsDir,
      budgets: BUDGETS,
      redis: { healthIntervalMs: 100, reconnect: { minDelayMs: 20, maxDelayMs: 200 } },
    }).app;
    const kb = app;
    const first = await kb.inject({ method: 'POST', url: '/facts', headers: json, payload: { text: 'before the outage' } });
    expect(first.statusCode).toBe(201);
    const { id } = first.json<{ id: string }>();

    await server().kill();
    const during = kb.inject({ method: 'GET', url: `/facts/${id}` });
    await expect(during).toSettleWithin(SETTLES_WITHIN);
    expect((await during).statusCode).toBe(503);

    await server().restart(); // no persistence: the data is gone, the service is not
    await vi.waitFor(async () => expect((await kb.inject({ method: 'POST', url: '/facts', headers: json, payload: { text: 'after' } })).statusCode).toBe(201), {
      timeout: 15_000,
      interval: 200,
    });
  }, 30_000);
});

describe('budgets', () => {
  it('rejects a bad budget by name', () => {
    expect(() => createKnowledgeBaseServer({ redisUrl: 'redis://127.0.0.1:1', documentsDir: '.', budgets: { search: -1 } })).toThrow(/budgets\.search/);
  });
});
