/**
 * A unified diff (as `diff -u` / git print it) of two texts, with `context` lines around each
 * hunk. Line-based longest-common-subsequence over the changed middle; the common head and tail
 * are trimmed first, so the cost stays small for the local edits a codemod makes.
 */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = diffLines(a, b);
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
    const slice = ops.slice(start, end);
    const first = slice[0]!;
    const aCount = slice.filter((o) => o.kind !== 'add').length;
    const bCount = slice.filter((o) => o.kind !== 'del').length;
    const firstA = slice.find((o) => o.kind !== 'add') ?? first;
    const firstB = slice.find((o) => o.kind !== 'del') ?? first;
    const aStart = (aCount === 0 ? first.aIndex : firstA.aIndex) + 1;
    const bStart = (bCount === 0 ? first.bIndex : firstB.bIndex) + 1;
    let hunk = `@@ -${aStart},${aCount} +${bStart},${bCount} @@\n`;
    for (const op of slice) {
      const sign = op.kind === 'same' ? ' ' : op.kind === 'del' ? '-' : '+';
      hunk += sign + op.line.text + '\n';
      if (!op.line.newline) hunk += '\\ No newline at end of file\n';
    }
    hunks.push(hunk);
    i = end;
  }
  return `--- a/${path}\n+++ b/${path}\n${hunks.join('')}`;
}

interface Line {
  text: string;
  newline: boolean;
}

interface Op {
  kind: 'same' | 'add' | 'del';
  line: Line;
  aIndex: number;
  bIndex: number;
}

function splitLines(text: string): Line[] {
  if (text === '') return [];
  const parts = text.split('\n');
  const lines: Line[] = parts.map((t) => ({ text: t, newline: true }));
  if (parts[parts.length - 1] === '') lines.pop();
  else lines[lines.length - 1]!.newline = false;
  return lines;
}

function same(x: Line, y: Line): boolean {
  return x.text === y.text && x.newline === y.newline;
}

function diffLines(a: Line[], b: Line[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && same(a[head]!, b[head]!)) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && same(a[a.length - 1 - tail]!, b[b.length - 1 - tail]!)) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  // LCS table over the middle.
  const n = am.length;
  const m = bm.length;
  const table: Uint32Array[] = [];
  for (let x = 0; x <= n; x++) table.push(new Uint32Array(m + 1));
  for (let x = n - 1; x >= 0; x--) {
    for (let y = m - 1; y >= 0; y--) {
      table[x]![y] = same(am[x]!, bm[y]!) ? table[x + 1]![y + 1]! + 1 : Math.max(table[x + 1]![y]!, table[x]![y + 1]!);
    }
  }
  const ops: Op[] = [];
  for (let k = 0; k < head; k++) ops.push({ kind: 'same', line: a[k]!, aIndex: k, bIndex: k });
  let x = 0;
  let y = 0;
  while (x < n || y < m) {
    if (x < n && y < m && same(am[x]!, bm[y]!)) {
      ops.push({ kind: 'same', line: am[x]!, aIndex: head + x, bIndex: head + y });
      x++;
      y++;
    } else if (x < n && (y === m || table[x + 1]![y]! >= table[x]![y + 1]!)) {
      ops.push({ kind: 'del', line: am[x]!, aIndex: head + x, bIndex: head + y - 1 });
      x++;
    } else {
      ops.push({ kind: 'add', line: bm[y]!, aIndex: head + x - 1, bIndex: head + y });
      y++;
    }
  }
  for (let k = 0; k < tail; k++) {
    ops.push({ kind: 'same', line: a[a.length - tail + k]!, aIndex: a.length - tail + k, bIndex: b.length - tail + k });
  }
  return ops;
}
