import { diffArrays } from 'diff';

/**
 * A unified diff (as `diff -u` / git print it) of two texts, with `context` lines around each
 * hunk; within a run of changed lines the deletions come before the additions.
 *
 * Cost stays linear in the size of the texts for the edits a codemod makes, even when they are
 * spread over a 50,000-line file: the common head and tail are trimmed, then lines that occur
 * exactly once in both texts and keep their order (the longest increasing run, n log n) anchor
 * the two texts to each other (again inside each gap between anchors, a few levels deep), and
 * only the short gaps left go to the `diff` package's Myers diff. Myers costs (gap size) × (edit distance), so each gap's diff is capped at
 * `MAX_GAP_EDITS` edits: a gap beyond that (no anchors in a long, heavily edited stretch) is shown
 * as its old lines removed and its new lines added, still a correct diff.
 */
export function unifiedDiff(path: string, before: string, after: string, context = 3, counters?: DiffCounters): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = lineOps(a, b, counters ?? { compared: 0 });
  const hunks: string[] = [];
  let i = 0;
  while (i < ops.length) {
    if (ops[i]!.kind === 'same') {
      i++;
      continue;
    }
    let start = i;
    let back = 0;
    while (start > 0 && back < context && ops[start - 1]!.kind === 'same') {
      start--;
      back++;
    }
    let end = i;
    for (;;) {
      while (end < ops.length && ops[end]!.kind !== 'same') end++;
      let run = 0;
      while (end + run < ops.length && ops[end + run]!.kind === 'same') run++;
      if (end + run < ops.length && run <= context * 2) {
        end += run;
        continue;
      }
      end += Math.min(run, context);
      break;
    }
    hunks.push(formatHunk(ops, start, end, a, b));
    i = end;
  }
  return `--- a/${path}\n+++ b/${path}\n${hunks.join('')}`;
}

/** Work counters for tests that hold the diff to linear cost (line comparisons inside gaps). */
export interface DiffCounters {
  compared: number;
}

/** A gap's Myers diff stops past this many edits and shows the gap as removed + added lines. */
export const MAX_GAP_EDITS = 1000;

/** How many times a gap is split again at the lines unique within it. */
const MAX_ANCHOR_DEPTH = 4;

/** One line per entry; a last line without a newline carries a trailing '\n' (never inside a line). */
function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += '\n';
  return lines;
}

const NO_NEWLINE = '\\ No newline at end of file\n';

interface Op {
  kind: 'same' | 'add' | 'del';
  /** Index in `a` (for `add`: the a-line before it, -1 at the start). */
  aIndex: number;
  /** Index in `b` (for `del`: the b-line before it, -1 at the start). */
  bIndex: number;
}

function formatHunk(ops: readonly Op[], start: number, end: number, a: readonly string[], b: readonly string[]): string {
  let aCount = 0;
  let bCount = 0;
  let firstA: Op | undefined;
  let firstB: Op | undefined;
  for (let k = start; k < end; k++) {
    const op = ops[k]!;
    if (op.kind !== 'add') {
      aCount++;
      firstA ??= op;
    }
    if (op.kind !== 'del') {
      bCount++;
      firstB ??= op;
    }
  }
  const first = ops[start]!;
  const aStart = (firstA ?? first).aIndex + 1;
  const bStart = (firstB ?? first).bIndex + 1;
  const parts = [`@@ -${aStart},${aCount} +${bStart},${bCount} @@\n`];
  for (let k = start; k < end; k++) {
    const op = ops[k]!;
    const line = op.kind === 'add' ? b[op.bIndex]! : a[op.aIndex]!;
    const sign = op.kind === 'same' ? ' ' : op.kind === 'del' ? '-' : '+';
    parts.push(line.endsWith('\n') ? `${sign}${line}${NO_NEWLINE}` : `${sign}${line}\n`);
  }
  return parts.join('');
}

/** The line script from `a` to `b`. */
function lineOps(a: readonly string[], b: readonly string[], counters: DiffCounters): Op[] {
  const ops: Op[] = [];
  gapOps(a, b, 0, a.length, 0, b.length, 0, ops, counters);
  return ops;
}

/**
 * Pairs (index in a, index in b) of lines that occur exactly once in a[aFrom, aTo) and once in
 * b[bFrom, bTo), keeping the longest run increasing in both (patience sorting).
 */
