import type { Transform } from './Transform.js';

export const redisTimeouts: Transform = {
  id: 'redis-timeouts',
  summary: 'todo',
  run: () => ({ chains: [], stops: [] }),
};
