import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { BaseEmbedding } from 'llamaindex';
import { type ProcessOptions } from '@asyncguard-examples/kb-shared';
import { HashEmbedding } from '@asyncguard/testkit/llamaindex';
import { createRedisManager, defineBudgets, type Budgets, type Logger, type RedisManager, type RedisManagerOptions } from '@asyncguard/runtime';
import { buildServer } from './buildServer.js';
import { createDocumentProcessor, HASH_EMBEDDING_IN_WORKER } from './createDocumentProcessor.js';
import type { WorkerEmbedding } from './embedChunksTask.js';
import type { DocumentProcessor } from './DocumentProcessor.js';
import { KnowledgeBase } from './KnowledgeBase.js';

export interface KnowledgeBaseServerOptions {
  /** Redis to use (see `resolveRedis` for the embedded default). */
  redisUrl?: string;
  /** Seed documents (`*.txt`), indexed on first use; `POST /documents` `files` are read from here. */
  documentsDir: string;
  /** The embedding model. Default: the deterministic offline embedding (no network, no model). */
  embedModel?: BaseEmbedding;
  /**
   * How the indexing worker makes the same model as `embedModel`, so that documents are embedded
   * off the main thread; `false` embeds them on the main thread (time-sliced). Default: the
   * default model's recipe when `embedModel` is not given, otherwise `false` (a model object
   * cannot be sent to a thread).
   */
  workerEmbedding?: WorkerEmbedding | false;
  /** Worker threads that chunk and embed documents, at a lower OS priority. Default: one per core, at most 4. */
  indexingThreads?: number;
  /** OS nice value of those threads (Linux, 0–19). Default 5; 0 makes them the main thread's equals. */
  indexingNice?: number;
  /** Indexing jobs that may wait while one runs; beyond that `POST /documents` answers 429 with `Retry-After`. Default 8. */
  maxQueuedJobs?: number;
  /** Per-category budgets, ms; the rest keep `DEFAULT_BUDGETS`. */
  budgets?: Partial<Budgets>;
  /** Where degraded answers and Redis state changes are logged (pino-style). Default: nowhere. */
  logger?: Logger;
  /** Fastify's own request logger. Default off. */
  httpLogger?: FastifyServerOptions['logger'];
  /**
   * A manager to use instead of creating one (e.g. the app-wide `getRedisManager()`); the
   * service then leaves closing it to its owner. `redisUrl` and `redis` are ignored.
   */
  redisManager?: RedisManager;
  /** Further RedisManager settings (breaker, health interval, …). */
  redis?: Omit<RedisManagerOptions, 'url' | 'budgets' | 'name' | 'logger'>;
  processing?: ProcessOptions;
  /** Replaces the worker-thread document processor (tests). */
  processor?: DocumentProcessor;
  /** Start building the index as soon as the server is ready instead of on first use. */
  warmUp?: boolean;
  /**
   * Event-loop block monitoring (the runtime's `monitorEventLoop`): blocks longer than
   * `thresholdMs` (default 100) are logged and shown in `/health`. False turns it off.
   */
  eventLoop?: { thresholdMs?: number } | false;
}

export interface KnowledgeBaseServer {
  app: FastifyInstance;
  kb: KnowledgeBase;
}

let instances = 0;

/** Wires a {@link KnowledgeBase} (its Redis manager, worker pool and index) to its HTTP routes. */
export function createKnowledgeBaseServer(options: KnowledgeBaseServerOptions): KnowledgeBaseServer {
  const budgets = defineBudgets(options.budgets ?? {});
  const name = `knowledge-base-${++instances}`;
  if (options.redisManager === undefined && (options.redisUrl === undefined || options.redisUrl === '')) {
    throw new TypeError('createKnowledgeBaseServer: options.redisUrl (or options.redisManager) is required');
  }
  const threads = options.indexingThreads;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
    throw new RangeError(`createKnowledgeBaseServer: options.indexingThreads must be an integer >= 1, got ${String(threads)}`);
  }
  const queued = options.maxQueuedJobs;
  if (queued !== undefined && (!Number.isInteger(queued) || queued < 0)) {
    throw new RangeError(`createKnowledgeBaseServer: options.maxQueuedJobs must be an integer >= 0, got ${String(queued)}`);
  }
  const given = options.redisManager;
  const embedding = options.workerEmbedding ?? (options.embedModel === undefined ? HASH_EMBEDDING_IN_WORKER : false);
  const redis = (): RedisManager =>
    given ??
    createRedisManager({
      ...options.redis,
      name,
      url: options.redisUrl,
      budgets,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  const kb = new KnowledgeBase({
    redis,
    ownsRedis: given === undefined,
    processor: options.processor ?? createDocumentProcessor({ processing: options.processing, timeoutMs: budgets.indexing, threads: options.indexingThreads, nice: options.indexingNice, ...(embedding === false ? {} : { embedding }) }),
    embedModel: options.embedModel ?? new HashEmbedding(),
    ...(options.maxQueuedJobs === undefined ? {} : { maxQueuedJobs: options.maxQueuedJobs }),
    documentsDir: options.documentsDir,
    budgets,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const eventLoop = options.eventLoop === false ? false : { thresholdMs: options.eventLoop?.thresholdMs ?? 100, ...(options.logger === undefined ? {} : { logger: options.logger }) };
  const app = buildServer(kb, { logger: options.httpLogger ?? false, eventLoop });
  if (options.warmUp === true) app.addHook('onReady', async () => kb.warmUp());
  return { app, kb };
}
