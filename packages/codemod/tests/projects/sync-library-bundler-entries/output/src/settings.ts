import { readFile } from 'node:fs/promises';

export interface Settings {
  name: string;
}

export async function readSettings(file: string): Promise<Settings> {
  return JSON.parse(await readFile(file, 'utf8')) as Settings;
}
