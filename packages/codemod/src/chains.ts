import type { ImportPlanner } from './ImportPlanner.js';
import type { RolledBackChain, TransformId } from './report.js';
import type { TextEdit } from './textEdit.js';
import type { ChangeChain } from './transforms/Transform.js';
import type { ts } from 'ts-morph';

/** Change chains as runCodemod combines them: the files they touch, conflicts, their merged edits. */

export function chainFiles(chain: ChangeChain): Set<string> {
  const files = new Set<string>();
  for (const edit of chain.edits) files.add(edit.file);
  for (const need of chain.needs) files.add(need.file);
  return files;
}

/** Where a chain is shown in the report: its first change, at its line and column on disk. */
export interface ChainLocation {
  file: string;
  line: number;
  column: number;
  description: string;
}

/**
 * Drops chains whose edits overlap an earlier accepted chain's (reported as rolled back). The
 * overlapping pairs come from one sweep over the edits sorted by position (cost n log n plus the
 * pairs found), not from comparing every edit with every accepted one.
 */
export function dropConflicts(
  chains: ChangeChain[], id: TransformId, rolledBack: RolledBackChain[], where: (chain: ChangeChain) => ChainLocation,
): ChangeChain[] {
  const clashes = clashingChains(chains);
  const accepted: ChangeChain[] = [];
  const isAccepted = new Uint8Array(chains.length);
  for (const [index, chain] of chains.entries()) {
    const clash = [...(clashes.get(index) ?? [])].some((other) => other < index && isAccepted[other] === 1);
    if (clash) {
      const at = where(chain);
      rolledBack.push({ transform: id, ...at, description: `${at.description} (its edits overlap another change; run the codemod again)`, diagnostics: [] });
      continue;
    }
    isAccepted[index] = 1;
    accepted.push(chain);
  }
  return accepted;
}

/** For each chain (by index), the other chains with an edit overlapping one of its edits. */
function clashingChains(chains: readonly ChangeChain[]): Map<number, Set<number>> {
  const byFile = new Map<string, Array<{ edit: TextEdit; chain: number }>>();
  for (const [chain, c] of chains.entries()) {
    for (const edit of c.edits) {
      let list = byFile.get(edit.file);
      if (list === undefined) byFile.set(edit.file, (list = []));
      list.push({ edit, chain });
    }
  }
  const clashes = new Map<number, Set<number>>();
  const note = (x: number, y: number): void => {
    let set = clashes.get(x);
    if (set === undefined) clashes.set(x, (set = new Set()));
    set.add(y);
  };
  for (const list of byFile.values()) {
    list.sort((x, y) => x.edit.pos - y.edit.pos);
    // Replacements (non-empty edits) seen so far that still reach past the current position.
    let open: Array<{ edit: TextEdit; chain: number }> = [];
    for (const item of list) {
      open = open.filter((o) => o.edit.end > item.edit.pos);
      for (const o of open) {
        if (o.chain !== item.chain && overlaps(item.edit, o.edit)) {
          note(item.chain, o.chain);
          note(o.chain, item.chain);
        }
      }
      if (item.edit.end > item.edit.pos) open.push(item);
    }
  }
  return clashes;
}

function overlaps(a: TextEdit, b: TextEdit): boolean {
  if (a.pos === b.pos && a.end === b.end && a.text === b.text) return false;
  if (a.end > a.pos && b.end > b.pos) return Math.max(a.pos, b.pos) < Math.min(a.end, b.end);
  if (a.end > a.pos) return b.pos > a.pos && b.pos < a.end;
  if (b.end > b.pos) return a.pos > b.pos && a.pos < b.end;
  return false;
}

export function materialize(active: readonly ChangeChain[], sources: Map<string, ts.SourceFile>, planner: ImportPlanner): Map<string, TextEdit[]> {
  const edits = new Map<string, TextEdit[]>();
  const needs = new Map<string, ChangeChain['needs']>();
  for (const chain of active) {
    for (const edit of chain.edits) {
      let list = edits.get(edit.file);
      if (list === undefined) edits.set(edit.file, (list = []));
      list.push(edit);
    }
    for (const need of chain.needs) {
      let list = needs.get(need.file);
      if (list === undefined) needs.set(need.file, (list = []));
      list.push(need);
    }
  }
  for (const [fileName, list] of needs) {
    const sf = sources.get(fileName);
    if (sf === undefined) continue;
    let fileEdits = edits.get(fileName);
    if (fileEdits === undefined) edits.set(fileName, (fileEdits = []));
    fileEdits.push(...planner.materialize(sf, list));
  }
  return edits;
}
