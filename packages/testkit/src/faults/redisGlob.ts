import { FaultSpecError } from './FaultSpecError.js';

/** One step of a glob: any run of bytes, or exactly one byte out of a set. */
type Token = { star: true } | { star: false; set: Uint8Array };

const BYTES = 256;

/**
 * A byte as the C `char` Redis compares range bounds with: signed on x86-64 (on arm64 builds,
 * where `char` is unsigned, ranges with a byte >= 0x80 would differ).
 */
function signed(b: number): number {
  return b >= 0x80 ? b - BYTES : b;
}

function oneOf(set: Uint8Array): Token {
  return { star: false, set };
}

/**
 * Reads a pattern the way Redis's `stringmatchlen` does (KEYS, SCAN MATCH), byte by byte:
 * - `*` any run of bytes (several in a row are one), `?` one byte, `\x` the byte `x` (a lone
 *   trailing `\` is itself);
 * - `[...]` one byte out of a set: `^` first negates it, `\x` adds `x`, `a-z` adds a range in
 *   either order (`[z-a]` is `[a-z]`), anything else is itself. A `]` right after `[` or `[^`
 *   closes an empty set (`[]a]` matches nothing, `[^]` any byte). A range is read wherever a
 *   `-` follows a byte with one more byte after it, so `[a-]` is the range `]`..`a` still
 *   waiting for its `]`; its bounds compare as signed bytes (x86-64 `char`), so `[?-\xff]` is
 *   `\xff`..`?`. A `[` never closed ends the pattern: the bytes after it are the set
 *   (`a[b` matches `ab`, `a[` nothing).
 */
function tokenize(p: Buffer): Token[] {
  const n = p.length;
  const tokens: Token[] = [];
  for (let i = 0; i < n; i++) {
    const c = p[i] as number;
    if (c === 0x2a) {
      if (tokens.at(-1)?.star !== true) tokens.push({ star: true });
      continue;
    }
    const set = new Uint8Array(BYTES);
    if (c === 0x3f) set.fill(1);
    else if (c === 0x5b) {
      i++;
      const negate = i < n && p[i] === 0x5e;
      if (negate) i++;
      for (;;) {
        if (i >= n) {
          i = n - 1; // never closed: the pattern ends with this set
          break;
        }
        const d = p[i] as number;
        if (d === 0x5c && n - i >= 2) set[p[++i] as number] = 1;
        else if (d === 0x5d) break;
        else if (n - i >= 3 && p[i + 1] === 0x2d) {
          const [from, to] = [signed(d), signed(p[i + 2] as number)];
          for (let b = 0; b < BYTES; b++) if (signed(b) >= Math.min(from, to) && signed(b) <= Math.max(from, to)) set[b] = 1;
          i += 2;
        } else set[d] = 1;
        i++;
      }
      if (negate) for (let b = 0; b < BYTES; b++) set[b] = set[b] === 1 ? 0 : 1;
    } else if (c === 0x5c && n - i >= 2) set[p[++i] as number] = 1;
    else set[c] = 1;
    tokens.push(oneOf(set));
  }
  return tokens;
}

function byteSource(b: number): string {
  return /[0-9A-Za-z_]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
}

/** A regular-expression atom for one byte out of `set` (over byte strings: one char per byte). */
function setSource(set: Uint8Array): string {
  let count = 0;
  for (const bit of set) count += bit;
  if (count === BYTES) return '[\\s\\S]';
  if (count === 0) return '(?!)';
  if (count === 1) return byteSource(set.indexOf(1));
  let body = '';
  for (let b = 0; b < BYTES; b++) {
    if (set[b] !== 1) continue;
    let end = b;
    while (end + 1 < BYTES && set[end + 1] === 1) end++;
    body += end === b ? byteSource(b) : `${byteSource(b)}-${byteSource(end)}`;
    b = end;
  }
  return `[${body}]`;
}

/**
 * Compiles a Redis glob (the syntax of KEYS and SCAN MATCH) into an anchored RegExp with Redis's
 * own semantics (see the README: `[z-a]`, unclosed `[`, `[]a]`, `[a-]` read as Redis reads them).
 * Any string is a pattern: it never throws for one (only for a non-string, with a
 * {@link FaultSpecError} naming `path`).
 *
 * Redis compares bytes, so the RegExp tests byte strings, one char per byte (what
 * `Buffer#toString('latin1')` gives): the pattern is taken as UTF-8, as a client sends it. For
 * ASCII keys that is the key itself. As in Redis, the empty key matches only the patterns `''`
 * and `'*'`. The expression runs in O(pattern × key) steps: each run of bytes between two `*` is
 * placed at its earliest fit and never revisited, so no pattern backtracks exponentially.
 */
export function redisGlob(pattern: string | Buffer, path = 'key'): RegExp {
  if (typeof pattern !== 'string' && !Buffer.isBuffer(pattern)) throw new FaultSpecError(path, 'a glob string', pattern);
  const bytes = typeof pattern === 'string' ? Buffer.from(pattern, 'utf8') : pattern;
  if (bytes.length === 0) return /^$/;
  const tokens = tokenize(bytes);
  const segments: Token[][] = [[]];
  for (const token of tokens) {
    if (token.star) segments.push([]);
    else (segments.at(-1) as Token[]).push(token);
  }
  const segmentSource = (segment: Token[]): string => segment.map((t) => (t.star ? '' : setSource(t.set))).join('');
  // KEYS and SCAN take a lone `*` as "every key"; any other pattern needs at least one byte.
  let source = bytes.length === 1 && bytes[0] === 0x2a ? '^' : '^(?=[\\s\\S])';
  source += segmentSource(segments[0] as Token[]);
  for (let s = 1; s < segments.length - 1; s++) {
    source += `(?=([\\s\\S]*?${segmentSource(segments[s] as Token[])}))\\${s}`;
  }
  if (segments.length > 1) source += `[\\s\\S]*${segmentSource(segments.at(-1) as Token[])}`;
  return new RegExp(`${source}$`);
}
