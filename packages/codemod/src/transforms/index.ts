import type { TransformId } from '../report.js';
import { addMissingAwait } from './add-missing-await.js';
import { redisManager } from './redis-manager.js';
import { redisTimeouts } from './redis-timeouts.js';
import { syncToAsync } from './sync-to-async.js';
import { thenToAwait } from './then-to-await.js';
import type { Transform } from './Transform.js';

export const TRANSFORMS: Readonly<Record<TransformId, Transform>> = {
  'sync-to-async': syncToAsync,
  'redis-manager': redisManager,
  'redis-timeouts': redisTimeouts,
  'add-missing-await': addMissingAwait,
  'then-to-await': thenToAwait,
};
