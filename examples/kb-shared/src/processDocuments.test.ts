import { describe, expect, it } from 'vitest';
import { keptChunks, nearDuplicateMask, normaliseText, processDocuments, signDocuments, wordWindows } from './processDocuments.js';
import { syntheticCorpus } from './syntheticCorpus.js';

const doc = (id: string, text: string) => ({ id, text, metadata: { id } });

describe('processDocuments', () => {
  it('normalises whitespace, control characters and compatibility forms', () => {
    expect(normaliseText('  ﬁle\u0000name\t\n two  ')).toBe('file name two');
  });

  it('cuts overlapping windows that cover every word', () => {
    const words = Array.from({ length: 10 }, (_, i) => `w${i}`);
    expect(wordWindows(words, 4, 1)).toEqual([
      ['w0', 'w1', 'w2', 'w3'],
      ['w3', 'w4', 'w5', 'w6'],
      ['w6', 'w7', 'w8', 'w9'],
    ]);
    expect(wordWindows([], 4, 1)).toEqual([]);
    expect(wordWindows(['only'], 4, 1)).toEqual([['only']]);
  });

  it('keeps distinct chunks with their document, position and metadata', () => {
    const [a, b] = syntheticCorpus({ documents: 2, wordsPerDocument: 300 });
    const batch = processDocuments([doc('a', a!.text), doc('b', b!.text)], { chunkWords: 100, overlapWords: 10 });
    expect(batch.words).toBe(600);
    expect(batch.duplicatesDropped).toBe(0);
    expect(batch.chunks.filter((c) => c.documentId === 'a').map((c) => c.position)).toEqual([0, 1, 2, 3]);
    expect(batch.chunks[0]?.metadata).toEqual({ id: 'a' });
  });

  it('drops a chunk that nearly duplicates one already kept, across documents', () => {
    const base = syntheticCorpus({ documents: 1, wordsPerDocument: 100, seed: 7 })[0]!.text;
    const edited = base.replace(/^(\S+)/, 'changed'); // one word of a hundred differs
    const batch = processDocuments([doc('a', base), doc('b', edited), doc('c', 'something else entirely, about comets and telescopes')], {
      chunkWords: 200,
    });
    expect(batch.duplicatesDropped).toBe(1);
    expect(batch.chunks.map((c) => c.documentId)).toEqual(['a', 'c']);
  });

  it('gives the same batch when parts of the documents are signed apart (in parallel) and de-duplicated together', () => {
    const corpus = syntheticCorpus({ documents: 6, wordsPerDocument: 400, seed: 11 }).map((d, i) => doc(`d${i}`, d.text));
    // Near-duplicates across the parts: d6 repeats d1 with one word changed, d7 repeats d4.
    const documents = [...corpus, doc('d6', corpus[1]!.text.replace(/^(\S+)/, 'changed')), doc('d7', corpus[4]!.text)];
    const options = { chunkWords: 80, overlapWords: 10 };
    const whole = processDocuments(documents, options);
    expect(whole.duplicatesDropped).toBeGreaterThan(0);
    const parts = [documents.slice(0, 3), documents.slice(3, 5), documents.slice(5)].map((part) => signDocuments(part, options));
    expect(keptChunks(parts, nearDuplicateMask(parts.map((p) => p.signatures), options))).toEqual(whole);
  });

  it('rejects a signature part of the wrong length by name', () => {
    expect(() => nearDuplicateMask([new Uint32Array(95)])).toThrow(/nearDuplicateMask/);
  });

  it('rejects bad options by name', () => {
    expect(() => processDocuments([], { chunkWords: 0 })).toThrow(/chunkWords/);
    expect(() => processDocuments([], { chunkWords: 10, overlapWords: 10 })).toThrow(/overlapWords/);
    expect(() => processDocuments([], { minHashFunctions: 10, bandRows: 4 })).toThrow(/minHashFunctions/);
    expect(() => processDocuments([], { duplicateThreshold: 0 })).toThrow(/duplicateThreshold/);
  });
});
