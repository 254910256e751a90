import { loadSettings } from './settings.js';

export async function port(file) {
  return (await loadSettings(file)).port;
}
