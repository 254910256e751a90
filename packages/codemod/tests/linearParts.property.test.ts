import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dropConflicts } from '../src/chains.js';
import type { RolledBackChain } from '../src/report.js';
import { applyEdits, insertion, replacement, type TextEdit } from '../src/textEdit.js';
import { originalPositions } from '../src/typeCheck.js';
import type { ChangeChain } from '../src/transforms/Transform.js';
import { fcOptions } from './support/awaitShape.js';

// The parts made linear for large files (issue 16), held to the plain definitions they replace.

// Insertions rank before replacements (REPLACE_RANK = 1), as every transform's do.
const edit = (file: string): fc.Arbitrary<TextEdit> =>
  fc.oneof(
    fc.record({ pos: fc.nat(60), text: fc.string({ maxLength: 3 }), rank: fc.integer({ min: -3, max: 0 }) })
      .map(({ pos, text, rank }) => insertion(file, pos, text, rank)),
    fc.record({ pos: fc.nat(60), length: fc.integer({ min: 1, max: 8 }), text: fc.string({ maxLength: 3 }) })
      .map(({ pos, length, text }) => replacement(file, pos, pos + length, text)),
  );

const chain = (edits: TextEdit[]): ChangeChain => ({
  transform: 'sync-to-async', edits, needs: [], changes: [{ file: edits[0]?.file ?? 'a.ts', pos: edits[0]?.pos ?? 0, description: 'c' }],
});

/** The definition: two edits clash when they overlap (identical edits never do). */
function overlaps(a: TextEdit, b: TextEdit): boolean {
  if (a.file !== b.file) return false;
  if (a.pos === b.pos && a.end === b.end && a.text === b.text) return false;
  if (a.end > a.pos && b.end > b.pos) return Math.max(a.pos, b.pos) < Math.min(a.end, b.end);
  if (a.end > a.pos) return b.pos > a.pos && b.pos < a.end;
  if (b.end > b.pos) return a.pos > b.pos && a.pos < b.end;
  return false;
}

describe('dropConflicts (one sweep over sorted edits)', () => {
  it('keeps exactly the chains that overlap no earlier kept chain', () => {
    const chains = fc.array(fc.array(fc.oneof(edit('a.ts'), edit('b.ts')), { minLength: 1, maxLength: 4 }).map(chain), { maxLength: 12 });
    fc.assert(fc.property(chains, (list) => {
      const rolledBack: RolledBackChain[] = [];
      const kept = dropConflicts(list, 'sync-to-async', rolledBack, () => ({ file: 'a.ts', line: 1, column: 1, description: 'c' }));
      const expected: ChangeChain[] = [];
      for (const c of list) {
        if (!c.edits.some((e) => expected.some((k) => k.edits.some((o) => overlaps(e, o))))) expected.push(c);
      }
      expect(kept).toEqual(expected);
      expect(rolledBack).toHaveLength(list.length - expected.length);
    }), fcOptions(500));
  });
});

describe('originalPositions (edits sorted once, binary search per lookup)', () => {
  it('maps every position of the edited text back like a walk over the sorted edits', () => {
    const text = 'x'.repeat(80);
    const scenario = fc.array(edit('a.ts'), { maxLength: 10 }).map((edits) => {
      // Keep a set that applies: no two overlapping (duplicates allowed, applied once).
      const kept: TextEdit[] = [];
      for (const e of edits) if (!kept.some((k) => overlaps(e, k))) kept.push(e);
      return kept;
    });
    fc.assert(fc.property(scenario, (edits) => {
      const edited = applyEdits(text, edits);
      const map = originalPositions(edits);
      // The definition: walk the distinct edits in order, tracking the offset.
      const distinct = [...edits].sort((a, b) => a.pos - b.pos || a.rank - b.rank)
        .filter((e, i, all) => i === 0 || `${e.pos}:${e.end}:${e.rank}:${e.text}` !== `${all[i - 1]!.pos}:${all[i - 1]!.end}:${all[i - 1]!.rank}:${all[i - 1]!.text}`);
      for (let p = 0; p <= edited.length; p++) {
        let delta = 0;
        let expected: number | undefined;
        for (const e of distinct) {
          const start = e.pos + delta;
          if (p < start) {
            expected = p - delta;
            break;
          }
          if (p < start + e.text.length) {
            expected = e.pos;
            break;
          }
          delta += e.text.length - (e.end - e.pos);
        }
        expect(map(p)).toBe(expected ?? p - delta);
      }
    }), fcOptions(300));
  });
});
