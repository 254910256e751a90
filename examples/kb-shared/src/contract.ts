/**
 * The HTTP contract both knowledge-base services serve. The behaviour suite checks it; the
 * services' route schemas (see `routeSchemas.ts`) enforce it on input.
 */

/** Flat metadata: what a Redis hash field and a LlamaIndex node can both hold. */
export type Metadata = Record<string, string | number | boolean>;

/** `POST /facts` body. */
export interface FactInput {
  text: string;
  metadata?: Metadata;
}

/** `POST /facts` reply (201). */
export interface FactCreated {
  id: string;
}

/** `GET /facts/:id` reply. */
export interface StoredFact {
  id: string;
  text: string;
  metadata: Metadata;
  /** ISO 8601. */
  createdAt: string;
}

/** One document given inline to `POST /documents`. */
export interface DocumentInput {
  id?: string;
  text: string;
  metadata?: Metadata;
}

/**
 * `POST /documents` body: inline documents, and/or names of files in the service's documents
 * directory (plain names, no path separators).
 */
export interface IndexDocumentsRequest {
  documents?: DocumentInput[];
  files?: string[];
}

/** `POST /documents` reply, sent once the documents are searchable. */
export interface IndexDocumentsResult {
  documents: number;
  /** Chunks added to the index. */
  chunks: number;
  /** Near-duplicate chunks that were not indexed again. */
  duplicatesDropped: number;
}

export interface SearchHit {
  /** What the hit came from: a stored fact or an indexed document. */
  source: 'fact' | 'document';
  /** The fact id or the document id. */
  sourceId: string;
  text: string;
  score: number;
  metadata: Metadata;
}

/** `GET /search?q=&k=` reply. */
export interface SearchResponse {
  query: string;
  results: SearchHit[];
  /** True when the answer is a fallback (e.g. the index timed out); `reason` says why. */
  degraded: boolean;
  reason?: string;
}

export type IndexState = 'empty' | 'building' | 'ready' | 'failed';

/** `GET /health` reply. */
export interface HealthResponse {
  status: 'ok' | 'degraded';
  redis: { status: 'up' | 'down' | 'unknown'; detail?: string };
  index: {
    state: IndexState;
    documents: number;
    chunks: number;
    /** Indexing jobs running and waiting, and how many may wait (services with a bounded queue). */
    jobs?: { running: number; queued: number; capacity: number };
  };
  /** Event-loop blocks seen by the service's monitor (services that run one). */
  eventLoop?: EventLoopHealth;
}

/** The `/health` view of an event-loop monitor: how many blocks, and the latest few. */
export interface EventLoopHealth {
  thresholdMs: number;
  /** Blocks since the service started. */
  blocks: number;
  /** The latest blocks, newest first: when, how long, and the blocking frame (`fn (file:line:col)`) when a stack was captured. */
  recent: Array<{ at: string; durationMs: number; frame?: string }>;
}

/** Redis key of a fact's hash. */
export const factKey = (id: string): string => `kb:fact:${id}`;

/** Pattern matching every fact key (for SCAN). */
export const FACT_KEY_PATTERN = 'kb:fact:*';

/** Largest `k` a search may ask for. */
export const MAX_SEARCH_K = 50;
export const DEFAULT_SEARCH_K = 5;
