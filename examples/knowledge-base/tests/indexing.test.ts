import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  chunkNodeId,
  processDocuments,
  syntheticCorpus,
  type DocumentToProcess,
  type HealthResponse,
  type IndexDocumentsResult,
  type ProcessedChunk,
  type SearchResponse,
} from '@asyncguard-examples/kb-shared';
import { describeWithRedis, useRedisServer } from '@asyncguard/testkit/vitest';
import {
  createDocumentProcessor,
  createKnowledgeBaseServer,
  HASH_EMBEDDING_IN_WORKER,
  IndexingQueue,
  IndexingQueueFullError,
  type DocumentProcessor,
  type KnowledgeBaseServer,
  type KnowledgeBaseServerOptions,
} from '../src/index.js';
import { INDEXING_NICE } from '../src/lowerThreadPriority.js';
import { DOC_STORE_DATA_KEY, DOC_STORE_METADATA_KEY } from '../src/nodes.js';

const json = { 'content-type': 'application/json' };

/**
 * A processor whose jobs marked `hold` wait until `release()` (or until their signal aborts):
 * it keeps an indexing job running for as long as a test needs. Other batches (the seed
 * documents) go straight through.
 */
function holdingProcessor(): DocumentProcessor & { release(): void } {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    async process(documents: readonly DocumentToProcess[], signal?: AbortSignal) {
      if (documents.some((d) => d.id.startsWith('hold'))) {
        await new Promise<void>((resolve, reject) => {
          void gate.then(resolve);
          signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
        });
      }
      return processDocuments(documents);
    },
    release: () => open(),
    close: async () => undefined,
  };
}

describeWithRedis('knowledge-base: the indexing queue', () => {
  const server = useRedisServer();
  let documentsDir: string;
  let service: KnowledgeBaseServer | undefined;
  let processor: ReturnType<typeof holdingProcessor>;

  beforeEach(async () => {
    documentsDir = await mkdtemp(join(tmpdir(), 'kb-queue-'));
    await writeFile(join(documentsDir, 'seed.txt'), 'Replicas follow the primary.');
    processor = holdingProcessor();
  });
  afterEach(async () => {
    processor.release();
    await service?.app.close();
    service = undefined;
    await rm(documentsDir, { recursive: true, force: true });
  });

  const start = async (overrides: Partial<KnowledgeBaseServerOptions> = {}): Promise<FastifyInstance> => {
    service = createKnowledgeBaseServer({ redisUrl: server().url, documentsDir, processor, maxQueuedJobs: 1, ...overrides });
    await service.app.inject({ method: 'GET', url: '/search?q=warm' }); // the index exists
    return service.app;
  };
  const post = (app: FastifyInstance, id: string) =>
    app.inject({ method: 'POST', url: '/documents', headers: json, payload: { documents: [{ id, text: `document ${id} about comets and telescopes` }] } });
  const jobs = (): HealthResponse['index']['jobs'] => service?.kb.health().index.jobs;

  it('refuses a job beyond the queue with 429 and Retry-After, and accepts again once there is room', async () => {
    const app = await start();
    const first = post(app, 'hold-1');
    await vi.waitFor(() => expect(jobs()).toEqual({ running: 1, queued: 0, capacity: 1 }));
    const second = post(app, 'hold-2');
    await vi.waitFor(() => expect(jobs()).toEqual({ running: 1, queued: 1, capacity: 1 }));

    const refused = await post(app, 'third');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.json<{ error: string }>().error).toBe('IndexingQueueFullError');
    const health = (await app.inject({ method: 'GET', url: '/health' })).json<HealthResponse>();
    expect(health.index).toMatchObject({ state: 'building', jobs: { running: 1, queued: 1, capacity: 1 } });

    processor.release();
    expect((await first).statusCode).toBe(200);
    expect((await second).statusCode).toBe(200);
    const later = await post(app, 'fourth');
    expect(later.statusCode, later.body).toBe(200);
    expect(jobs()).toEqual({ running: 0, queued: 0, capacity: 1 });
    const found = (await app.inject({ method: 'GET', url: '/search?q=document%20third%20comets' })).json<SearchResponse>();
    expect(found.results.map((r) => r.sourceId)).not.toContain('third'); // the refused job left nothing behind
    expect(found.results.map((r) => r.sourceId)).toContain('fourth');
  });

  it('takes a waiting job whose deadline passes out of the queue', async () => {
    const app = await start({ budgets: { indexing: 400 } });
    const first = post(app, 'hold-1');
    await vi.waitFor(() => expect(jobs()?.running).toBe(1));
    const second = post(app, 'hold-2');
    const [a, b] = await Promise.all([first, second]);
    expect([a.statusCode, b.statusCode]).toEqual([503, 503]);
    expect(jobs()).toEqual({ running: 0, queued: 0, capacity: 1 });
    expect((await post(app, 'after')).statusCode).toBe(200);
  });

  it('embeds a large job on the main thread while nothing loaded the worker, and waits for a loading already under way (warmUp, or an earlier job)', async () => {
    const real = createDocumentProcessor({ timeoutMs: 30_000, embedding: HASH_EMBEDDING_IN_WORKER, threads: 1 });
    let openWarm: () => void = () => undefined;
    const warmGate = new Promise<void>((resolve) => {
      openWarm = resolve;
    });
    let embedded = 0;
    let warmCalls = 0;
    const wrapped: DocumentProcessor = {
      process: (docs, signal) => real.process(docs, signal),
      embed: async (chunks, signal) => {
        const batch = await (real.embed as NonNullable<DocumentProcessor['embed']>)(chunks, signal);
        embedded += chunks.length;
        return batch;
      },
      warm: async () => {
        warmCalls++;
        await warmGate;
        await real.warm?.();
      },
      embedReady: () => real.embedReady?.() ?? false,
      close: () => real.close(),
    };
    const documents = syntheticCorpus({ documents: 8, wordsPerDocument: 2000, seed: 5 }).map((d, i) => ({ id: `big-${i}`, text: d.text }));
    service = createKnowledgeBaseServer({ redisUrl: server().url, documentsDir, processor: wrapped });
    const app = service.app;
    // Nothing loaded the worker: the job embeds here at once, and starts the loading.
    const first = await app.inject({ method: 'POST', url: '/documents', headers: json, payload: { documents } });
    expect(first.statusCode, first.body).toBe(200);
    expect(embedded).toBe(0);
    expect(warmCalls).toBe(1);
    // The loading is under way: the next large job waits for it, then embeds in the worker.
    let done = false;
    const second = app.inject({ method: 'POST', url: '/documents', headers: json, payload: { documents } }).then((res) => {
      done = true;
      return res;
    });
    await vi.waitFor(() => expect(service?.kb.health().index.jobs?.running).toBe(1));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(done).toBe(false);
    openWarm();
    expect((await second).statusCode).toBe(200);
    expect(embedded).toBe(first.json<IndexDocumentsResult>().chunks);
  }, 30_000);

  it('rejects a bad maxQueuedJobs or indexingThreads by name', () => {
    expect(() => createKnowledgeBaseServer({ redisUrl: server().url, documentsDir, maxQueuedJobs: -1 })).toThrow(/maxQueuedJobs/);
    expect(() => createKnowledgeBaseServer({ redisUrl: server().url, documentsDir, indexingThreads: 0 })).toThrow(/indexingThreads/);
  });
});

