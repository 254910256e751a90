import { assertBudget, type BudgetCategory, type Budgets, defineBudgets } from '../budgets.js';
import { CircuitBreaker, type CircuitBreakerOptions } from '../CircuitBreaker.js';
import { type OptionKeys, rejectUnknownKeys } from '../internal/rejectUnknownKeys.js';
import type { Logger } from '../Logger.js';
import type { RetryOptions } from '../retry.js';
import { describeUrl, isKnownScheme } from './redactCredentials.js';

type Attributes = Record<string, string | number | boolean>;

/**
 * The part of an OpenTelemetry `Meter` the manager uses (structural, so `@opentelemetry/api`
 * stays an optional peer): pass `metrics.getMeter('my-service')`.
 */
export interface MeterLike {
  createCounter(name: string, options?: { description?: string; unit?: string }): { add(value: number, attributes?: Attributes): void };
  createHistogram(
    name: string,
    options?: { description?: string; unit?: string; advice?: { explicitBucketBoundaries?: number[] } },
  ): { record(value: number, attributes?: Attributes): void };
  createObservableGauge?(
    name: string,
    options?: { description?: string; unit?: string },
  ): {
    addCallback(callback: (result: { observe(value: number, attributes?: Attributes) : void }) => void): void;
    removeCallback?(callback: (result: { observe(value: number, attributes?: Attributes) : void }) => void): void;
  };
}

export interface RedisNodeAddress {
  host: string;
  port: number;
}

export interface RedisSentinelOptions {
  /** Sentinel addresses. */
  sentinels: readonly RedisNodeAddress[];
  /** The monitored master's name. */
  name: string;
  role?: 'master' | 'slave';
  sentinelUsername?: string;
  sentinelPassword?: string;
}

export interface RedisClusterOptions {
  /** Seed nodes: `{ host, port }` or `redis://host:port`. */
  nodes: readonly (RedisNodeAddress | string)[];
  /** Send reads to replicas too. Default `'master'`. */
  scaleReads?: 'master' | 'slave' | 'all';
  /** Address translation for NAT/Docker setups. */
  natMap?: Record<string, RedisNodeAddress>;
}

/**
 * Breaker settings, in the words of {@link CircuitBreakerOptions}. Default: open after 5
 * consecutive failures (timeouts, connection errors — not server error replies), half-open after
 * 5 s. Pass a `CircuitBreaker` to share one across managers.
 */
export type RedisBreakerSettings = Omit<CircuitBreakerOptions, 'isFailure' | 'name'> & {
  /**
   * When the health monitor's PING gets an answer while the breaker is open, move it to
   * half-open at once (the next call is the trial) instead of waiting out `halfOpenAfterMs`.
   * Default `true`; `false` keeps the plain reset timeout.
   */
  halfOpenOnPing?: boolean;
};

/** Read retries, in the words of {@link RetryOptions}. Default: 3 attempts, 20 ms initial backoff cap, 250 ms max, full jitter. */
export type RedisRetrySettings = Pick<RetryOptions, 'maxAttempts' | 'initialDelayMs' | 'maxDelayMs' | 'factor' | 'random'>;

/** The in-flight bound, in the words of `BulkheadOptions`. */
export interface RedisBulkheadSettings {
  /** Commands in flight on the shared connection at once. Default 10000. */
  maxConcurrent?: number;
  /** Commands that may wait for a slot, and separately for a (re)connection. Default 1000. */
  maxQueue?: number;
}

export interface BlockingPoolSettings {
  /** Dedicated connections for blocking commands (BLPOP, XREAD BLOCK, …). Default 4. */
  max?: number;
  /** Callers that may wait for a free blocking connection. Default 100. */
  maxWaiting?: number;
}

export interface ReconnectSettings {
  /** First reconnect delay. Default 50 ms. */
  minDelayMs?: number;
  /** Largest reconnect delay (with jitter). Default 2000 ms. */
  maxDelayMs?: number;
}

