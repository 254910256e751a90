import Fastify, { type FastifyInstance } from 'fastify';
import {
  ajvOptions,
  DEFAULT_SEARCH_K,
  getFactSchema,
  postDocumentsSchema,
  postFactSchema,
  searchSchema,
  type FactInput,
  type IndexDocumentsRequest,
  type SearchResponse,
} from '@asyncguard-examples/kb-shared';
import { KnowledgeBase, type KnowledgeBaseOptions } from './KnowledgeBase.js';

export type LegacyServerOptions = KnowledgeBaseOptions;

/** The legacy service's HTTP routes over one eagerly built {@link KnowledgeBase}. */
export function buildLegacyServer(options: LegacyServerOptions): FastifyInstance {
  const kb = new KnowledgeBase(options);
  const app = Fastify({ logger: false, ajv: ajvOptions });
  app.addHook('onClose', async () => {
    await kb.close();
  });

  app.post<{ Body: FactInput }>('/facts', { schema: postFactSchema }, async (request, reply) => {
    const id = await kb.storeFact(request.body);
    return reply.code(201).send({ id });
  });

  app.get<{ Params: { id: string } }>('/facts/:id', { schema: getFactSchema }, async (request, reply) => {
    const fact = await kb.getFact(request.params.id);
    if (fact === undefined) return reply.code(404).send({ error: 'Not Found', message: `no fact with id ${request.params.id}` });
    return fact;
  });

  app.post<{ Body: IndexDocumentsRequest }>('/documents', { schema: postDocumentsSchema }, async (request) => {
    return kb.indexDocuments(request.body);
  });

  app.get<{ Querystring: { q: string; k?: number } }>('/search', { schema: searchSchema }, async (request): Promise<SearchResponse> => {
    const results = await kb.search(request.query.q, request.query.k ?? DEFAULT_SEARCH_K);
    return { query: request.query.q, results, degraded: false };
  });

  app.get('/health', async () => kb.health());

  return app;
}
