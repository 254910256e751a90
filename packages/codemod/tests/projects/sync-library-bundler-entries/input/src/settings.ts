import { readFileSync } from 'node:fs';

export interface Settings {
  name: string;
}

export function readSettings(file: string): Settings {
  return JSON.parse(readFileSync(file, 'utf8')) as Settings;
}