export interface RedisManagerOptions {
  /** Registry name for `getRedisManager()`. Default `'default'`. */
  name?: string;
  /** `redis://[user:password@]host:port[/db]` or `rediss://…`. */
  url?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  db?: number;
  /** Use TLS (implied by `rediss://`). */
  tls?: boolean;
  sentinel?: RedisSentinelOptions;
  cluster?: RedisClusterOptions;
  /** Prefix added to every key. */
  keyPrefix?: string;
  /** Per-category budgets in ms; unspecified categories keep `DEFAULT_BUDGETS`. */
  budgets?: Partial<Record<BudgetCategory, number>>;
  /** TCP connect timeout. Default: the `redis` budget. */
  connectTimeoutMs?: number;
  reconnect?: ReconnectSettings;
  /** Breaker settings, or a `CircuitBreaker` to use; `false` disables the breaker. */
  breaker?: RedisBreakerSettings | CircuitBreaker | false;
  /** Read retries (inside the budget); `false` disables them. Writes are never retried unless a call asks. */
  retry?: RedisRetrySettings | false;
  bulkhead?: RedisBulkheadSettings;
  blockingPool?: BlockingPoolSettings;
  /** PING interval of the health monitor; 0 disables it. Default 5000 ms. */
  healthIntervalMs?: number;
  /** A PING slower than this marks the connection degraded. Default 250 ms. */
  slowPingMs?: number;
  /** Where log lines go (pino-style `logger.warn(fields, message)`); credentials never appear in them. */
  logger?: Logger;
  meter?: MeterLike;
}

/** Options after defaults and validation. */
export interface ResolvedRedisManagerOptions {
  name: string;
  mode: 'standalone' | 'sentinel' | 'cluster';
  host: string;
  port: number;
  username: string | undefined;
  password: string | undefined;
  db: number;
  tls: boolean;
  sentinel: RedisSentinelOptions | undefined;
  cluster: { nodes: RedisNodeAddress[]; scaleReads: 'master' | 'slave' | 'all'; natMap: Record<string, RedisNodeAddress> | undefined } | undefined;
  keyPrefix: string;
  budgets: Budgets;
  connectTimeoutMs: number;
  reconnect: Required<ReconnectSettings>;
  breaker: CircuitBreaker | false;
  /** Whether a health PING that gets an answer moves an open breaker to half-open at once. */
  breakerHalfOpenOnPing: boolean;
  /** Whether the breaker only counts consecutive failures (then successes need no recording while closed). */
  breakerConsecutiveOnly: boolean;
  retry: { maxAttempts: number; initialDelayMs: number; maxDelayMs: number; factor: number; random: () => number } | false;
  bulkhead: Required<RedisBulkheadSettings>;
  blockingPool: Required<BlockingPoolSettings>;
  healthIntervalMs: number;
  slowPingMs: number;
  logger: Logger | undefined;
  meter: MeterLike | undefined;
  /** Every credential given, for redaction. */
  secrets: string[];
  /** `redis://host:port/db` with no credentials, for log lines and messages. */
  description: string;
}

const KNOWN = new Set<string>([
  'name', 'url', 'host', 'port', 'username', 'password', 'db', 'tls', 'sentinel', 'cluster', 'keyPrefix', 'budgets',
  'connectTimeoutMs', 'reconnect', 'breaker', 'retry', 'bulkhead', 'blockingPool', 'healthIntervalMs', 'slowPingMs',
  'logger', 'meter',
]);

const SENTINEL_KEYS: OptionKeys<RedisSentinelOptions> = { sentinels: true, name: true, role: true, sentinelUsername: true, sentinelPassword: true };
const CLUSTER_KEYS: OptionKeys<RedisClusterOptions> = { nodes: true, scaleReads: true, natMap: true };
const RECONNECT_KEYS: OptionKeys<ReconnectSettings> = { minDelayMs: true, maxDelayMs: true };
const BULKHEAD_KEYS: OptionKeys<RedisBulkheadSettings> = { maxConcurrent: true, maxQueue: true };
const BLOCKING_POOL_KEYS: OptionKeys<BlockingPoolSettings> = { max: true, maxWaiting: true };
const RETRY_KEYS: OptionKeys<RedisRetrySettings> = { maxAttempts: true, initialDelayMs: true, maxDelayMs: true, factor: true, random: true };

