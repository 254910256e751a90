import { BaseEmbedding } from 'llamaindex';

/**
 * An embedding model whose calls never answer (a hung model server), until `release()`.
 * LlamaIndex takes no AbortSignal, so only the caller's budget can end the wait.
 */
export class HangingEmbedding extends BaseEmbedding {
  private readonly waiting = new Set<() => void>();

  constructor() {
    super();
  }

  override getTextEmbedding(): Promise<number[]> {
    return new Promise((resolve) => {
      this.waiting.add(() => resolve([1, 0, 0, 0]));
    });
  }

  /** Answers every call still waiting. */
  release(): void {
    for (const answer of this.waiting) answer();
    this.waiting.clear();
  }
}
