import { AjvCompiler } from '@fastify/ajv-compiler';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import {
  ajvOptions,
  DEFAULT_SEARCH_K,
  getFactSchema,
  postDocumentsSchema,
  postFactSchema,
  searchSchema,
  type EventLoopHealth,
  type FactInput,
  type IndexDocumentsRequest,
} from '@asyncguard-examples/kb-shared';
import { blockingFrame, formatBlockFrame, monitorEventLoop, type EventLoopMonitor, type EventLoopMonitorOptions } from '@asyncguard/runtime';
import { asyncguardDeadlines, errorReply } from '@asyncguard/runtime/fastify';
import { IndexingQueueFullError } from './IndexingQueue.js';
import type { KnowledgeBase } from './KnowledgeBase.js';

export interface BuildServerOptions {
  /** Fastify's logger option (false in tests). */
  logger?: FastifyServerOptions['logger'];
  /** The event-loop monitor, started when the app is ready and stopped when it closes; false: none. */
  eventLoop?: EventLoopMonitorOptions | false;
}

/** Event-loop blocks shown in `/health`. */
const HEALTH_BLOCKS = 5;

function eventLoopHealth(monitor: EventLoopMonitor): EventLoopHealth {
  const recent = monitor.recent.slice(-HEALTH_BLOCKS).reverse();
  return {
    thresholdMs: monitor.thresholdMs,
    blocks: monitor.blockCount,
    recent: recent.map((block) => {
      const frame = blockingFrame(block);
      return { at: new Date(block.startedAt).toISOString(), durationMs: Math.round(block.durationMs), ...(frame === undefined ? {} : { frame: formatBlockFrame(frame) }) };
    }),
  };
}

/**
 * One validator pool for every app this process builds. Fastify otherwise gives each instance a
 * new Ajv that compiles every route schema again: tens to hundreds of milliseconds of synchronous
 * work per app (more on a loaded machine), paid by whatever else the event loop was serving. The
 * schemas are module constants, so Ajv's cache serves later apps at once.
 */
const sharedValidators = AjvCompiler();

/**
 * The HTTP routes over a {@link KnowledgeBase}; closing the app closes the knowledge base.
 *
 * Every route but `/health` runs under a deadline (`@asyncguard/runtime/fastify`), counted from
 * the request's arrival: the Redis calls, timeouts and worker tasks inside it get what is left
 * of it, with no budget passed by hand.
 */
export function buildServer(kb: KnowledgeBase, options: BuildServerOptions = {}): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, ajv: ajvOptions, schemaController: { compilersFactory: { buildValidator: sharedValidators } } });
  app.addHook('onClose', async () => {
    await kb.close();
  });
  let monitor: EventLoopMonitor | undefined;
  const monitorOptions = options.eventLoop;
  if (monitorOptions !== undefined && monitorOptions !== false) {
    app.addHook('onReady', async () => {
      monitor = await monitorEventLoop(monitorOptions);
    });
    app.addHook('onClose', async () => {
      await monitor?.stop();
    });
  }
  // The error handler below maps the asyncguard errors itself (errorReply).
  void app.register(asyncguardDeadlines, { errorHandler: false });
  const budgets = kb.budgets;

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation !== undefined) return reply.code(400).send({ error: 'Bad Request', message: error.message });
    if (error instanceof IndexingQueueFullError) {
      // Back-pressure: the indexing queue is full; say when a place is likely free.
      return reply.code(429).header('retry-after', String(error.retryAfterSeconds)).send({ error: error.name, message: error.message });
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: error.name, message: error.message });
    }
    // "A dependency is slow or down right now": 503, try again later — a timeout included (this
    // service's clients retry any 503 alike, so a timeout is not set apart as a 504).
    const mapped = errorReply(error, { timeoutStatusCode: 503 });
    if (mapped !== undefined) {
      request.log.warn({ err: error }, 'dependency unavailable');
      return reply.code(mapped.statusCode).headers(mapped.headers).send(mapped.body);
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: 'Internal Server Error', message: 'internal error' });
  });

  // Routes go in a plugin registered after the deadline plugin, so its onRoute hook sees them.
  void app.register(async (routes) => {
    // A write is one Redis call, then (when the index is built) one index insert.
    routes.post<{ Body: FactInput }>('/facts', { schema: postFactSchema, config: { deadlineMs: budgets.redis + budgets.llamaindex } }, async (request, reply) => {
      const id = await kb.storeFact(request.body);
      return reply.code(201).send({ id });
    });

    routes.get<{ Params: { id: string } }>('/facts/:id', { schema: getFactSchema, config: { deadlineMs: budgets.redis } }, async (request, reply) => {
      const fact = await kb.getFact(request.params.id);
      if (fact === undefined) return reply.code(404).send({ error: 'Not Found', message: `no fact with id ${request.params.id}` });
      return fact;
    });

    routes.post<{ Body: IndexDocumentsRequest }>('/documents', { schema: postDocumentsSchema, config: { deadlineMs: budgets.indexing } }, async (request) =>
      kb.indexDocuments(request.body),
    );

    routes.get<{ Querystring: { q: string; k?: number } }>('/search', { schema: searchSchema, config: { deadlineMs: budgets.search } }, async (request) =>
      kb.search(request.query.q, request.query.k ?? DEFAULT_SEARCH_K),
    );

    // Answers from state already known; never waits on a dependency.
    routes.get('/health', { config: { deadlineMs: false } }, async () => ({
      ...kb.health(),
      ...(monitor === undefined ? {} : { eventLoop: eventLoopHealth(monitor) }),
    }));
  });

  return app;
}
