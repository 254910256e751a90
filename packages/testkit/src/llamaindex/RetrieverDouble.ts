import { BaseRetriever, TextNode, type NodeWithScore } from 'llamaindex';
import { HashEmbedding } from './HashEmbedding.js';
import { applyLlamaFault, validateLlamaFault, type LlamaFault } from './LlamaFault.js';
import { assertKnownOptions } from '../assertKnownOptions.js';

type QueryBundle = Parameters<BaseRetriever['_retrieve']>[0];

export interface RetrieverDoubleOptions {
  /** The texts (or nodes) it can return; ranked per query by {@link HashEmbedding} similarity. */
  documents?: ReadonlyArray<string | TextNode>;
  /** Results per query. Default 2. */
  topK?: number;
  /** How it misbehaves (delay, hang, fail, fail N times then recover). Change it at any time through `fault`. */
  fault?: LlamaFault;
}

function queryText(query: QueryBundle): string {
  const value = (query as { query: unknown }).query;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((part) => (typeof part === 'object' && part !== null && 'text' in part ? String(part.text) : '')).join(' ');
  return String(value);
}

/**
 * A LlamaIndex retriever for tests: answers from fixed documents, offline and deterministic,
 * and can be slow, hang or fail on demand. It records every query it receives.
 *
 * ```ts
 * const retriever = new RetrieverDouble({ documents: ['Redis is fast'], fault: { delayMs: 5_000 } });
 * await expect(withTimeout(() => retriever.retrieve({ query: 'redis' }), 100)).rejects.toThrow(TimeoutError);
 * ```
 */
export class RetrieverDouble extends BaseRetriever {
  fault: LlamaFault | undefined;
  readonly queries: string[] = [];
  private readonly nodes: TextNode[];
  private readonly topK: number;
  private readonly embedding = new HashEmbedding();

  constructor(options: RetrieverDoubleOptions = {}) {
    super();
    assertKnownOptions('RetrieverDouble', options, ['documents', 'topK', 'fault']);
    validateLlamaFault(options.fault, 'RetrieverDouble');
    const topK = options.topK ?? 2;
    if (!Number.isInteger(topK) || topK < 1) throw new RangeError(`RetrieverDouble: options.topK must be a positive integer, got ${String(topK)}`);
    this.topK = topK;
    this.fault = options.fault;
    this.nodes = (options.documents ?? []).map((doc, i) => (typeof doc === 'string' ? new TextNode({ text: doc, id_: `doc-${i}` }) : doc));
  }

  override async _retrieve(query: QueryBundle): Promise<NodeWithScore[]> {
    const text = queryText(query);
    this.queries.push(text);
    validateLlamaFault(this.fault, 'RetrieverDouble');
    return applyLlamaFault(this.fault, this.queries.length, () => {
      const target = this.embedding.embed(text);
      return this.nodes
        .map((node) => ({ node, score: this.embedding.similarity(target, this.embedding.embed(node.getText())) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, this.topK);
    });
  }
}
