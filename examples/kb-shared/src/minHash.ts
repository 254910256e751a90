/**
 * MinHash signatures over word shingles, for near-duplicate detection. Each of the `n` hash
 * functions is a seeded 32-bit mix of the shingle's FNV-1a hash; the signature keeps, per
 * function, the smallest value over all shingles. Two signatures agree in a position with
 * probability equal to the Jaccard similarity of the shingle sets.
 */

/** FNV-1a over the UTF-16 code units of `s`. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** MurmurHash3's 32-bit finaliser: a cheap, well-mixing permutation of uint32. */
function fmix32(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes of the word `size`-shingles of `words` (a single shingle when there are fewer words). */
export function shingleHashes(words: readonly string[], size = 3): Uint32Array {
  const count = Math.max(1, words.length - size + 1);
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = fnv1a(words.slice(i, i + size).join(' '));
  return out;
}

const seedCache = new Map<number, Uint32Array>();
function seeds(n: number): Uint32Array {
  let s = seedCache.get(n);
  if (s === undefined) {
    s = new Uint32Array(n);
    for (let i = 0; i < n; i++) s[i] = fmix32(0x9e3779b9 + Math.imul(i, 0x7f4a7c15));
    seedCache.set(n, s);
  }
  return s;
}

/** The MinHash signature of a set of shingle hashes under `n` hash functions. */
export function minHashSignature(shingles: Uint32Array, n: number): Uint32Array {
  const seed = seeds(n);
  const sig = new Uint32Array(n).fill(0xffffffff);
  for (let s = 0; s < shingles.length; s++) {
    const x = shingles[s] as number;
    for (let i = 0; i < n; i++) {
      const h = fmix32(x ^ (seed[i] as number));
      if (h < (sig[i] as number)) sig[i] = h;
    }
  }
  return sig;
}

/** Fraction of positions where two signatures agree: an estimate of Jaccard similarity. */
export function estimatedSimilarity(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length) throw new RangeError('estimatedSimilarity: signatures differ in length');
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return a.length === 0 ? 0 : same / a.length;
}
