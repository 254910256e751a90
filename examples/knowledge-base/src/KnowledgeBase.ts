import { randomUUID } from 'node:crypto';
import type { BaseEmbedding } from 'llamaindex';
import {
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
import type { EmbeddedChunks } from './embedChunksTask.js';
import { IndexingQueue } from './IndexingQueue.js';
import { chunkToNode, DOC_STORE_COLLECTIONS, DOC_STORE_DATA_KEY, DOC_STORE_METADATA_KEY, DOC_STORE_NAMESPACE, docStoreEntry, textNode, type DocStoreEntry } from './nodes.js';
import { readDocumentDirectory, readDocumentFiles } from './readDocumentFiles.js';
import { VectorIndex } from './VectorIndex.js';
import { KVDocumentStore, TextNode } from 'llamaindex';
import { RedisKVStore } from '@asyncguard/runtime/llamaindex';

/** Chunks per worker embedding task, and per document-store pipeline. */
const EMBED_BATCH = 256;
/**
 * Jobs of fewer chunks are embedded on the main thread (time-sliced, a few ms of work): a worker
 * round trip, and a cold worker's start, would cost more than the work.
 */
const WORKER_MIN_CHUNKS = 64;
/** Embedding tasks queued ahead of the one being applied, so the worker never waits for the main thread. */
const EMBED_AHEAD = 3;

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
  /** Indexing jobs (`POST /documents`) that may wait while one runs; more are refused with a 429. Default 8. */
  maxQueuedJobs?: number;
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
  private readonly queue: IndexingQueue;
  /** Resolves true once the indexing worker has loaded its model (false if that failed); unset until asked for. */
  private workerWarming: Promise<boolean> | undefined;

  constructor(private readonly deps: KnowledgeBaseDeps) {
    this.budgets = defineBudgets(deps.budgets ?? {});
    this.log = deps.logger ?? silentLogger;
    const capacity = deps.maxQueuedJobs ?? 8;
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`KnowledgeBase: maxQueuedJobs must be an integer >= 0, got ${String(capacity)}`);
    this.queue = new IndexingQueue({ capacity });
    this.manager = lazy(
      async () => {
        const manager = await deps.redis();
        this.currentManager = manager;
        return manager;
      },
      { name: 'redis manager', ...(deps.ownsRedis === false ? {} : { dispose: (m: RedisManager) => m.close() }) },
    );
    this.docStore = lazy(async () => new KVDocumentStore(new RedisKVStore(await this.manager(), { namespace: DOC_STORE_NAMESPACE }), DOC_STORE_COLLECTIONS), { name: 'document store' });
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
      await this.insertChunks(index, batch.chunks, signal, false);
      const storedChunks = Object.values(stored).filter((node): node is TextNode => node instanceof TextNode);
      await index.insert(storedChunks, (node) => textNode(node.id_, node.text, node.metadata as Metadata), signal);
      await index.insert(facts, factToNode, signal);
      for (const doc of documents) this.documentIds.add(doc.id);
      for (const node of storedChunks) {
        const source = node.metadata[SOURCE_ID_KEY];
        if (typeof source === 'string') this.documentIds.add(source);
      }
      this.chunkCount += storedChunks.length; // the seed chunks were counted as they went in
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

  /**
   * Indexes the documents, once a place in the indexing queue is free (a full queue refuses the
   * job at once: `IndexingQueueFullError`, a 429). Chunking, embedding and serialisation run in
   * the worker; the main thread adds the vectors and writes each batch's chunks to the Redis
   * document store in one pipeline. The reply means the chunks are searchable and persisted.
   */
  async indexDocuments(request: IndexDocumentsRequest): Promise<IndexDocumentsResult> {
    this.jobs++;
    try {
      return await withTimeout(
        ({ signal }) =>
          this.queue.run(async () => {
            const documents: DocumentToProcess[] = (request.documents ?? []).map((doc) => ({ id: doc.id ?? randomUUID(), text: doc.text, metadata: doc.metadata ?? {} }));
            documents.push(...(await readDocumentFiles(this.deps.documentsDir, request.files ?? [], signal)));
            const [batch, index] = await Promise.all([this.deps.processor.process(documents, signal), this.readyIndex()]);
            await this.insertChunks(index, batch.chunks, signal, true);
            for (const doc of documents) this.documentIds.add(doc.id);
            return { documents: documents.length, chunks: batch.chunks.length, duplicatesDropped: batch.duplicatesDropped };
          }, signal),
        this.budgets.indexing,
        { operation: 'documents.index' },
      );
    } finally {
      this.jobs--;
    }
  }

  /**
   * Makes `chunks` searchable (and, with `persist`, stored in the Redis document store), counting
   * them in `/health` batch by batch. With a worker-side model and at least
   * {@link WORKER_MIN_CHUNKS} chunks the worker embeds batches of {@link EMBED_BATCH} while the
   * main thread applies the previous ones; otherwise the main thread embeds, time-sliced, and
   * persists each slice in one pipeline (also when nothing has loaded the worker's model yet; a
   * job that comes while `warmUp` is loading it waits for that instead).
   * Both make the same nodes, vectors and stored entries.
   */
  private async insertChunks(index: VectorIndex, chunks: readonly ProcessedChunk[], signal: AbortSignal, persist: boolean): Promise<void> {
    const processor = this.deps.processor;
    let embed = chunks.length < WORKER_MIN_CHUNKS ? undefined : processor.embed?.bind(processor);
    if (embed !== undefined && processor.embedReady?.() === false) {
      if (this.workerWarming === undefined) {
        // Nobody asked for the worker's model yet: this job embeds here, and loading starts now.
        embed = undefined;
        this.warmProcessor();
      } else if (!(await settledWithin(this.workerWarming, signal))) {
        embed = undefined; // loading failed (logged): embed here
      }
      // Otherwise loading was under way (`warmUp` at start): the job waited for it, not for the slow path.
    }
    if (embed === undefined) {
      await index.insert(chunks, chunkToNode, signal, async (nodes) => {
        if (persist) await this.persist(nodes.map(docStoreEntry));
        this.chunkCount += nodes.length;
      });
      return;
    }
    const batches: ProcessedChunk[][] = [];
    for (let start = 0; start < chunks.length; start += EMBED_BATCH) batches.push(chunks.slice(start, start + EMBED_BATCH));
    const requested: Promise<EmbeddedChunks>[] = [];
    const request = (i: number): void => {
      const batch = batches[i];
      if (batch === undefined) return;
      const task = embed(batch, signal);
      // A batch still queued when an earlier one fails is not awaited: its failure is not news.
      task.catch(() => undefined);
      requested[i] = task;
    };
    for (let i = 0; i <= EMBED_AHEAD; i++) request(i);
    for (const [i, batch] of batches.entries()) {
      const embedded = await (requested[i] as Promise<EmbeddedChunks>);
      delete requested[i];
      request(i + EMBED_AHEAD + 1);
      signal.throwIfAborted();
      const nodes = batch.map(chunkToNode);
      index.addEmbedded(nodes, embedded.vectors, embedded.dimensions);
      if (persist) await this.persist(nodes.map((node, n) => ({ id: node.id_, data: embedded.data[n] as string, metadata: embedded.metadata[n] as string })));
      this.chunkCount += nodes.length; // /health shows the progress of a running job
    }
  }

  /**
   * Writes nodes to the document store (the hashes `KVDocumentStore` reads) in one pipeline of
   * two multi-field HSETs, under the manager's `redis` budget.
   */
  private async persist(entries: readonly DocStoreEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const data: Record<string, string> = {};
    const metadata: Record<string, string> = {};
    for (const entry of entries) {
      data[entry.id] = entry.data;
      metadata[entry.id] = entry.metadata;
    }
    const manager = await this.manager();
    const replies = await manager.pipeline((p) => {
      p.hset(DOC_STORE_DATA_KEY, data);
      p.hset(DOC_STORE_METADATA_KEY, metadata);
    });
    const failed = replies.find(([error]) => error !== null)?.[0];
    if (failed) throw failed;
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
    return {
      status,
      redis,
      index: {
        state: indexState,
        documents: this.documentIds.size,
        chunks: this.chunkCount,
        jobs: { running: this.queue.running, queued: this.queue.queued, capacity: this.queue.capacity },
      },
    };
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
    this.warmProcessor();
  }

  /** The indexing worker loads its model once (a second or more): in the background, not in a job. */
  private warmProcessor(): void {
    const warming = this.deps.processor.warm?.();
    if (warming === undefined) return;
    this.workerWarming = warming.then(
      () => true,
      (error: unknown) => {
        this.log.warn({ err: error, operation: 'documents.embed' }, `indexing worker warm-up failed: ${reasonOf(error)}`);
        this.workerWarming = undefined; // the next large job tries again
        return false;
      },
    );
  }

  async close(): Promise<void> {
    this.queue.close();
    await Promise.allSettled([this.index.dispose(), this.deps.processor.close()]);
    await this.manager.dispose();
  }
}

function factToNode(fact: StoredFact): TextNode {
  return textNode(factNodeId(fact.id), fact.text, factMetadata(fact));
}

/** Whether `ready` resolved true; rejects with the signal's reason if it aborts first. */
function settledWithin(ready: Promise<boolean>, signal: AbortSignal): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void ready.then((ok) => {
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    });
  });
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
