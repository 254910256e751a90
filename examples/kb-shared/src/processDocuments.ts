import { estimatedSimilarity, minHashSignature, shingleHashes } from './minHash.js';
import type { Metadata } from './contract.js';

/**
 * The CPU-heavy half of indexing, shared by both services: normalise each document's text,
 * cut it into overlapping word windows, and drop chunks that nearly duplicate one already
 * kept (MinHash with LSH banding over word 3-shingles). Pure and synchronous: the legacy
 * service runs it on the main thread, the modern one in a worker thread. Input and output are
 * plain data, so they cross a worker boundary by structured clone.
 */

export interface DocumentToProcess {
  id: string;
  text: string;
  metadata: Metadata;
}

export interface ProcessedChunk {
  documentId: string;
  /** Position of the chunk within its document, from 0. */
  position: number;
  text: string;
  metadata: Metadata;
}

export interface ProcessedBatch {
  chunks: ProcessedChunk[];
  duplicatesDropped: number;
  words: number;
}

export interface ProcessOptions {
  /** Words per chunk. Default 120. */
  chunkWords?: number;
  /** Words shared by consecutive chunks. Default 20. */
  overlapWords?: number;
  /** MinHash functions per chunk (a multiple of `bandRows`). Default 96. */
  minHashFunctions?: number;
  /** Rows per LSH band. Default 4. */
  bandRows?: number;
  /** Estimated Jaccard similarity at or above which a chunk counts as a duplicate. Default 0.85. */
  duplicateThreshold?: number;
}

const DEFAULTS: Required<ProcessOptions> = {
  chunkWords: 120,
  overlapWords: 20,
  minHashFunctions: 96,
  bandRows: 4,
  duplicateThreshold: 0.85,
};

function resolveOptions(options: ProcessOptions): Required<ProcessOptions> {
  const o = { ...DEFAULTS, ...options };
  const positiveInt = (v: number, name: string): void => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`processDocuments: ${name} must be a positive integer, got ${String(v)}`);
  };
  positiveInt(o.chunkWords, 'chunkWords');
  positiveInt(o.minHashFunctions, 'minHashFunctions');
  positiveInt(o.bandRows, 'bandRows');
  if (!Number.isInteger(o.overlapWords) || o.overlapWords < 0 || o.overlapWords >= o.chunkWords) {
    throw new RangeError(`processDocuments: overlapWords must be an integer from 0 to chunkWords - 1, got ${String(o.overlapWords)}`);
  }
  if (o.minHashFunctions % o.bandRows !== 0) {
    throw new RangeError(`processDocuments: minHashFunctions (${o.minHashFunctions}) must be a multiple of bandRows (${o.bandRows})`);
  }
  if (!(o.duplicateThreshold > 0 && o.duplicateThreshold <= 1)) {
    throw new RangeError(`processDocuments: duplicateThreshold must be in (0, 1], got ${String(o.duplicateThreshold)}`);
  }
  return o;
}

