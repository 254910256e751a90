import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import type { ResolvedRedisManagerOptions } from './RedisManagerOptions.js';

export interface IoredisModule {
  Redis: typeof import('ioredis').Redis;
  Cluster: typeof import('ioredis').Cluster;
  Command: typeof import('ioredis').Command;
}
export type IoredisClient = Redis | Cluster;

let loading: Promise<IoredisModule> | undefined;

/**
 * Loads ioredis on first use, so `@asyncguard/runtime` imports without it (it is an optional
 * peer) and only services that create a RedisManager need it installed.
 */
export function loadIoredis(): Promise<IoredisModule> {
  if (loading !== undefined) return loading;
  loading = import('ioredis').then(
    (mod): IoredisModule => ({ Redis: mod.Redis, Cluster: mod.Cluster, Command: mod.Command }),
    (err: unknown) => {
      loading = undefined;
      throw new Error('RedisManager needs the "ioredis" package (npm install ioredis@5)', { cause: err });
    },
  );
  return loading;
}

/** Reconnect delay with exponential growth and full jitter, capped. */
export function reconnectDelay(attempt: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt - 1, 20));
  return Math.round(minMs + random() * Math.max(0, ceiling - minMs));
}

/**
 * The ioredis options that end every known way a call hangs or piles up:
 * - `lazyConnect`: nothing connects until the manager decides to;
 * - `enableOfflineQueue: false`: ioredis never queues a command while disconnected (the manager
 *   keeps its own bounded wait instead);
 * - `maxRetriesPerRequest: 0` + `autoResendUnfulfilledCommands: false`: commands in flight when
 *   a connection drops are rejected at once rather than resent on the next connection;
 * - `connectTimeout`: a connect that gets no answer is abandoned;
 * - a capped, jittered `retryStrategy` so reconnects never stop but never storm.
 */
export function hardenedRedisOptions(options: ResolvedRedisManagerOptions, extra: Partial<RedisOptions> = {}): RedisOptions {
  const { reconnect } = options;
  const base: RedisOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    enableReadyCheck: true,
    connectTimeout: options.connectTimeoutMs,
    // Replies for commands the manager gave up on are still read and matched in order; the
    // client-side timeout lives in the manager, not in ioredis.
    commandTimeout: undefined,
    retryStrategy: (times: number) => reconnectDelay(times, reconnect.minDelayMs, reconnect.maxDelayMs),
    // Re-establishes a connection on READONLY (a failed-over master turned replica).
    reconnectOnError: (err: Error) => (err.message.startsWith('READONLY') ? 2 : false),
    keepAlive: 10_000,
    noDelay: true,
    // The manager destroys sockets itself on close; ioredis' fallback timer for a FIN that never
    // gets answered (a stalled peer) must not outlive close() by seconds.
    disconnectTimeout: 50,
    // Applies to pipelines and MULTI built on the client; the manager's own commands carry it too.
    keyPrefix: options.keyPrefix === '' ? undefined : options.keyPrefix,
  };
  if (options.mode === 'standalone') {
    Object.assign(base, { host: options.host, port: options.port, db: options.db });
  }
  if (options.mode === 'sentinel' && options.sentinel !== undefined) {
    const s = options.sentinel;
    Object.assign(base, {
      sentinels: s.sentinels.map((n) => ({ host: n.host, port: n.port })),
      name: s.name,
      role: s.role ?? 'master',
      db: options.db,
      sentinelUsername: s.sentinelUsername,
      sentinelPassword: s.sentinelPassword,
      sentinelRetryStrategy: (times: number) => (times > 3 ? null : reconnectDelay(times, reconnect.minDelayMs, reconnect.maxDelayMs)),
    });
  }
  if (options.username !== undefined) base.username = options.username;
  if (options.password !== undefined) base.password = options.password;
  if (options.tls) base.tls = {};
  return { ...base, ...extra };
}

export function hardenedClusterOptions(options: ResolvedRedisManagerOptions, extra: Partial<RedisOptions> = {}): ClusterOptions {
  const { reconnect } = options;
  const cluster = options.cluster;
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: true,
    maxRedirections: 16,
    retryDelayOnMoved: 0,
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: Math.min(options.connectTimeoutMs, 2000),
    clusterRetryStrategy: (times: number) => reconnectDelay(times, reconnect.minDelayMs, reconnect.maxDelayMs),
    scaleReads: cluster?.scaleReads ?? 'master',
    keyPrefix: options.keyPrefix === '' ? undefined : options.keyPrefix,
    natMap: cluster?.natMap,
    // Node connections: ioredis forces its own offline queue and no reconnect for them (a lost
    // node is found again through MOVED and a slots refresh); the manager times every call.
    redisOptions: {
      connectTimeout: options.connectTimeoutMs,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      keepAlive: 10_000,
      noDelay: true,
      disconnectTimeout: 50,
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(options.password === undefined ? {} : { password: options.password }),
      ...(options.tls ? { tls: {} } : {}),
      ...extra,
    },
  };
}

/** Creates the (not yet connected) client for `options`. */
export function createIoredisClient(io: IoredisModule, options: ResolvedRedisManagerOptions, extra: Partial<RedisOptions> = {}): IoredisClient {
  if (options.mode === 'cluster' && options.cluster !== undefined) {
    return new io.Cluster(
      options.cluster.nodes.map((n) => ({ host: n.host, port: n.port })),
      hardenedClusterOptions(options, extra),
    );
  }
  return new io.Redis(hardenedRedisOptions(options, extra));
}