/** `options[key]`, when given: must be a plain object with only known keys. */
function nested<T extends object>(value: T | undefined, key: string, known: OptionKeys<T>): T | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object') fail(`${key} must be an object`);
  rejectUnknownKeys(value, known, 'RedisManager', `${key}.`);
  return value;
}

function fail(message: string): never {
  throw new TypeError(`RedisManager: ${message}`);
}

function positiveInt(value: unknown, what: string, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    fail(`${what} must be an integer >= ${min}, got ${typeof value === 'number' ? value : typeof value}`);
  }
  return value;
}

function port(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    fail(`${what} must be an integer from 1 to 65535, got ${typeof value === 'number' ? value : JSON.stringify(value)}`);
  }
  return value;
}

function parseNode(node: RedisNodeAddress | string, what: string): RedisNodeAddress {
  if (typeof node === 'string') {
    const url = parseUrl(node, what);
    return { host: url.hostname, port: url.port === '' ? 6379 : port(Number(url.port), `${what} port`) };
  }
  if (node === null || typeof node !== 'object' || typeof node.host !== 'string' || node.host === '') fail(`${what} must be { host, port } or a redis:// URL`);
  return { host: node.host, port: port(node.port, `${what}.port`) };
}

function parseUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    fail(`${what} is not a valid URL: ${describeUrl(text)} (write '%', '/', '?', '#' and '@' in a user name or password as %25, %2F, %3F, %23 and %40)`);
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== 'redis' && scheme !== 'rediss') fail(`${what} must start with redis:// or rediss://${isKnownScheme(scheme) ? `, got ${scheme}://` : ''}`);
  // An '@' past the user-info means the user name or password held a '/', '?' or '#' that ended
  // it early: the rest of the secret would be read as a host, a database or a fragment.
  const authority = text.indexOf('//') + 2;
  const ends = ['/', '?', '#'].map((c) => text.indexOf(c, authority)).filter((i) => i >= 0);
  if (text.lastIndexOf('@') >= (ends.length === 0 ? text.length : Math.min(...ends))) {
    fail(`${what} has an '@' after its user-info: ${describeUrl(text)} (write '/', '?', '#' and '@' in a user name or password as %2F, %3F, %23 and %40)`);
  }
  if (url.hostname === '') fail(`${what} has no host: ${describeUrl(text)}`);
  return url;
}

/** A percent-decoded URL part; a malformed escape is named by `what`, never shown. */
function decodeUrlPart(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    fail(`${what} holds a malformed percent-escape (write a literal '%' as %25)`);
  }
}

