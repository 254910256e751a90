/**
 * A text edit on one file of the original program. Zero-length edits are insertions. Edits at the
 * same position apply in `rank` order (lower first), so nested insertions compose:
 * `prefixRank(node)` puts an outer node's opening before an inner one's, `suffixRank(node)` closes
 * the inner node first, and replacements starting there come after every insertion.
 */
export interface TextEdit {
  file: string;
  pos: number;
  end: number;
  text: string;
  rank: number;
}

const SUFFIX_BAND = -4e9;
const PREFIX_BAND = -2e9;

const SPAN = 1.5e9;

export function prefixRank(nodeEnd: number): number {
  return PREFIX_BAND - Math.min(nodeEnd, SPAN);
}

export function suffixRank(nodeStart: number): number {
  return SUFFIX_BAND - Math.min(nodeStart, SPAN);
}

export const REPLACE_RANK = 1;

export function insertion(file: string, pos: number, text: string, rank: number): TextEdit {
  return { file, pos, end: pos, text, rank };
}

export function replacement(file: string, pos: number, end: number, text: string): TextEdit {
  return { file, pos, end, text, rank: REPLACE_RANK };
}

export class EditConflictError extends Error {
  override readonly name = 'EditConflictError';
}

/** Applies edits of one file to its text. Throws `EditConflictError` when two edits overlap. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.pos - b.pos || a.rank - b.rank);
  let out = '';
  let cursor = 0;
  let lastKey = '';
  for (const edit of sorted) {
    const key = `${edit.pos}:${edit.end}:${edit.rank}:${edit.text}`;
    if (key === lastKey) continue; // the same edit asked for twice (e.g. by two chains' shared needs)
    lastKey = key;
    if (edit.pos < cursor) {
      throw new EditConflictError(`overlapping edits at offset ${edit.pos} in ${edit.file}`);
    }
    out += text.slice(cursor, edit.pos) + edit.text;
    cursor = edit.end;
  }
  return out + text.slice(cursor);
}
