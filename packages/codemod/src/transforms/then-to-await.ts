import type { Transform } from './Transform.js';

export const thenToAwait: Transform = {
  id: 'then-to-await',
  summary: 'todo',
  run: () => ({ chains: [], stops: [] }),
};
