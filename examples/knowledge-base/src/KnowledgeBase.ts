import { randomUUID } from 'node:crypto';
import type { BaseEmbedding } from 'llamaindex';
import {
  chunkMetadata,
  chunkNodeId,
  SOURCE_ID_KEY,
  FACT_KEY_PATTERN,
  factFromHash,
  factKey,
  factMetadata,
  factNodeId,
  factToHash,
  type DocumentToProcess,
  type FactInput,
  type HealthResponse,
  type IndexDocumentsRequest,
  type IndexDocumentsResult,
  type IndexState,
  type Metadata,
  type ProcessedChunk,
  type SearchResponse,
  type StoredFact,
} from '@asyncguard-examples/kb-shared';
import { defineBudgets, fallback, lazy, silentLogger, withTimeout, type Budgets, type Lazy, type Logger, type RedisManager } from '@asyncguard/runtime';
import type { DocumentProcessor } from './DocumentProcessor.js';
import { readDocumentDirectory, readDocumentFiles } from './readDocumentFiles.js';
import { textNode, VectorIndex } from './VectorIndex.js';
import { KVDocumentStore, TextNode, type BaseNode } from 'llamaindex';
import { RedisKVStore } from '@asyncguard/runtime/llamaindex';

export interface KnowledgeBaseDeps {
  /** Creates the Redis manager on first use (the service's only way to Redis). */
  redis: () => RedisManager | Promise<RedisManager>;
  /** Whether `close()` closes the manager `redis` made. Default true. */
  ownsRedis?: boolean;
  /** Runs the CPU-heavy document processing off the main thread. */
  processor: DocumentProcessor;
  embedModel: BaseEmbedding;
  documentsDir: string;
  budgets?: Partial<Budgets>;
  logger?: Logger;
}

/**
 * The knowledge base, the asyncguard way. The constructor only stores its dependencies; the
 * Redis manager and the vector index are `lazy` and built by the first call that needs them
 * (concurrent first callers share one attempt, a failed attempt is retried by a later call).
 * Every Redis call goes through the manager under its budget; every LlamaIndex call runs under
 * the LlamaIndex, search or indexing budget; chunking runs in a worker thread; search degrades
 * to an empty, flagged answer instead of failing.
 */
export class KnowledgeBase {
  readonly budgets: Budgets;
  private readonly log: Logger;
  private readonly manager: Lazy<RedisManager>;
  /** The manager once `manager()` has created it, for synchronous health reads. */
  private currentManager: RedisManager | undefined;
  private readonly index: Lazy<VectorIndex>;
  /** Chunks of posted documents, kept in Redis (LlamaIndex's document store on RedisKVStore) so a restart re-indexes them. */
  private readonly docStore: Lazy<KVDocumentStore>;
  /** Facts stored while the index was not ready; inserted when it is. */
  private readonly pendingFacts: StoredFact[] = [];
  private readonly documentIds = new Set<string>();
  private chunkCount = 0;
  private jobs = 0;

  constructor(private readonly deps: KnowledgeBaseDeps) {
    this.budgets = defineBudgets(deps.budgets ?? {});
    this.log = deps.logger ?? silentLogger;
    this.manager = lazy(
      async () => {
        const manager = await deps.redis();
        this.currentManager = manager;
        return manager;
      },
      { name: 'redis manager', ...(deps.ownsRedis === false ? {} : { dispose: (m: RedisManager) => m.close() }) },
    );
    this.docStore = lazy(async () => new KVDocumentStore(new RedisKVStore(await this.manager(), { namespace: 'kb:docstore' })), { name: 'document store' });
    // The build's signal fires when the indexing budget runs out or the index is reset or
    // disposed: reading files, the worker (terminated) and the insert loop all stop on it.
    this.index = lazy(
      ({ signal }) => withTimeout(({ signal: deadline }) => this.buildIndex(deadline), this.budgets.indexing, { operation: 'index.build', signal }),
      { name: 'vector index' },
    );
  }

  /** Seed documents from the directory and every stored fact, into a new index. */
  private async buildIndex(signal: AbortSignal): Promise<VectorIndex> {
    this.jobs++;
    try {
      const [documents, facts, stored] = await Promise.all([
        readDocumentDirectory(this.deps.documentsDir, signal),
        this.loadFacts(),
        this.docStore().then((store) => store.docs()),
      ]);
      const batch = await this.deps.processor.process(documents, signal);
      const index = await VectorIndex.create({ embedModel: this.deps.embedModel, budgets: this.budgets, logger: this.log });
      await index.insert(batch.chunks, chunkToNode, signal);
      const storedChunks = Object.values(stored).filter((node): node is TextNode => node instanceof TextNode);
      await index.insert(storedChunks, (node) => textNode(node.id_, node.text, node.metadata as Metadata), signal);
      await index.insert(facts, factToNode, signal);
      for (const doc of documents) this.documentIds.add(doc.id);
      for (const node of storedChunks) {
        const source = node.metadata[SOURCE_ID_KEY];
        if (typeof source === 'string') this.documentIds.add(source);
      }
      this.chunkCount += batch.chunks.length + storedChunks.length;
      return index;
    } finally {
      this.jobs--;
    }
  }

