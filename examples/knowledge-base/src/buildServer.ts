import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import {
  ajvOptions,
  DEFAULT_SEARCH_K,
  getFactSchema,
  postDocumentsSchema,
  postFactSchema,
  searchSchema,
  type FactInput,
  type IndexDocumentsRequest,
} from '@asyncguard-examples/kb-shared';
import { isBulkheadRejectedError, isCircuitOpenError, isRedisUnavailableError, isTimeoutError } from '@asyncguard/runtime';
import type { KnowledgeBase } from './KnowledgeBase.js';

export interface BuildServerOptions {
  /** Fastify's logger option (false in tests). */
  logger?: FastifyServerOptions['logger'];
}

/** Failures that mean "a dependency is slow or down right now": 503, try again later. */
function isUnavailable(error: unknown): boolean {
  return isTimeoutError(error) || isRedisUnavailableError(error) || isCircuitOpenError(error) || isBulkheadRejectedError(error);
}

/** When the request arrived, on the `performance.now()` clock (budgets bound the whole request). */
function arrivedAt(reply: FastifyReply): number {
  return performance.now() - reply.elapsedTime;
}

/** The HTTP routes over a {@link KnowledgeBase}; closing the app closes the knowledge base. */
export function buildServer(kb: KnowledgeBase, options: BuildServerOptions = {}): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, ajv: ajvOptions });
  app.addHook('onClose', async () => {
    await kb.close();
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation !== undefined) return reply.code(400).send({ error: 'Bad Request', message: error.message });
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: error.name, message: error.message });
    }
    if (isUnavailable(error)) {
      request.log.warn({ err: error }, 'dependency unavailable');
      return reply.code(503).header('retry-after', '1').send({ error: 'Service Unavailable', message: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: 'Internal Server Error', message: 'internal error' });
  });

  app.post<{ Body: FactInput }>('/facts', { schema: postFactSchema }, async (request, reply) => {
    const id = await kb.storeFact(request.body, arrivedAt(reply));
    return reply.code(201).send({ id });
  });

  app.get<{ Params: { id: string } }>('/facts/:id', { schema: getFactSchema }, async (request, reply) => {
    const fact = await kb.getFact(request.params.id, arrivedAt(reply));
    if (fact === undefined) return reply.code(404).send({ error: 'Not Found', message: `no fact with id ${request.params.id}` });
    return fact;
  });

  app.post<{ Body: IndexDocumentsRequest }>('/documents', { schema: postDocumentsSchema }, async (request) => kb.indexDocuments(request.body));

  app.get<{ Querystring: { q: string; k?: number } }>('/search', { schema: searchSchema }, async (request) =>
    kb.search(request.query.q, request.query.k ?? DEFAULT_SEARCH_K),
  );

  app.get('/health', async () => kb.health());

  return app;
}