function uniqueAnchors(a: readonly string[], b: readonly string[], aFrom: number, aTo: number, bFrom: number, bTo: number): Array<[number, number]> {
  // Per line text: its index in a (-2 when repeated) and in b (-2 when repeated; -1 absent).
  const seen = new Map<string, { a: number; b: number }>();
  for (let k = aFrom; k < aTo; k++) {
    const entry = seen.get(a[k]!);
    if (entry === undefined) seen.set(a[k]!, { a: k, b: -1 });
    else entry.a = -2;
  }
  for (let k = bFrom; k < bTo; k++) {
    const entry = seen.get(b[k]!);
    if (entry !== undefined) entry.b = entry.b === -1 ? k : -2;
  }
  const pairs: Array<[number, number]> = [];
  for (let k = aFrom; k < aTo; k++) {
    const entry = seen.get(a[k]!)!;
    if (entry.a >= 0 && entry.b >= 0) pairs.push([entry.a, entry.b]);
  }
  // Longest increasing subsequence of the b indices (pairs are in a order).
  const tails: number[] = []; // tails[len - 1] = index into pairs of the smallest tail of a run of length len
  const previous = new Int32Array(pairs.length).fill(-1);
  for (let p = 0; p < pairs.length; p++) {
    const value = pairs[p]![1];
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pairs[tails[mid]!]![1] < value) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) previous[p] = tails[lo - 1]!;
    tails[lo] = p;
  }
  const run: Array<[number, number]> = [];
  for (let p = tails.length > 0 ? tails[tails.length - 1]! : -1; p >= 0; p = previous[p]!) run.push(pairs[p]!);
  return run.reverse();
}

/**
 * Appends the ops for a[x0, x1) → b[y0, y1): trims the common head and tail, splits what is left
 * at its unique-line anchors and recurses into the pieces (at most `MAX_ANCHOR_DEPTH` levels, so
 * the cost stays linear); a piece without anchors goes to Myers with an edit cap.
 */
function gapOps(
  a: readonly string[], b: readonly string[], x0: number, x1: number, y0: number, y1: number, depth: number, ops: Op[], counters: DiffCounters,
): void {
  let head = 0;
  while (x0 + head < x1 && y0 + head < y1 && a[x0 + head] === b[y0 + head]) head++;
  let tail = 0;
  while (x1 - tail > x0 + head && y1 - tail > y0 + head && a[x1 - 1 - tail] === b[y1 - 1 - tail]) tail++;
  for (let k = 0; k < head; k++) ops.push({ kind: 'same', aIndex: x0 + k, bIndex: y0 + k });
  let x = x0 + head;
  let y = y0 + head;
  const xEnd = x1 - tail;
  const yEnd = y1 - tail;
  if (x < xEnd && y < yEnd && depth < MAX_ANCHOR_DEPTH) {
    const anchors = uniqueAnchors(a, b, x, xEnd, y, yEnd);
    if (anchors.length > 0) {
      for (const [ax, by] of anchors) {
        gapOps(a, b, x, ax, y, by, depth + 1, ops, counters);
        ops.push({ kind: 'same', aIndex: ax, bIndex: by });
        x = ax + 1;
        y = by + 1;
      }
      gapOps(a, b, x, xEnd, y, yEnd, depth + 1, ops, counters);
      for (let k = 0; k < tail; k++) ops.push({ kind: 'same', aIndex: xEnd + k, bIndex: yEnd + k });
      return;
    }
  }
  const dels: Op[] = [];
  const adds: Op[] = [];
  const flush = (): void => {
    for (const op of dels) ops.push(op);
    for (const op of adds) ops.push(op);
    dels.length = 0;
    adds.length = 0;
  };
  const changes = x < xEnd && y < yEnd
    ? diffArrays(a.slice(x, xEnd), b.slice(y, yEnd), {
      maxEditLength: MAX_GAP_EDITS,
      comparator: (l: string, r: string) => (counters.compared++, l === r),
    })
    : undefined;
  if (changes === undefined) {
    // One side is empty, or the gap is too different for a bounded Myers run.
    for (; x < xEnd; x++) dels.push({ kind: 'del', aIndex: x, bIndex: y - 1 });
    for (; y < yEnd; y++) adds.push({ kind: 'add', aIndex: x - 1, bIndex: y });
  } else {
    for (const change of changes) {
      const n = change.count;
      if (change.removed) {
        for (let k = 0; k < n; k++, x++) dels.push({ kind: 'del', aIndex: x, bIndex: y - 1 });
      } else if (change.added) {
        for (let k = 0; k < n; k++, y++) adds.push({ kind: 'add', aIndex: x - 1, bIndex: y });
      } else {
        flush();
        for (let k = 0; k < n; k++, x++, y++) ops.push({ kind: 'same', aIndex: x, bIndex: y });
      }
    }
  }
  flush();
  for (let k = 0; k < tail; k++) ops.push({ kind: 'same', aIndex: xEnd + k, bIndex: yEnd + k });
}