  private async loadFacts(): Promise<StoredFact[]> {
    const manager = await this.manager();
    const facts: StoredFact[] = [];
    for await (const key of manager.scanIterator(FACT_KEY_PATTERN)) {
      const fact = factFromHash(await manager.redis.hgetall(key));
      if (fact !== undefined) facts.push(fact);
    }
    return facts;
  }

  /** The index, with any facts stored while it was being built added. */
  private async readyIndex(): Promise<VectorIndex> {
    const index = await this.index();
    if (this.pendingFacts.length > 0) {
      const facts = this.pendingFacts.splice(0);
      await withTimeout(({ signal }) => index.insert(facts, factToNode, signal), this.budgets.llamaindex, { operation: 'index.insert' });
    }
    return index;
  }

  /**
   * Stores a fact in Redis, then adds it to the index. Each call runs under its own budget,
   * clamped to the ambient deadline of the request it serves (set by the HTTP layer).
   */
  async storeFact(input: FactInput): Promise<string> {
    const fact: StoredFact = { id: randomUUID(), text: input.text, metadata: input.metadata ?? {}, createdAt: new Date().toISOString() };
    const manager = await this.manager();
    await manager.redis.hset(factKey(fact.id), factToHash(fact));
    // Redis is the record; the index follows. If it is not built yet, the fact waits for it.
    if (this.index.state === 'ready') {
      const index = await this.index();
      await withTimeout(({ signal }) => index.insert([fact], factToNode, signal), this.budgets.llamaindex, { operation: 'index.insert' });
    } else {
      this.pendingFacts.push(fact);
    }
    return fact.id;
  }

  async getFact(id: string): Promise<StoredFact | undefined> {
    const manager = await this.manager();
    return factFromHash(await manager.redis.hgetall(factKey(id)));
  }

  async indexDocuments(request: IndexDocumentsRequest): Promise<IndexDocumentsResult> {
    this.jobs++;
    try {
      return await withTimeout(
        async ({ signal }) => {
          const documents: DocumentToProcess[] = (request.documents ?? []).map((doc) => ({ id: doc.id ?? randomUUID(), text: doc.text, metadata: doc.metadata ?? {} }));
          documents.push(...(await readDocumentFiles(this.deps.documentsDir, request.files ?? [], signal)));
          const [batch, index, store] = await Promise.all([this.deps.processor.process(documents, signal), this.readyIndex(), this.docStore()]);
          // Searchable slice by slice, and persisted with it: the reply means both.
          // Searchable slice by slice, and persisted with it (one node per call, so the manager
          // pipelines a slice's writes); the reply means both are done. Each slice waits for its
          // writes: the awaited round trip is also the loop's turn to serve requests.
          await index.insert(batch.chunks, chunkToNode, signal, async (nodes: BaseNode[]) => {
            await Promise.all(nodes.map((node) => store.addDocuments([node], true)));
            this.chunkCount += nodes.length; // /health shows the progress of a running job
          });
          for (const doc of documents) this.documentIds.add(doc.id);
          return { documents: documents.length, chunks: batch.chunks.length, duplicatesDropped: batch.duplicatesDropped };
        },
        this.budgets.indexing,
        { operation: 'documents.index' },
      );
    } finally {
      this.jobs--;
    }
  }

  /** Top-`k` hits; an empty, `degraded` answer (with the reason logged) when the index fails or times out. */
  async search(query: string, k: number): Promise<SearchResponse> {
    return fallback<SearchResponse>(
      () =>
        withTimeout(
          async () => {
            const index = await this.readyIndex();
            return { query, results: await index.retrieve(query, k), degraded: false };
          },
          this.budgets.search,
          { operation: 'search' },
        ),
      (error) => ({ query, results: [], degraded: true, reason: reasonOf(error) }),
      { log: this.log, operation: 'search' },
    );
  }

  /** Answers from state already known: it never waits on Redis or the index. */
  health(): HealthResponse {
    const indexState = this.indexState();
    let redis: HealthResponse['redis'] = { status: 'unknown', detail: 'not connected yet' };
    if (this.currentManager !== undefined) {
      const h = this.currentManager.health();
      redis = { status: h.state === 'ready' || h.state === 'degraded' ? 'up' : h.state === 'down' ? 'down' : 'unknown', detail: `${h.state}: ${h.reason}` };
    }
    const status = redis.status === 'down' || indexState === 'failed' ? 'degraded' : 'ok';
    return { status, redis, index: { state: indexState, documents: this.documentIds.size, chunks: this.chunkCount } };
  }

  private indexState(): IndexState {
    if (this.jobs > 0) return 'building';
    switch (this.index.state) {
      case 'ready':
        return 'ready';
      case 'pending':
        return 'building';
      case 'failed':
        return 'failed';
      default:
        return 'empty';
    }
  }

  /** Starts building the index now instead of on first use (e.g. right after the server listens). */
  warmUp(): void {
    this.index().catch((error: unknown) => this.log.warn({ err: error, operation: 'index.build' }, `index warm-up failed: ${reasonOf(error)}`));
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.index.dispose(), this.deps.processor.close()]);
    await this.manager.dispose();
  }
}

function chunkToNode(chunk: ProcessedChunk): TextNode {
  return textNode(chunkNodeId(chunk), chunk.text, chunkMetadata(chunk));
}

function factToNode(fact: StoredFact): TextNode {
  return textNode(factNodeId(fact.id), fact.text, factMetadata(fact));
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
