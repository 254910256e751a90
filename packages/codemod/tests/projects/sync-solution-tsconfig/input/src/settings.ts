import { readFileSync } from 'node:fs';

export function loadSettings(path: string): { name: string } {
  return JSON.parse(readFileSync(path, 'utf8')) as { name: string };
}
