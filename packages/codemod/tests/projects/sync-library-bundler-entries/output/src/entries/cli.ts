import { readSettings } from '../settings.js';

export async function main(file: string): Promise<void> {
  const settings = await readSettings(file);
  console.log(settings.name);
}
