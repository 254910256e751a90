import { TextNode } from 'llamaindex';
import { chunkMetadata, chunkNodeId, type Metadata, type ProcessedChunk } from '@asyncguard-examples/kb-shared';

/**
 * How the service makes LlamaIndex nodes and what it keeps of them in Redis. Shared by the main
 * thread and the indexing worker (`embedChunksTask`), so both make the same nodes and the same
 * document-store entries.
 */

export function textNode(id: string, text: string, metadata: Metadata): TextNode {
  const keys = Object.keys(metadata);
  // Metadata stays out of the embedded text: the vector is about the words only.
  return new TextNode({ id_: id, text, metadata, excludedEmbedMetadataKeys: keys, excludedLlmMetadataKeys: keys });
}

export function chunkToNode(chunk: ProcessedChunk): TextNode {
  return textNode(chunkNodeId(chunk), chunk.text, chunkMetadata(chunk));
}

/**
 * The Redis hashes of LlamaIndex's `KVDocumentStore` (namespace `docstore`) on the service's
 * `RedisKVStore` (namespace `kb:docstore`): one field per node in each.
 */
export const DOC_STORE_NAMESPACE = 'kb:docstore';
export const DOC_STORE_COLLECTIONS = 'docstore';
export const DOC_STORE_DATA_KEY = `${DOC_STORE_NAMESPACE}:${DOC_STORE_COLLECTIONS}/data`;
export const DOC_STORE_METADATA_KEY = `${DOC_STORE_NAMESPACE}:${DOC_STORE_COLLECTIONS}/metadata`;

/** One node's fields in the two document-store hashes, as `KVDocumentStore.addDocuments` writes them. */
export interface DocStoreEntry {
  id: string;
  /** Field value in {@link DOC_STORE_DATA_KEY}. */
  data: string;
  /** Field value in {@link DOC_STORE_METADATA_KEY}. */
  metadata: string;
}

/**
 * What `KVDocumentStore.addDocuments([node])` stores for a text node without a source document,
 * less the embedding: the store reads it back without one (and re-embeds on a restart), so the
 * vector would only cost Redis memory and bandwidth. LlamaIndex drops it the same way when it
 * puts nodes in a document store itself.
 */
export function docStoreEntry(node: TextNode): DocStoreEntry {
  const { embedding: _embedding, ...json } = node.toJSON() as Record<string, unknown>;
  return {
    id: node.id_,
    data: JSON.stringify({ __data__: JSON.stringify(json), __type__: node.type }),
    metadata: JSON.stringify({ docHash: node.hash }),
  };
}

/** Writes `v / |v|` at `offset` of `target` (a zero vector stays zero): the stored form of every vector. */
export function writeUnit(target: Float32Array, offset: number, v: ArrayLike<number>): void {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += (v[i] as number) * (v[i] as number);
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < v.length; i++) target[offset + i] = (v[i] as number) * scale;
}
