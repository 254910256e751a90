import type { Transform } from './Transform.js';

export const redisManager: Transform = {
  id: 'redis-manager',
  summary: 'todo',
  run: () => ({ chains: [], stops: [] }),
};