describe('IndexingQueue', () => {
  it('runs one job at a time and refuses the one beyond its capacity', async () => {
    const queue = new IndexingQueue({ capacity: 1 });
    const order: string[] = [];
    let finish: () => void = () => undefined;
    const a = queue.run(
      () =>
        new Promise<void>((resolve) => {
          order.push('a');
          finish = resolve;
        }),
    );
    const b = queue.run(async () => {
      order.push('b');
    });
    await expect(queue.run(async () => undefined)).rejects.toBeInstanceOf(IndexingQueueFullError);
    expect(order).toEqual(['a']);
    finish();
    await Promise.all([a, b]);
    expect(order).toEqual(['a', 'b']);
    expect([queue.running, queue.queued]).toEqual([0, 0]);
  });

  it('names a bad capacity', () => {
    expect(() => new IndexingQueue({ capacity: 1.5 })).toThrow(/capacity/);
  });
});

describe('indexing threads', () => {
  /** Nice value of each thread of this process (Linux: field 19 of /proc/<pid>/task/<tid>/stat). */
  const niceOfThreads = async (): Promise<number[]> => {
    const tasks = await readdir(`/proc/${process.pid}/task`);
    const nices = await Promise.all(tasks.map(async (tid) => Number((await readFile(`/proc/${process.pid}/task/${tid}/stat`, 'utf8')).split(') ')[1]?.split(' ')[16])));
    return nices.sort((a, b) => a - b);
  };

  it('run at a lower priority than the main thread', async () => {
    const processor = createDocumentProcessor({ timeoutMs: 30_000, embedding: HASH_EMBEDDING_IN_WORKER, threads: 2 });
    try {
      await processor.warm?.();
      if (process.platform === 'linux') {
        const nices = await niceOfThreads();
        expect(nices.filter((n) => n === INDEXING_NICE)).toHaveLength(2); // the two indexing workers
        expect(nices.filter((n) => n !== INDEXING_NICE).every((n) => n === nices[0])).toBe(true); // the rest unchanged
      } else {
        expect(processor.embedReady?.()).toBe(true); // nothing to lower elsewhere: the workers still work
      }
    } finally {
      await processor.close();
    }
  }, 30_000); // two workers load tsx and LlamaIndex
});

