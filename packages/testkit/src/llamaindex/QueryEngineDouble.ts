import { BaseQueryEngine, EngineResponse, MetadataMode, type NodeWithScore } from 'llamaindex';
import { applyLlamaFault, validateLlamaFault, type LlamaFault } from './LlamaFault.js';
import type { RetrieverDouble } from './RetrieverDouble.js';
import { assertKnownOptions } from '../assertKnownOptions.js';

type QueryType = Parameters<BaseQueryEngine['_query']>[0];

export interface QueryEngineDoubleOptions {
  /** The answer text for a query. Default: `answer: <query>` (plus the top source text when a retriever is given). */
  answer?: (query: string, sources: readonly NodeWithScore[]) => string;
  /** Where source nodes come from; its own faults apply too. */
  retriever?: RetrieverDouble;
  /** How it misbehaves (delay, hang, fail, fail N times then recover). Change it at any time through `fault`. */
  fault?: LlamaFault;
}

function queryText(query: QueryType): string {
  if (typeof query === 'string') return query;
  const value = (query as { query: unknown }).query;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * A LlamaIndex query engine for tests: no LLM, deterministic answers, optional sources from a
 * {@link RetrieverDouble}, and delay/hang/fail faults. Streaming is not supported (it rejects).
 */
export class QueryEngineDouble extends BaseQueryEngine {
  fault: LlamaFault | undefined;
  readonly queries: string[] = [];
  private readonly answer: (query: string, sources: readonly NodeWithScore[]) => string;
  private readonly retriever: RetrieverDouble | undefined;

  constructor(options: QueryEngineDoubleOptions = {}) {
    super();
    assertKnownOptions('QueryEngineDouble', options, ['answer', 'retriever', 'fault']);
    validateLlamaFault(options.fault, 'QueryEngineDouble');
    if (options.answer !== undefined && typeof options.answer !== 'function') throw new TypeError('QueryEngineDouble: options.answer must be a function');
    this.fault = options.fault;
    this.retriever = options.retriever;
    this.answer =
      options.answer ?? ((query, sources) => `answer: ${query}${sources[0] !== undefined ? ` (from: ${sources[0].node.getContent(MetadataMode.NONE)})` : ''}`);
  }

  override async _query(query: QueryType, stream?: boolean): Promise<EngineResponse> {
    if (stream === true) throw new Error('QueryEngineDouble does not stream; call query({ query }) without stream: true');
    const text = queryText(query);
    this.queries.push(text);
    validateLlamaFault(this.fault, 'QueryEngineDouble');
    return applyLlamaFault(this.fault, this.queries.length, async () => {
      const sources = this.retriever !== undefined ? await this.retriever.retrieve({ query: text }) : [];
      return EngineResponse.fromResponse(this.answer(text, sources), false, sources);
    });
  }

  protected override _getPrompts(): Record<string, never> {
    return {};
  }

  protected override _updatePrompts(): void {}

  protected override _getPromptModules(): Record<string, never> {
    return {};
  }
}
