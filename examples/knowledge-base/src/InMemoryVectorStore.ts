import {
  BaseVectorStore,
  VectorStoreQueryMode,
  type BaseEmbedding,
  type BaseNode,
  type VectorStoreQuery,
  type VectorStoreQueryResult,
} from 'llamaindex';
import { writeUnit } from './nodes.js';

/**
 * A LlamaIndex vector store that keeps nodes and their unit-length vectors in memory, in one
 * growing `Float32Array`, and answers a query with a single pass and a k-sized min-heap.
 *
 * Why not `SimpleVectorStore`: it stores no text, so every `insertNodes` also writes the node
 * to the document store and re-serialises the whole index structure, which makes each insert
 * cost O(index size) on the main thread; and each query builds and sorts a similarity list of
 * every node. Storing text here (`storesText`) keeps both out of the hot path.
 *
 * Scores are cosine similarities, as with LlamaIndex's default store. Metadata filters and
 * other query modes are rejected with an error that says so.
 */
export class InMemoryVectorStore extends BaseVectorStore<InMemoryVectorStore> {
  storesText = true;
  private dimensions = 0;
  private vectors = new Float32Array(0);
  private readonly nodes: BaseNode[] = [];
  private readonly slots = new Map<string, number>();

  constructor(embedModel: BaseEmbedding) {
    super({ embedModel });
  }

  client(): InMemoryVectorStore {
    return this;
  }

  get size(): number {
    return this.nodes.length;
  }

  async add(nodes: BaseNode[]): Promise<string[]> {
    for (const node of nodes) {
      const embedding = node.getEmbedding();
      const slot = this.slotFor(node, embedding.length); // may grow (replace) this.vectors
      writeUnit(this.vectors, slot * this.dimensions, embedding);
    }
    return nodes.map((n) => n.id_);
  }

  /**
   * Adds nodes whose unit vectors were computed elsewhere (the indexing worker): `vectors` holds
   * them back to back, `dimensions` numbers each, in the order of `nodes`.
   */
  addUnitVectors(nodes: readonly BaseNode[], vectors: Float32Array, dimensions: number): void {
    if (vectors.length !== nodes.length * dimensions) {
      throw new RangeError(`InMemoryVectorStore: ${nodes.length} nodes of ${dimensions} dimensions need ${nodes.length * dimensions} numbers, got ${vectors.length}`);
    }
    nodes.forEach((node, i) => {
      const slot = this.slotFor(node, dimensions);
      this.vectors.set(vectors.subarray(i * dimensions, (i + 1) * dimensions), slot * this.dimensions);
    });
  }

  /** The slot of `node` (a new one, or the one of the node it replaces), with room for its vector. */
  private slotFor(node: BaseNode, dimensions: number): number {
    if (this.dimensions === 0) this.dimensions = dimensions;
    if (dimensions !== this.dimensions) {
      throw new RangeError(`InMemoryVectorStore: node ${node.id_} has a ${dimensions}-dimensional embedding, the store holds ${this.dimensions}`);
    }
    let slot = this.slots.get(node.id_);
    if (slot === undefined) {
      slot = this.nodes.length;
      this.slots.set(node.id_, slot);
      this.nodes.push(node);
      this.ensureCapacity(slot + 1);
    } else {
      this.nodes[slot] = node;
    }
    return slot;
  }

  /** Removes every node whose source document is `refDocId`. */
  async delete(refDocId: string): Promise<void> {
    for (let slot = this.nodes.length - 1; slot >= 0; slot--) {
      const node = this.nodes[slot] as BaseNode;
      if (node.sourceNode?.nodeId === refDocId || node.id_ === refDocId) this.removeSlot(slot);
    }
  }

  async query(query: VectorStoreQuery): Promise<VectorStoreQueryResult> {
    if (query.mode !== VectorStoreQueryMode.DEFAULT) throw new Error(`InMemoryVectorStore: query mode ${query.mode} is not supported (only default)`);
    if (query.filters !== undefined && query.filters.filters.length > 0) throw new Error('InMemoryVectorStore: metadata filters are not supported');
    const q = query.queryEmbedding;
    if (q === undefined) throw new TypeError('InMemoryVectorStore: the query has no embedding');
    const k = Math.min(query.similarityTopK, this.nodes.length);
    if (k <= 0) return { nodes: [], similarities: [], ids: [] };
    if (q.length !== this.dimensions) throw new RangeError(`InMemoryVectorStore: the query embedding has ${q.length} dimensions, the store holds ${this.dimensions}`);
    const unit = new Float32Array(this.dimensions);
    writeUnit(unit, 0, q);

    // Min-heap of the best k (score, slot) seen so far: the root is the weakest of them.
    const heapScore = new Float64Array(k);
    const heapSlot = new Int32Array(k);
    let heapSize = 0;
    const d = this.dimensions;
    const vectors = this.vectors;
    for (let slot = 0; slot < this.nodes.length; slot++) {
      let dot = 0;
      const base = slot * d;
      for (let i = 0; i < d; i++) dot += (vectors[base + i] as number) * (unit[i] as number);
      if (heapSize < k) {
        heapScore[heapSize] = dot;
        heapSlot[heapSize] = slot;
        siftUp(heapScore, heapSlot, heapSize++);
      } else if (dot > (heapScore[0] as number)) {
        heapScore[0] = dot;
        heapSlot[0] = slot;
        siftDown(heapScore, heapSlot, heapSize);
      }
    }
    const order = Array.from({ length: heapSize }, (_, i) => i).sort((a, b) => (heapScore[b] as number) - (heapScore[a] as number));
    const nodes = order.map((i) => this.nodes[heapSlot[i] as number] as BaseNode);
    return { nodes, similarities: order.map((i) => heapScore[i] as number), ids: nodes.map((n) => n.id_) };
  }

  private ensureCapacity(count: number): void {
    const needed = count * this.dimensions;
    if (needed <= this.vectors.length) return;
    const grown = new Float32Array(Math.max(needed, this.vectors.length * 2, 64 * this.dimensions));
    grown.set(this.vectors);
    this.vectors = grown;
  }

  private removeSlot(slot: number): void {
    const last = this.nodes.length - 1;
    const removed = this.nodes[slot] as BaseNode;
    this.slots.delete(removed.id_);
    if (slot !== last) {
      const moved = this.nodes[last] as BaseNode;
      this.nodes[slot] = moved;
      this.slots.set(moved.id_, slot);
      this.vectors.copyWithin(slot * this.dimensions, last * this.dimensions, (last + 1) * this.dimensions);
    }
    this.nodes.pop();
  }
}

function siftUp(score: Float64Array, slot: Int32Array, i: number): void {
  let child = i;
  while (child > 0) {
    const parent = (child - 1) >> 1;
    if ((score[parent] as number) <= (score[child] as number)) break;
    swap(score, slot, parent, child);
    child = parent;
  }
}

function siftDown(score: Float64Array, slot: Int32Array, size: number): void {
  let parent = 0;
  for (;;) {
    const left = 2 * parent + 1;
    const right = left + 1;
    let smallest = parent;
    if (left < size && (score[left] as number) < (score[smallest] as number)) smallest = left;
    if (right < size && (score[right] as number) < (score[smallest] as number)) smallest = right;
    if (smallest === parent) return;
    swap(score, slot, parent, smallest);
    parent = smallest;
  }
}

function swap(score: Float64Array, slot: Int32Array, a: number, b: number): void {
  const s = score[a] as number;
  score[a] = score[b] as number;
  score[b] = s;
  const t = slot[a] as number;
  slot[a] = slot[b] as number;
  slot[b] = t;
}
