export { describeWithRedis, redisTestsAvailable, useRedisServer } from './vitest/redis.js';
