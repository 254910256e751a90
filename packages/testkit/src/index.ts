export { findRedisServerBinary, requireRedisServerBinary, RedisServerNotFoundError } from './redis/findRedisServer.js';
export { startRedisServer, freePort, pingOnce, RedisServerStartError } from './redis/startRedisServer.js';
export type { RedisServer, RedisServerOptions } from './redis/startRedisServer.js';