/** NFKC, control characters to spaces, whitespace collapsed. */
export function normaliseText(text: string): string {
  return text.normalize('NFKC').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Overlapping windows of `size` words, each starting `size - overlap` words after the last. */
export function wordWindows(words: readonly string[], size: number, overlap: number): string[][] {
  if (words.length === 0) return [];
  const step = size - overlap;
  const windows: string[][] = [];
  for (let start = 0; ; start += step) {
    windows.push(words.slice(start, start + size));
    if (start + size >= words.length) break;
  }
  return windows;
}

/**
 * Chunks of some documents with their MinHash signatures, before near-duplicates are dropped:
 * the parallel half of {@link processDocuments} (documents are independent until then).
 */
export interface SignedChunks {
  chunks: ProcessedChunk[];
  /** One signature per chunk, `minHashFunctions` numbers each, back to back. */
  signatures: Uint32Array;
  words: number;
}

/** Cuts each document into word windows and signs every window. */
export function signDocuments(documents: readonly DocumentToProcess[], options: ProcessOptions = {}): SignedChunks {
  const o = resolveOptions(options);
  const chunks: ProcessedChunk[] = [];
  const signatures: Uint32Array[] = [];
  let words = 0;
  for (const doc of documents) {
    const docWords = normaliseText(doc.text).split(' ').filter((w) => w !== '');
    words += docWords.length;
    wordWindows(docWords, o.chunkWords, o.overlapWords).forEach((window, position) => {
      signatures.push(minHashSignature(shingleHashes(window.map((w) => w.toLowerCase())), o.minHashFunctions));
      chunks.push({ documentId: doc.id, position, text: window.join(' '), metadata: doc.metadata });
    });
  }
  const flat = new Uint32Array(signatures.length * o.minHashFunctions);
  signatures.forEach((sig, i) => flat.set(sig, i * o.minHashFunctions));
  return { chunks, signatures: flat, words };
}

/**
 * Which chunks to keep, in order over `signatures` (each part's signatures back to back, parts
 * in document order): a chunk is dropped when it nearly duplicates one kept before it (MinHash
 * with LSH banding). The sequential half of {@link processDocuments}; it needs no text.
 */
export function nearDuplicateMask(signatures: readonly Uint32Array[], options: ProcessOptions = {}): Uint8Array {
  const o = resolveOptions(options);
  const n = o.minHashFunctions;
  const bands = n / o.bandRows;
  const total = signatures.reduce((sum, part) => sum + part.length / n, 0);
  if (!Number.isInteger(total)) throw new RangeError(`nearDuplicateMask: every part must hold whole signatures of ${n} numbers`);
  // One bucket table per band: band key -> indexes of kept signatures.
  const buckets: Map<string, number[]>[] = Array.from({ length: bands }, () => new Map());
  const kept: Uint32Array[] = [];
  const keep = new Uint8Array(total);
  let at = 0;
  for (const part of signatures) {
    for (let offset = 0; offset < part.length; offset += n, at++) {
      const signature = part.subarray(offset, offset + n);
      const keys: string[] = [];
      const candidates = new Set<number>();
      for (let b = 0; b < bands; b++) {
        const key = signature.subarray(b * o.bandRows, (b + 1) * o.bandRows).join(',');
        keys.push(key);
        for (const c of buckets[b]?.get(key) ?? []) candidates.add(c);
      }
      let duplicate = false;
      for (const c of candidates) {
        if (estimatedSimilarity(signature, kept[c] as Uint32Array) >= o.duplicateThreshold) {
          duplicate = true;
          break;
        }
      }
      if (duplicate) continue;
      const index = kept.push(signature) - 1;
      keys.forEach((key, b) => {
        const table = buckets[b] as Map<string, number[]>;
        const list = table.get(key);
        if (list === undefined) table.set(key, [index]);
        else list.push(index);
      });
      keep[at] = 1;
    }
  }
  return keep;
}

/** The batch of `parts` (in document order) less the chunks `keep` drops. */
export function keptChunks(parts: readonly Pick<SignedChunks, 'chunks' | 'words'>[], keep: Uint8Array): ProcessedBatch {
  const chunks: ProcessedChunk[] = [];
  let at = 0;
  let words = 0;
  for (const part of parts) {
    words += part.words;
    for (const chunk of part.chunks) if (keep[at++] === 1) chunks.push(chunk);
  }
  if (at !== keep.length) throw new RangeError(`keptChunks: ${at} chunks but a mask of ${keep.length}`);
  return { chunks, duplicatesDropped: at - chunks.length, words };
}

/** Signs, then drops near-duplicates: `signDocuments` of parts of the documents, in order, give the same batch. */
export function processDocuments(documents: readonly DocumentToProcess[], options: ProcessOptions = {}): ProcessedBatch {
  const signed = signDocuments(documents, options);
  return keptChunks([signed], nearDuplicateMask([signed.signatures], options));
}
