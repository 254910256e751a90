import type { Transform } from './Transform.js';

export const addMissingAwait: Transform = {
  id: 'add-missing-await',
  summary: 'todo',
  run: () => ({ chains: [], stops: [] }),
};
