import { readFileSync } from 'node:fs';

export function loadNote(file: string): string {
  return readFileSync(file, 'utf8');
}
