import { loadSettings } from '../src/settings.js';

// A caller in the other referenced project: it must be updated with the function it calls.
export async function hasDemoName(path: string): Promise<boolean> {
  return (await loadSettings(path)).name === 'demo';
}
