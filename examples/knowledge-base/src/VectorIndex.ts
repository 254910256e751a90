import { setImmediate as nextTurn } from 'node:timers/promises';
import { Settings, storageContextFromDefaults, TextNode, VectorStoreIndex, type BaseEmbedding } from 'llamaindex';
import { withTimeout } from '@asyncguard/runtime';
import { toSearchHit, type Metadata, type SearchHit } from '@asyncguard-examples/kb-shared';
import { InMemoryVectorStore } from './InMemoryVectorStore.js';

/** Nodes embedded and inserted per event-loop turn: small enough that requests interleave. */
const SLICE = 8;

export function textNode(id: string, text: string, metadata: Metadata): TextNode {
  const keys = Object.keys(metadata);
  // Metadata stays out of the embedded text: the vector is about the words only.
  return new TextNode({ id_: id, text, metadata, excludedEmbedMetadataKeys: keys, excludedLlmMetadataKeys: keys });
}

/**
 * The LlamaIndex vector index with the service's embedding model. Inserts run in small slices
 * with a turn of the event loop between them, so a large job never holds the loop for long
 * (an embedding that resolves in microtasks would otherwise run the whole batch in one turn).
 * Budgets are the caller's: every method takes the signal of the budget it runs under.
 */
export class VectorIndex {
  private nodes = 0;

  private constructor(
    private readonly index: VectorStoreIndex,
    private readonly embedModel: BaseEmbedding,
  ) {}

  /** An empty index; `budgetMs` bounds LlamaIndex's set-up (the `llamaindex` budget). */
  static async create(embedModel: BaseEmbedding, budgetMs: number): Promise<VectorIndex> {
    const storageContext = await storageContextFromDefaults({ vectorStore: new InMemoryVectorStore(embedModel) });
    const index = await withTimeout(() => Settings.withEmbedModel(embedModel, () => VectorStoreIndex.init({ nodes: [], storageContext })), budgetMs, {
      operation: 'index.init',
    });
    return new VectorIndex(index, embedModel);
  }

  /** Nodes inserted so far (re-inserting an id counts again). */
  get size(): number {
    return this.nodes;
  }

  /**
   * Embeds and inserts `items`, made into nodes by `toNode` one slice at a time (building a
   * node hashes its text, so thousands at once would hold the loop too).
   */
  async insert<T>(items: readonly T[], toNode: (item: T) => TextNode, signal?: AbortSignal): Promise<void> {
    for (let start = 0; start < items.length; start += SLICE) {
      signal?.throwIfAborted();
      const slice = items.slice(start, start + SLICE).map(toNode);
      await Settings.withEmbedModel(this.embedModel, () => this.index.insertNodes(slice));
      this.nodes += slice.length;
      if (start + SLICE < items.length) await nextTurn();
    }
  }

  /** The `k` nodes most similar to `query`, best first. */
  async retrieve(query: string, k: number): Promise<SearchHit[]> {
    const retriever = this.index.asRetriever({ similarityTopK: k });
    const found = await Settings.withEmbedModel(this.embedModel, () => retriever.retrieve({ query }));
    return found.map(({ node, score }) => toSearchHit(node instanceof TextNode ? node.text : '', score, node.metadata));
  }
}
