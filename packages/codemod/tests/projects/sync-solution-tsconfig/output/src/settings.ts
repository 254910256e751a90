import { readFile } from 'node:fs/promises';

export async function loadSettings(path: string): Promise<{ name: string }> {
  return JSON.parse(await readFile(path, 'utf8')) as { name: string };
}
