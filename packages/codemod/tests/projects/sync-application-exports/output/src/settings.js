import { readFile } from 'node:fs/promises';

export async function loadSettings(file) {
  return JSON.parse(await readFile(file, 'utf8'));
}
