import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { BaseEmbedding } from 'llamaindex';
import { type ProcessOptions } from '@asyncguard-examples/kb-shared';
import { HashEmbedding } from '@asyncguard/testkit/llamaindex';
import { createRedisManager, defineBudgets, type Budgets, type Logger, type RedisManager, type RedisManagerOptions } from '@asyncguard/runtime';
import { buildServer } from './buildServer.js';
import { createDocumentProcessor } from './createDocumentProcessor.js';
import type { DocumentProcessor } from './DocumentProcessor.js';
import { KnowledgeBase } from './KnowledgeBase.js';

export interface KnowledgeBaseServerOptions {
  /** Redis to use (see `resolveRedis` for the embedded default). */
  redisUrl?: string;
  /** Seed documents (`*.txt`), indexed on first use; `POST /documents` `files` are read from here. */
  documentsDir: string;
  /** The embedding model. Default: the deterministic offline embedding (no network, no model). */
  embedModel?: BaseEmbedding;
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
  const given = options.redisManager;
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
    processor: options.processor ?? createDocumentProcessor({ processing: options.processing, timeoutMs: budgets.indexing }),
    embedModel: options.embedModel ?? new HashEmbedding(),
    documentsDir: options.documentsDir,
    budgets,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const eventLoop = options.eventLoop === false ? false : { thresholdMs: options.eventLoop?.thresholdMs ?? 100, ...(options.logger === undefined ? {} : { logger: options.logger }) };
  const app = buildServer(kb, { logger: options.httpLogger ?? false, eventLoop });
  if (options.warmUp === true) app.addHook('onReady', async () => kb.warmUp());
  return { app, kb };
}
