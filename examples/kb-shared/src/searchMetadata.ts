import type { Metadata, SearchHit, StoredFact } from './contract.js';
import type { ProcessedChunk } from './processDocuments.js';

/**
 * How both services tag what they put in the vector index, and read it back into a
 * {@link SearchHit}. The two bookkeeping keys are kept out of embeddings and out of the
 * metadata a hit reports.
 */
export const SOURCE_KEY = 'kb_source';
export const SOURCE_ID_KEY = 'kb_source_id';

export function chunkNodeId(chunk: ProcessedChunk): string {
  return `doc:${chunk.documentId}#${chunk.position}`;
}

export function factNodeId(id: string): string {
  return `fact:${id}`;
}

export function chunkMetadata(chunk: ProcessedChunk): Metadata {
  return { ...chunk.metadata, [SOURCE_KEY]: 'document', [SOURCE_ID_KEY]: chunk.documentId };
}

export function factMetadata(fact: StoredFact): Metadata {
  return { ...fact.metadata, [SOURCE_KEY]: 'fact', [SOURCE_ID_KEY]: fact.id };
}

/** A retrieved node's text, score and metadata as a search hit. */
export function toSearchHit(text: string, score: number | undefined, metadata: Record<string, unknown>): SearchHit {
  const { [SOURCE_KEY]: source, [SOURCE_ID_KEY]: sourceId, ...rest } = metadata;
  const clean: Metadata = {};
  for (const [key, value] of Object.entries(rest)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') clean[key] = value;
  }
  return {
    source: source === 'fact' ? 'fact' : 'document',
    sourceId: typeof sourceId === 'string' ? sourceId : '',
    text,
    score: score ?? 0,
    metadata: clean,
  };
}

/** A fact as Redis hash fields, and back. */
export function factToHash(fact: StoredFact): Record<string, string> {
  return { id: fact.id, text: fact.text, metadata: JSON.stringify(fact.metadata), createdAt: fact.createdAt };
}

export function factFromHash(hash: Record<string, string>): StoredFact | undefined {
  const { id, text, metadata, createdAt } = hash;
  if (id === undefined || text === undefined || createdAt === undefined) return undefined;
  let parsed: unknown = {};
  try {
    parsed = JSON.parse(metadata ?? '{}');
  } catch {
    parsed = {};
  }
  return { id, text, createdAt, metadata: parsed !== null && typeof parsed === 'object' ? (parsed as Metadata) : {} };
}