describeWithRedis('knowledge-base: indexing in the worker gives the same index as on the main thread', () => {
  const server = useRedisServer();
  let documentsDir: string;
  let redis: Redis;
  let app: FastifyInstance | undefined;
  // ~20 chunks per document: the job is large enough for the worker (and several batches of it).
  const corpus = syntheticCorpus({ documents: 30, wordsPerDocument: 2000, seed: 7 });
  const documents = corpus.map((doc, i) => ({ id: `doc-${i}`, text: doc.text, metadata: { n: i } }));
  const queries = ['redis replicas primary', 'vector embedding similarity', 'event loop worker thread', 'telescope nebula'];

  beforeAll(async () => {
    redis = new Redis(server().url, { lazyConnect: true });
    await redis.connect();
  });
  afterAll(() => {
    redis.disconnect();
  });
  beforeEach(async () => {
    documentsDir = await mkdtemp(join(tmpdir(), 'kb-same-'));
    await redis.flushall();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await rm(documentsDir, { recursive: true, force: true });
  });

  interface Outcome {
    reply: IndexDocumentsResult;
    chunks: number;
    searches: SearchResponse[];
    data: Record<string, string>;
    metadata: Record<string, string>;
  }

  const indexAndRead = async (options: Partial<KnowledgeBaseServerOptions>): Promise<Outcome> => {
    app = createKnowledgeBaseServer({ redisUrl: server().url, documentsDir, ...options }).app;
    const res = await app.inject({ method: 'POST', url: '/documents', headers: json, payload: { documents } });
    expect(res.statusCode, res.body).toBe(200);
    const searches: SearchResponse[] = [];
    for (const q of queries) searches.push((await app.inject({ method: 'GET', url: `/search?q=${encodeURIComponent(q)}&k=10` })).json<SearchResponse>());
    const chunks = (await app.inject({ method: 'GET', url: '/health' })).json<HealthResponse>().index.chunks;
    await app.close();
    app = undefined;
    const outcome = { reply: res.json<IndexDocumentsResult>(), chunks, searches, data: await redis.hgetall(DOC_STORE_DATA_KEY), metadata: await redis.hgetall(DOC_STORE_METADATA_KEY) };
    await redis.flushall();
    return outcome;
  };

  it('same chunks, vectors (scores), search results and stored entries, with one worker, two or none; and a restart finds them again', async () => {
    /** The worker processor, warmed, counting the chunks its workers embed. */
    const inWorkers = async (threads: number): Promise<DocumentProcessor & { embedded: number }> => {
      const real = createDocumentProcessor({ timeoutMs: 30_000, embedding: HASH_EMBEDDING_IN_WORKER, threads });
      expect(real.embedReady?.()).toBe(false);
      await real.warm?.();
      expect(real.embedReady?.()).toBe(true);
      const counting = {
        embedded: 0,
        process: (docs: readonly DocumentToProcess[], signal?: AbortSignal) => real.process(docs, signal),
        embedReady: () => true,
        embed: async (chunks: readonly ProcessedChunk[], signal?: AbortSignal) => {
          const batch = await (real.embed as NonNullable<DocumentProcessor['embed']>)(chunks, signal);
          counting.embedded += chunks.length;
          return batch;
        },
        close: () => real.close(),
      };
      return counting;
    };
    const one = await inWorkers(1);
    const inWorker = await indexAndRead({ processor: one });
    const onMain = await indexAndRead({ workerEmbedding: false });
    const two = await inWorkers(2);
    const twoThreads = await indexAndRead({ processor: two }); // parts chunked and signed side by side

    const expected = processDocuments(documents);
    expect(expected.chunks.length).toBeGreaterThan(256); // more than one worker batch
    expect(one.embedded).toBe(expected.chunks.length); // every chunk went through the worker
    expect(two.embedded).toBe(expected.chunks.length);
    expect(inWorker.reply).toEqual({ documents: documents.length, chunks: expected.chunks.length, duplicatesDropped: expected.duplicatesDropped });
    expect(onMain.reply).toEqual(inWorker.reply);
    expect(inWorker.chunks).toBe(onMain.chunks);
    expect(Object.keys(inWorker.data).sort()).toEqual(expected.chunks.map(chunkNodeId).sort());
    expect(inWorker.data).toEqual(onMain.data);
    expect(inWorker.metadata).toEqual(onMain.metadata);
    expect(inWorker.searches.every((s) => !s.degraded && s.results.length === 10)).toBe(true);
    expect(inWorker.searches).toEqual(onMain.searches);
    expect(twoThreads).toEqual(inWorker);

    // Persisted as the document store reads it: a restarted service re-indexes the same chunks.
    app = createKnowledgeBaseServer({ redisUrl: server().url, documentsDir }).app;
    expect((await app.inject({ method: 'POST', url: '/documents', headers: json, payload: { documents } })).statusCode).toBe(200);
    await app.close();
    app = createKnowledgeBaseServer({ redisUrl: server().url, documentsDir }).app;
    const restarted: SearchResponse[] = [];
    for (const q of queries) restarted.push((await app.inject({ method: 'GET', url: `/search?q=${encodeURIComponent(q)}&k=10` })).json<SearchResponse>());
    expect(restarted).toEqual(inWorker.searches);
  }, 60_000);
});
