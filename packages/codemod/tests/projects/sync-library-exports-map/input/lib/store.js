import { readFileSync } from 'node:fs';

// Internal modules (the exports map does not open them) convert with their callers, unless a caller
// is public API: readNote is called by loadNote, so it stays synchronous; readRaw converts.
export function readNote(file) {
  return readFileSync(file, 'utf8');
}

export function readRaw(file) {
  return readFileSync(file);
}
