import { describe, expect, it } from 'vitest';
import { MAX_GAP_EDITS, unifiedDiff, type DiffCounters } from './unifiedDiff.js';

/** Applies a unified diff produced by unifiedDiff (test oracle: the diff must rebuild `after`). */
function applyPatch(before: string, patch: string): string {
  const lines = before.split('\n');
  const out: string[] = [];
  let cursor = 0;
  const patchLines = patch.split('\n');
  for (let i = 2; i < patchLines.length; i++) {
    const header = /^@@ -(\d+),(\d+) \+\d+,\d+ @@$/.exec(patchLines[i]!);
    if (!header) continue;
    const start = Number(header[2]) === 0 ? Number(header[1]) : Number(header[1]) - 1;
    while (cursor < start) out.push(lines[cursor++]!);
    for (i++; i < patchLines.length && !patchLines[i]!.startsWith('@@'); i++) {
      const line = patchLines[i]!;
      if (line.startsWith(' ')) out.push(lines[cursor++]!);
      else if (line.startsWith('-')) cursor++;
      else if (line.startsWith('+')) out.push(line.slice(1));
    }
    i--;
  }
  while (cursor < lines.length) out.push(lines[cursor++]!);
  return out.join('\n');
}

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a.ts', 'x\n', 'x\n')).toBe('');
  });

  it('prints one hunk with three lines of context, deletions before additions', () => {
    const before = ['1', '2', '3', '4', 'old', '6', '7', '8', '9', ''].join('\n');
    const after = ['1', '2', '3', '4', 'new', '6', '7', '8', '9', ''].join('\n');
    expect(unifiedDiff('src/a.ts', before, after)).toBe(
      '--- a/src/a.ts\n+++ b/src/a.ts\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-old\n+new\n 6\n 7\n 8\n',
    );
  });

  it('marks a missing final newline', () => {
    expect(unifiedDiff('a', 'x', 'y')).toBe('--- a/a\n+++ b/a\n@@ -1,1 +1,1 @@\n-x\n\\ No newline at end of file\n+y\n\\ No newline at end of file\n');
  });

  it('rebuilds the new text from the old one for many random edits', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const before = Array.from({ length: 1 + random(30) }, () => `line ${random(8)}`);
      const after = [...before];
      for (let k = 0; k < 1 + random(5); k++) {
        const at = random(after.length + 1);
        if (random(2) === 0) after.splice(at, 1);
        else after.splice(at, 0, `new ${random(5)}`);
      }
      const a = before.join('\n') + '\n';
      const b = after.join('\n') + '\n';
      const patch = unifiedDiff('f', a, b);
      if (a === b) expect(patch).toBe('');
      else expect(applyPatch(a, patch)).toBe(b);
    }
  });

  it('rebuilds the new text for edits among repeated lines and missing final newlines', () => {
    let seed = 11;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      // Few distinct lines: most are repeated, so anchors are rare and Myers does the work.
      const before = Array.from({ length: random(40) }, () => ['}', '', '  return x;', `f${random(3)}()`][random(4)]!);
      const after = [...before];
      for (let k = 0; k < 1 + random(8); k++) {
        const at = random(after.length + 1);
        if (random(3) === 0) after.splice(at, 1);
        else if (random(2) === 0) after.splice(at, 1, `g${random(4)}`);
        else after.splice(at, 0, ['}', '', `h${random(3)}`][random(3)]!);
      }
      const a = before.join('\n') + (random(2) === 0 ? '\n' : '');
      const b = after.join('\n') + (random(2) === 0 ? '\n' : '');
      const patch = unifiedDiff('f', a, b);
      if (a === b) {
        expect(patch).toBe('');
        continue;
      }
      expect(applyExactly(a, patch)).toBe(b);
    }
  });

  it('keeps hunks local in a large file edited everywhere (deletions before additions, exact line numbers)', () => {
    const before = Array.from({ length: 3000 }, (_, i) => `line ${i}`);
    const after = before.map((line, i) => (i % 100 === 50 ? `changed ${i}` : line));
    const patch = unifiedDiff('big', before.join('\n') + '\n', after.join('\n') + '\n');
    const headers = patch.split('\n').filter((l) => l.startsWith('@@'));
    expect(headers).toHaveLength(30);
    expect(headers[0]).toBe('@@ -48,7 +48,7 @@');
    expect(headers[29]).toBe('@@ -2948,7 +2948,7 @@');
    expect(patch).toContain('\n line 49\n-line 50\n+changed 50\n line 51\n');
  });

  it('shows a gap too different for a bounded Myers run as removed then added lines', () => {
    const n = MAX_GAP_EDITS + 200;
    // Every line repeated (no anchors), and every line changed: more than MAX_GAP_EDITS edits.
    const before = Array.from({ length: n }, (_, i) => `a${i % 2}`).join('\n') + '\n';
    const after = Array.from({ length: n }, (_, i) => `b${i % 2}`).join('\n') + '\n';
    const patch = unifiedDiff('f', before, after);
    expect(patch.split('\n')[2]).toBe(`@@ -1,${n} +1,${n} @@`);
    expect(applyPatch(before, patch)).toBe(after);
  });

  it('does work linear in the file size for edits spread over the whole file', () => {
    const work = (units: number): number => {
      const before: string[] = [];
      const after: string[] = [];
      for (let i = 0; i < units; i++) {
        // Changed lines are repeated or unique, and so are unchanged ones, as in generated code.
        before.push(`export function f${i}(path: string): string {`, '  const text = readFileSync(path);', `  log('f${i}');`, '  return text;', '}', '');
        after.push(`export async function f${i}(path: string): Promise<string> {`, '  const text = await readFile(path);', `  log('f${i}');`, '  return text;', '}', '');
      }
      const counters: DiffCounters = { compared: 0 };
      const patch = unifiedDiff('f', before.join('\n'), after.join('\n'), 1, counters);
      expect(applyExactly(before.join('\n'), patch)).toBe(after.join('\n'));
      // One hunk per function (one line of context): the unchanged unique lines anchored each function.
      expect(patch.split('\n').filter((l) => l.startsWith('@@'))).toHaveLength(units);
      return counters.compared;
    };
    const small = work(400);
    const large = work(4000);
    expect(small).toBeGreaterThan(0);
    // Ten times the lines: about ten times the comparisons (a full table would be a hundred times).
    expect(large / small).toBeLessThan(12);
  });
});

