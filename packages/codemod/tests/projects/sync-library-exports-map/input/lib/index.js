import { readNote } from './store.js';

// Public API (the exports map's entry module): stays synchronous without --include-exports.
export function loadNote(name) {
  return readNote(`${name}.md`).trim();
}
