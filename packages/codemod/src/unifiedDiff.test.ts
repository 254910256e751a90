import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './unifiedDiff.js';

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
});