/**
 * Applies a unified diff line by line, honouring '\ No newline at end of file' and checking that
 * every context and removed line matches the old text (a stricter oracle than applyPatch).
 */
function applyExactly(before: string, patch: string): string {
  const old = before.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const body = patch.split('\n');
  expect(body[0]).toBe('--- a/f');
  expect(body[1]).toBe('+++ b/f');
  const out: string[] = [];
  let cursor = 0;
  let i = 2;
  while (i < body.length && body[i] !== '') {
    const header = /^@@ -(\d+),(\d+) \+(\d+),(\d+) @@$/.exec(body[i]!);
    expect(header).not.toBeNull();
    const start = Number(header![2]) === 0 ? Number(header![1]) : Number(header![1]) - 1;
    expect(Number(header![4]) === 0 ? Number(header![3]) : Number(header![3]) - 1).toBe(out.length + start - cursor);
    while (cursor < start) out.push(old[cursor++]!);
    const entries: Array<{ sign: string; text: string }> = [];
    for (i++; i < body.length && body[i] !== '' && !body[i]!.startsWith('@@'); i++) {
      const line = body[i]!;
      if (line === '\\ No newline at end of file') entries[entries.length - 1]!.text = entries[entries.length - 1]!.text.slice(0, -1);
      else entries.push({ sign: line[0]!, text: line.slice(1) + '\n' });
    }
    for (const { sign, text } of entries) {
      if (sign === '+') out.push(text);
      else {
        expect(old[cursor]).toBe(text);
        if (sign === ' ') out.push(text);
        cursor++;
      }
    }
  }
  while (cursor < old.length) out.push(old[cursor++]!);
  return out.join('');
}
