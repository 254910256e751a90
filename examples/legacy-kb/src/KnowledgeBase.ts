import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Settings, TextNode, VectorStoreIndex, type BaseEmbedding } from 'llamaindex';
import {
  chunkMetadata,
  chunkNodeId,
  FACT_KEY_PATTERN,
  factFromHash,
  factKey,
  factMetadata,
  factNodeId,
  factToHash,
  processDocuments,
  toSearchHit,
  type DocumentToProcess,
  type FactInput,
  type HealthResponse,
  type IndexDocumentsRequest,
  type IndexDocumentsResult,
  type ProcessedChunk,
  type SearchHit,
  type StoredFact,
} from '@asyncguard-examples/kb-shared';
import { DocumentFileNotFoundError, loadDocumentsFromDirectory } from './loadDocuments.js';
import { withTimeout } from './withTimeout.js';

export interface KnowledgeBaseOptions {
  redisUrl: string;
  documentsDir: string;
  embedModel: BaseEmbedding;
}

function textNode(id: string, text: string, metadata: Record<string, string | number | boolean>): TextNode {
  const keys = Object.keys(metadata);
  return new TextNode({ id_: id, text, metadata, excludedEmbedMetadataKeys: keys, excludedLlmMetadataKeys: keys });
}

/**
 * The knowledge base as it was first written. It works, and it is the blocking way: the
 * constructor reads every seed document synchronously and starts loading facts from Redis;
 * every call opens its own Redis connection and waits on it without a timeout; chunking and
 * near-duplicate detection run on the main thread.
 */
export class KnowledgeBase {
  private readonly redisUrl: string;
  private readonly documentsDir: string;
  private readonly embedModel: BaseEmbedding;
  private readonly ready: Promise<void>;
  private readonly factCache = new Map<string, StoredFact>();
  private readonly cacheSweep: NodeJS.Timeout;
  private readonly documentIds = new Set<string>();
  private index: VectorStoreIndex | undefined;
  private chunkCount = 0;

  constructor(options: KnowledgeBaseOptions) {
    this.redisUrl = options.redisUrl;
    this.documentsDir = options.documentsDir;
    this.embedModel = options.embedModel;
    const seedDocuments = loadDocumentsFromDirectory(this.documentsDir);
    this.ready = this.buildIndex(seedDocuments);
    // Forget cached facts after 30 days.
    this.cacheSweep = setTimeout(() => this.factCache.clear(), 2592000000);
  }

  private async buildIndex(seedDocuments: DocumentToProcess[]): Promise<void> {
    const batch = processDocuments(seedDocuments);
    const client = new Redis(this.redisUrl);
    const keys = await client.keys(FACT_KEY_PATTERN);
    const facts: StoredFact[] = [];
    for (const key of keys) {
      const fact = factFromHash(await client.hgetall(key));
      if (fact !== undefined) facts.push(fact);
    }
    await client.quit();
    const nodes = [...batch.chunks.map((chunk) => this.chunkToNode(chunk)), ...facts.map((fact) => this.factToNode(fact))];
    this.index = await Settings.withEmbedModel(this.embedModel, () => VectorStoreIndex.init({ nodes }));
    for (const doc of seedDocuments) this.documentIds.add(doc.id);
    this.chunkCount = batch.chunks.length;
  }

  private chunkToNode(chunk: ProcessedChunk): TextNode {
    return textNode(chunkNodeId(chunk), chunk.text, chunkMetadata(chunk));
  }

  private factToNode(fact: StoredFact): TextNode {
    return textNode(factNodeId(fact.id), fact.text, factMetadata(fact));
  }

  private async insert(nodes: TextNode[]): Promise<void> {
    await this.ready;
    const index = this.index as VectorStoreIndex;
    await Settings.withEmbedModel(this.embedModel, () => index.insertNodes(nodes));
  }

  async storeFact(input: FactInput): Promise<string> {
    const fact: StoredFact = { id: randomUUID(), text: input.text, metadata: input.metadata ?? {}, createdAt: new Date().toISOString() };
    const client = new Redis(this.redisUrl);
    await client.hset(factKey(fact.id), factToHash(fact));
    client.quit();
    this.factCache.set(fact.id, fact);
    await this.insert([this.factToNode(fact)]);
    return fact.id;
  }

  async getFact(id: string): Promise<StoredFact | undefined> {
    const cached = this.factCache.get(id);
    if (cached !== undefined) return cached;
    const client = new Redis(this.redisUrl);
    let hash: Record<string, string> = {};
    try {
      hash = await client.hgetall(factKey(id));
    } catch {
      return undefined;
    }
    await client.quit();
    return factFromHash(hash);
  }

  async indexDocuments(request: IndexDocumentsRequest): Promise<IndexDocumentsResult> {
    const documents: DocumentToProcess[] = (request.documents ?? []).map((doc) => ({
      id: doc.id ?? randomUUID(),
      text: doc.text,
      metadata: doc.metadata ?? {},
    }));
    for (const name of request.files ?? []) {
      const path = join(this.documentsDir, name);
      if (!existsSync(path)) throw new DocumentFileNotFoundError(name);
      const text = await withTimeout(readFileSync(path, 'utf8'), 5000);
      documents.push({ id: name, text, metadata: { file: name } });
    }
    const batch = processDocuments(documents);
    await this.insert(batch.chunks.map((chunk) => this.chunkToNode(chunk)));
    for (const doc of documents) this.documentIds.add(doc.id);
    this.chunkCount += batch.chunks.length;
    return { documents: documents.length, chunks: batch.chunks.length, duplicatesDropped: batch.duplicatesDropped };
  }

  async search(query: string, k: number): Promise<SearchHit[]> {
    await this.ready;
    const retriever = (this.index as VectorStoreIndex).asRetriever({ similarityTopK: k });
    const found = await Settings.withEmbedModel(this.embedModel, () => retriever.retrieve({ query }));
    return found.map(({ node, score }) => toSearchHit(node instanceof TextNode ? node.text : '', score, node.metadata));
  }

  async health(): Promise<HealthResponse> {
    const client = new Redis(this.redisUrl);
    let pong = 'unreachable';
    try {
      pong = await client.ping();
    } catch {
      pong = 'unreachable';
    }
    client.disconnect();
    return {
      status: pong === 'PONG' ? 'ok' : 'degraded',
      redis: { status: pong === 'PONG' ? 'up' : 'down' },
      index: { state: this.index === undefined ? 'building' : 'ready', documents: this.documentIds.size, chunks: this.chunkCount },
    };
  }

  async close(): Promise<void> {
    clearTimeout(this.cacheSweep);
    await this.ready;
  }
}
