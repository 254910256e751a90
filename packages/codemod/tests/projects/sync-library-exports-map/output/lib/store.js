import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

// Internal modules (the exports map does not open them) convert with their callers, unless a caller
// is public API: readNote is called by loadNote, so it stays synchronous; readRaw converts.
export function readNote(file) {
  return readFileSync(file, 'utf8');
}

export async function readRaw(file) {
  return readFile(file);
}
