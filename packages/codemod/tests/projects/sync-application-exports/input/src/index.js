import { loadSettings } from './settings.js';

export function port(file) {
  return loadSettings(file).port;
}
