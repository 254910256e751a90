import type { DocumentInput } from './contract.js';

/**
 * Deterministic synthetic documents for tests and benchmarks: each document is about one
 * topic (its words dominate the text), padded with common filler, so a search for a topic's
 * words finds that topic's documents. The same seed always yields the same corpus.
 */

export const TOPICS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  redis: ['redis', 'keyspace', 'hash', 'replica', 'eviction', 'pipeline', 'cluster', 'persistence'],
  embeddings: ['embedding', 'vector', 'cosine', 'dimension', 'retrieval', 'similarity', 'semantic', 'nearest'],
  eventloop: ['eventloop', 'microtask', 'timer', 'libuv', 'callback', 'blocking', 'worker', 'thread'],
  gardening: ['tomato', 'compost', 'seedling', 'mulch', 'pruning', 'soil', 'harvest', 'greenhouse'],
  astronomy: ['nebula', 'telescope', 'orbit', 'comet', 'galaxy', 'parallax', 'eclipse', 'quasar'],
});

const FILLER = ['the', 'a', 'of', 'and', 'to', 'in', 'is', 'that', 'for', 'on', 'with', 'as', 'it', 'by', 'this', 'from'];

/** Mulberry32: a small, fast, seeded PRNG with uniform output in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface CorpusOptions {
  documents: number;
  wordsPerDocument: number;
  seed?: number;
}

/** `documents` documents of `wordsPerDocument` words, topics assigned round-robin. */
export function syntheticCorpus({ documents, wordsPerDocument, seed = 1 }: CorpusOptions): DocumentInput[] {
  if (!Number.isInteger(documents) || documents < 0) throw new RangeError(`syntheticCorpus: documents must be a non-negative integer, got ${String(documents)}`);
  if (!Number.isInteger(wordsPerDocument) || wordsPerDocument < 1) {
    throw new RangeError(`syntheticCorpus: wordsPerDocument must be a positive integer, got ${String(wordsPerDocument)}`);
  }
  const random = prng(seed);
  const topicNames = Object.keys(TOPICS);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const out: DocumentInput[] = [];
  for (let d = 0; d < documents; d++) {
    const topic = topicNames[d % topicNames.length] as string;
    const vocabulary = TOPICS[topic] as readonly string[];
    const words: string[] = [];
    for (let w = 0; w < wordsPerDocument; w++) {
      // Roughly half topic words; a per-document serial keeps documents from being duplicates.
      words.push(random() < 0.5 ? pick(vocabulary) : random() < 0.1 ? `w${d}x${w}` : pick(FILLER));
    }
    out.push({ id: `doc-${seed}-${d}`, text: `${words.join(' ')}.`, metadata: { topic } });
  }
  return out;
}
