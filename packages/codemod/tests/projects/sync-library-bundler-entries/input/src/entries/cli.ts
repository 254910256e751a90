import { readSettings } from '../settings.js';

export async function main(file: string): Promise<void> {
  const settings = readSettings(file);
  console.log(settings.name);
}