/** Validates `options`, applies defaults and returns the resolved form. Errors name the option. */
export function resolveRedisManagerOptions(options: RedisManagerOptions = {}): ResolvedRedisManagerOptions {
  if (options === null || typeof options !== 'object') fail('options must be an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) fail(`unknown option "${key}"`);
  }
  const name = options.name ?? 'default';
  if (typeof name !== 'string' || name === '') fail('name must be a non-empty string');

  let host = options.host ?? '127.0.0.1';
  let portNumber = options.port === undefined ? 6379 : port(options.port, 'port');
  let username = options.username;
  let password = options.password;
  let db = options.db ?? 0;
  let tls = options.tls ?? false;
  /** The URL's password as written (percent-encoded), redacted like the decoded one. */
  const urlSecrets: string[] = [];
  if (options.url !== undefined) {
    if (typeof options.url !== 'string') fail('url must be a string');
    const url = parseUrl(options.url, 'url');
    host = url.hostname.replace(/^\[|\]$/g, '');
    if (url.port !== '') portNumber = port(Number(url.port), 'url port');
    if (url.username !== '') {
      username = decodeUrlPart(url.username, 'url user name');
    }
    if (url.password !== '') {
      password = decodeUrlPart(url.password, 'url password');
      urlSecrets.push(url.password);
    }
    const path = url.pathname.replace(/^\//, '');
    if (path !== '') {
      const n = Number(path);
      if (!Number.isInteger(n) || n < 0) fail(`url database must be a non-negative integer, got "${path}"`);
      db = n;
    }
    if (url.protocol === 'rediss:') tls = true;
  }
  if (typeof host !== 'string' || host === '') fail('host must be a non-empty string');
  if (!Number.isInteger(db) || db < 0) fail(`db must be a non-negative integer, got ${String(db)}`);

  const modes = [options.sentinel !== undefined, options.cluster !== undefined].filter(Boolean).length;
  if (modes > 1) fail('sentinel and cluster are mutually exclusive');
  let sentinel: RedisSentinelOptions | undefined;
  if (options.sentinel !== undefined) {
    const s = options.sentinel;
    nested(s, 'sentinel', SENTINEL_KEYS);
    if (!Array.isArray(s.sentinels) || s.sentinels.length === 0) fail('sentinel.sentinels must list at least one { host, port }');
    if (typeof s.name !== 'string' || s.name === '') fail('sentinel.name must name the monitored master');
    sentinel = { ...s, sentinels: s.sentinels.map((n, i) => parseNode(n, `sentinel.sentinels[${i}]`)) };
  }
  let cluster: ResolvedRedisManagerOptions['cluster'];
  if (options.cluster !== undefined) {
    const c = options.cluster;
    nested(c, 'cluster', CLUSTER_KEYS);
    if (!Array.isArray(c.nodes) || c.nodes.length === 0) fail('cluster.nodes must list at least one seed node');
    if (db !== 0) fail('db must be 0 with cluster (Redis Cluster has one database)');
    const scaleReads = c.scaleReads ?? 'master';
    if (!['master', 'slave', 'all'].includes(scaleReads)) fail(`cluster.scaleReads must be 'master', 'slave' or 'all', got ${JSON.stringify(scaleReads)}`);
    cluster = { nodes: c.nodes.map((n, i) => parseNode(n, `cluster.nodes[${i}]`)), scaleReads, natMap: c.natMap };
  }

  let budgets: Budgets;
  try {
    budgets = defineBudgets(options.budgets ?? {});
  } catch (err) {
    fail((err as Error).message.replace(/^defineBudgets: /, 'budgets: '));
  }
  // A zero budget would time out every call before it is sent (and, for `redis`, every connect).
  if (budgets.redis === 0) fail(`budgets.redis must be greater than 0${options.connectTimeoutMs === undefined ? ' (it is also the connect timeout unless connectTimeoutMs is set)' : ''}`);
  if (budgets.redisScan === 0) fail('budgets.redisScan must be greater than 0');
  const connectTimeoutMs = options.connectTimeoutMs === undefined ? budgets.redis : assertBudget(options.connectTimeoutMs, 'RedisManager: connectTimeoutMs');
  if (connectTimeoutMs === 0) fail('connectTimeoutMs must be greater than 0');
  nested(options.reconnect, 'reconnect', RECONNECT_KEYS);
  nested(options.bulkhead, 'bulkhead', BULKHEAD_KEYS);
  nested(options.blockingPool, 'blockingPool', BLOCKING_POOL_KEYS);

  const reconnect = {
    minDelayMs: options.reconnect?.minDelayMs === undefined ? 50 : assertBudget(options.reconnect.minDelayMs, 'RedisManager: reconnect.minDelayMs'),
    maxDelayMs: options.reconnect?.maxDelayMs === undefined ? 2000 : assertBudget(options.reconnect.maxDelayMs, 'RedisManager: reconnect.maxDelayMs'),
  };
  if (reconnect.maxDelayMs < reconnect.minDelayMs) fail('reconnect.maxDelayMs must be >= reconnect.minDelayMs');

  let breaker: CircuitBreaker | false = false;
  let breakerConsecutiveOnly = false;
  let breakerHalfOpenOnPing = true;
  if (options.breaker instanceof CircuitBreaker) {
    breaker = options.breaker;
  } else if (options.breaker !== false) {
    const b = options.breaker ?? {};
    if (b === null || typeof b !== 'object') fail('breaker must be an object, a CircuitBreaker or false');
    const { halfOpenOnPing = true, ...rest } = b;
    if (typeof halfOpenOnPing !== 'boolean') fail('breaker.halfOpenOnPing must be a boolean');
    breakerHalfOpenOnPing = halfOpenOnPing;
    const settings: CircuitBreakerOptions = { halfOpenAfterMs: 5000, ...rest, name: `redis:${name}` };
    if (settings.consecutiveFailures === undefined && settings.failureRate === undefined && settings.slowCalls === undefined) settings.consecutiveFailures = 5;
    breakerConsecutiveOnly = settings.failureRate === undefined && settings.slowCalls === undefined;
    try {
      breaker = new CircuitBreaker(settings);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const unknown = /^CircuitBreaker: unknown option "([^"]*)"/.exec(message);
      fail(unknown !== null ? `unknown option "breaker.${unknown[1]}"` : `breaker.${message.replace(/^CircuitBreaker: options\./, '')}`);
    }
  }
  let retry: ResolvedRedisManagerOptions['retry'] = false;
  if (options.retry !== false) {
    const r = options.retry ?? {};
    if (r === null || typeof r !== 'object') fail('retry must be an object or false');
    rejectUnknownKeys(r, RETRY_KEYS, 'RedisManager', 'retry.');
    retry = {
      maxAttempts: positiveInt(r.maxAttempts ?? 3, 'retry.maxAttempts'),
      initialDelayMs: assertBudget(r.initialDelayMs ?? 20, 'RedisManager: retry.initialDelayMs'),
      maxDelayMs: assertBudget(r.maxDelayMs ?? 250, 'RedisManager: retry.maxDelayMs'),
      factor: r.factor ?? 2,
      random: r.random ?? Math.random,
    };
    if (!(retry.factor >= 1 && Number.isFinite(retry.factor))) fail(`retry.factor must be a finite number >= 1, got ${String(retry.factor)}`);
    if (typeof retry.random !== 'function') fail('retry.random must be a function');
  }
  const bulkhead = {
    maxConcurrent: positiveInt(options.bulkhead?.maxConcurrent ?? 10_000, 'bulkhead.maxConcurrent'),
    maxQueue: positiveInt(options.bulkhead?.maxQueue ?? 1000, 'bulkhead.maxQueue', 0),
  };
  const blockingPool = {
    max: positiveInt(options.blockingPool?.max ?? 4, 'blockingPool.max'),
    maxWaiting: positiveInt(options.blockingPool?.maxWaiting ?? 100, 'blockingPool.maxWaiting', 0),
  };
  const healthIntervalMs = assertBudget(options.healthIntervalMs ?? 5000, 'RedisManager: healthIntervalMs');
  const slowPingMs = assertBudget(options.slowPingMs ?? 250, 'RedisManager: slowPingMs');
  if (options.logger !== undefined && (options.logger === null || (['debug', 'info', 'warn', 'error'] as const).some((l) => typeof options.logger?.[l] !== 'function'))) {
    fail('logger must have debug, info, warn and error methods (pino-style: (fields, message))');
  }
  if (options.meter !== undefined && (options.meter === null || typeof options.meter.createCounter !== 'function')) {
    fail('meter must be an OpenTelemetry Meter (createCounter, createHistogram)');
  }
  const keyPrefix = options.keyPrefix ?? '';
  if (typeof keyPrefix !== 'string') fail('keyPrefix must be a string');

  const secrets = [...new Set([password, options.sentinel?.sentinelPassword, ...urlSecrets])].filter((s): s is string => typeof s === 'string' && s !== '');
  const description =
    cluster !== undefined
      ? `redis-cluster://${cluster.nodes.map((n) => `${n.host}:${n.port}`).join(',')}`
      : sentinel !== undefined
        ? `redis-sentinel://${sentinel.sentinels.map((n) => `${n.host}:${n.port}`).join(',')}/${sentinel.name}`
        : `${tls ? 'rediss' : 'redis'}://${host}:${portNumber}/${db}`;

  return {
    name,
    mode: cluster !== undefined ? 'cluster' : sentinel !== undefined ? 'sentinel' : 'standalone',
    host,
    port: portNumber,
    username,
    password,
    db,
    tls,
    sentinel,
    cluster,
    keyPrefix,
    budgets,
    connectTimeoutMs,
    reconnect,
    breaker,
    breakerConsecutiveOnly,
    breakerHalfOpenOnPing,
    retry,
    bulkhead,
    blockingPool,
    healthIntervalMs,
    slowPingMs,
    logger: options.logger,
    meter: options.meter,
    secrets,
    description,
  };
}
