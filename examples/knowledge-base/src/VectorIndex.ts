import { setImmediate as nextTurn } from 'node:timers/promises';
import { Settings, storageContextFromDefaults, TextNode, type BaseEmbedding, type VectorStoreIndex } from 'llamaindex';
import type { Budgets, Logger } from '@asyncguard/runtime';
import { fromDocumentsWithBudget, withBudgets } from '@asyncguard/runtime/llamaindex';
import { toSearchHit, type SearchHit } from '@asyncguard-examples/kb-shared';
import { InMemoryVectorStore } from './InMemoryVectorStore.js';

/** Nodes embedded and inserted per step. */
const SLICE = 8;
/** Steps run back to back until this much time has passed; then the loop gets a turn. */
const TURN_MS = 4;

export { textNode } from './nodes.js';

export interface VectorIndexOptions {
  embedModel: BaseEmbedding;
  budgets: Budgets;
  logger?: Logger;
}

/**
 * The LlamaIndex vector index with the service's embedding model, built and searched through
 * asyncguard's LlamaIndex adapters: `fromDocumentsWithBudget` for the set-up (the `indexing`
 * budget) and `withBudgets` on the retriever (the `search` budget). Inserts run in slices of 8
 * nodes and give the event loop a turn every 4 ms, so a large job never holds the loop for long
 * (an embedding that resolves in microtasks would otherwise run the whole batch in one turn).
 */
export class VectorIndex {
  private nodes = 0;

  private constructor(
    private readonly index: VectorStoreIndex,
    private readonly store: InMemoryVectorStore,
    private readonly options: VectorIndexOptions,
  ) {}

  static async create(options: VectorIndexOptions): Promise<VectorIndex> {
    const store = new InMemoryVectorStore(options.embedModel);
    const storageContext = await storageContextFromDefaults({ vectorStore: store });
    const index = await Settings.withEmbedModel(options.embedModel, () =>
      fromDocumentsWithBudget([], { storageContext }, { budgetMs: options.budgets.indexing, ...(options.logger === undefined ? {} : { logger: options.logger }) }),
    );
    return new VectorIndex(index, store, options);
  }

  /** Nodes inserted so far (re-inserting an id counts again). */
  get size(): number {
    return this.nodes;
  }

  /**
   * Embeds and inserts `items`, made into nodes by `toNode` one slice at a time (building a
   * node hashes its text, so thousands at once would hold the loop too). `afterSlice` sees each
   * slice's nodes once they are searchable (e.g. to persist them).
   */
  async insert<T>(items: readonly T[], toNode: (item: T) => TextNode, signal?: AbortSignal, afterSlice?: (nodes: TextNode[]) => Promise<void>): Promise<void> {
    let turnStarted = performance.now();
    for (let start = 0; start < items.length; start += SLICE) {
      signal?.throwIfAborted();
      const slice = items.slice(start, start + SLICE).map(toNode);
      // The whole insert is bounded by its callers (withTimeout, or the build job's signal checked
      // between slices); LlamaIndex's insertNodes takes no signal of its own.
      // eslint-disable-next-line @asyncguard/require-timeout -- bounded by the caller, see above
      await Settings.withEmbedModel(this.options.embedModel, () => this.index.insertNodes(slice));
      this.nodes += slice.length;
      if (afterSlice !== undefined) await afterSlice(slice);
      // Time-sliced: keep going while the turn is short, then let requests in.
      if (start + SLICE < items.length && performance.now() - turnStarted >= TURN_MS) {
        await nextTurn();
        turnStarted = performance.now();
      }
    }
  }

  /**
   * Adds nodes embedded elsewhere (the indexing worker): `unitVectors` holds their unit vectors
   * back to back, in order. Synchronous and cheap (a copy per node): no slicing needed.
   */
  addEmbedded(nodes: readonly TextNode[], unitVectors: Float32Array, dimensions: number): void {
    this.store.addUnitVectors(nodes, unitVectors, dimensions);
    this.nodes += nodes.length;
  }

  /** The `k` nodes most similar to `query`, best first, within the `search` budget. */
  async retrieve(query: string, k: number): Promise<SearchHit[]> {
    const retriever = withBudgets(this.index.asRetriever({ similarityTopK: k }), {
      budgets: this.options.budgets,
      name: 'index',
      ...(this.options.logger === undefined ? {} : { logger: this.options.logger }),
    });
    const found = await Settings.withEmbedModel(this.options.embedModel, () => retriever.retrieve({ query }));
    return found.map(({ node, score }) => toSearchHit(node instanceof TextNode ? node.text : '', score, node.metadata));
  }
}
