/**
 * No credential reaches a message, a stack, a cause, an enumerable field, a log line, a metric
 * attribute, `health()` or `stats()` — whatever characters the user name and password hold
 * (`/ @ : % # ?`, spaces, unicode) and however malformed the URL is. Each secret carries a
 * marker in its middle, with arbitrary characters on both sides; the marker must never show.
 */
import { createServer } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../Logger.js';
import { closeAllRedisManagers, createRedisManager, getRedisManager } from './getRedisManager.js';
import type { MeterLike, RedisManagerOptions } from './RedisManagerOptions.js';
import { resolveRedisManagerOptions } from './RedisManagerOptions.js';
import { describeUrl, redactCredentials, redactError } from './redactCredentials.js';

const MARK = 'Sup3rS3cretPW';
const marked = (text: string): boolean => text.toLowerCase().includes(MARK.toLowerCase());

/** Characters that end or split URL parts, plus the rest of the string space. */
const tricky = fc.oneof(
  fc.constantFrom('/', '@', ':', '%', '#', '?', ' ', '\\', '[', ']', '"', "'", '%2F', '%40', '%zz', '%', 'é', '密码', '🔑', '\t', '\n', '://', 'redis://'),
  fc.string({ unit: 'binary', maxLength: 3 }),
);
const around = fc.array(tricky, { maxLength: 4 }).map((parts) => parts.join(''));
/** A secret: arbitrary characters around the marker. */
const secret = fc.tuple(around, around).map(([a, b]) => `${a}${MARK}${b}`);

const scheme = fc.constantFrom('redis://', 'rediss://', 'REDIS://', 'redis:/', 'redis:', '', 'http://', 'Redis+Sentinel://', 'x');
const host = fc.constantFrom('127.0.0.1', 'cache.internal', '[::1]', '', 'h', '[bad');
const tail = fc.constantFrom('', ':6379', ':1/0', '/3', ':99999', ':x', '/db', '?family=6', '#frag', '/0@');

/** URLs with credentials: well formed, unencoded, half encoded and broken in every part. */
const urlWithSecret = fc.oneof(
  fc.tuple(scheme, secret, host, tail).map(([s, pw, h, t]) => `${s}:${pw}@${h}${t}`),
  fc.tuple(scheme, secret, host, tail).map(([s, user, h, t]) => `${s}${user}:pw@${h}${t}`),
  fc.tuple(scheme, secret, host, tail).map(([s, pw, h, t]) => `${s}user:${encodeURIComponent(pw)}@${h}${t}`),
  fc.tuple(scheme, secret, secret, host, tail).map(([s, user, pw, h, t]) => `${s}${user}:${pw}@${h}${t}`),
  fc.tuple(scheme, secret, around).map(([s, pw, rest]) => `${s}:${pw}${rest}`),
  fc.tuple(secret, around).map(([pw, rest]) => `${pw}${rest}`),
);

/**
 * The one case no rule can catch: the mark in the host's place, after the URL's last '@' or as its host (a password holding '@' in a
 * URL that lost its host: `redis://:x@Sup3rS3cretPW` is a valid URL whose host is that text).
 */
const afterLastAt = (url: string): boolean => (url.includes('@') && marked(url.slice(url.lastIndexOf('@') + 1))) || marked(hostOf(url));

/** The host a URL parser reads (`redis://Sup3rS3cretPW` names a host, however unlikely). */
function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/** Every string reachable from `value`: message, stack, cause chain, enumerable fields. */
function texts(value: unknown, seen = new Set<unknown>()): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object' || seen.has(value)) return value === undefined ? [] : [String(value)];
  seen.add(value);
  const out: string[] = [];
  if (value instanceof Error) {
    out.push(value.message, value.stack ?? '', String(value));
    if ('cause' in value) out.push(...texts(value.cause, seen));
  }
  for (const [key, field] of Object.entries(value)) out.push(key, ...texts(field, seen));
  return out;
}

function expectClean(value: unknown): void {
  const leaked = texts(value).filter(marked);
  expect(leaked).toEqual([]);
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('redactCredentials (free text)', () => {
  it('hides URL user-info and known secrets wherever they appear', () => {
    expect(redactCredentials('connect redis://app:pw@host:6379/0 failed')).toBe('connect redis://***@host:6379/0 failed');
    expect(redactCredentials('rediss://:x@h')).toBe('rediss://***@h');
    expect(redactCredentials('url is not a valid URL: "redis://:Sup3rS3cretPW/x@127.0.0.1:1"')).toBe('url is not a valid URL: "redis://***@127.0.0.1:1"');
    expect(redactCredentials('WRONGPASS for s3cret and again s3cret', ['s3cret'])).toBe('WRONGPASS for *** and again ***');
    expect(redactCredentials('nothing here', ['', 'zzz'])).toBe('nothing here');
    // Stack frames keep their file URLs (no credentials there, but '@' in package paths).
    expect(redactCredentials('at x (file:///app/node_modules/.pnpm/ioredis@5.4.1/built/a.js:1:2)')).toBe('at x (file:///app/node_modules/.pnpm/ioredis@5.4.1/built/a.js:1:2)');
  });

  it('property: no user name or password of any characters survives in a line holding the URL', () => {
    fc.assert(
      // A line break ends the search (stack lines carry '@' in package paths): URLs go into
      // messages JSON-quoted (describeUrl), so a raw line break never splits one there.
      fc.property(fc.string(), fc.constantFrom('redis://', 'rediss://', 'redis+sentinel://', 'unix://', 'valkey://'), secret, secret, host, tail, fc.string(), (before, s, rawUser, rawPw, h, t, after) => {
        const [user, pw] = [rawUser, rawPw].map((x) => x.replace(/\n/g, ' '));
        const line = `${before.replace(/\n/g, ' ')} ${s}${user}:${pw}@${h}${t} ${after.replace(/[\n@]/g, ' ')}`;
        expect(marked(redactCredentials(line))).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('property: a known secret is replaced in any text', () => {
    fc.assert(
      fc.property(fc.string(), secret, fc.string(), (a, pw, b) => {
        expect(marked(redactCredentials(`${a}${pw}${b}${pw}`, [pw]))).toBe(false);
      }),
    );
  });

  it('describeUrl shows a known scheme and what follows the last @, never what precedes it', () => {
    expect(describeUrl('redis://:Sup3rS3cretPW/x@127.0.0.1:1')).toBe('"redis://***@127.0.0.1:1"');
    expect(describeUrl('redis://h:1')).toBe('"redis://h:1"');
    expect(describeUrl('redis://h:1/2')).toBe('"redis://h:1/…"');
    expect(describeUrl('redis://:123456')).toBe('"redis://***"');
    expect(describeUrl('Sup3rS3cretPW:x@h')).toBe('(not shown: it may hold a password)');
    fc.assert(
      fc.property(urlWithSecret, (url) => {
        fc.pre(!afterLastAt(url));
        expect(marked(describeUrl(url))).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

describe('redactError', () => {
  it('replaces an error that mentions a secret by a redacted copy, keeping name and code', () => {
    const original = Object.assign(new Error('auth s3cret rejected'), { code: 'EAUTH' });
    original.name = 'ReplyError';
    const copy = redactError(original, ['s3cret']) as Error & { code?: string };
    expect(copy).not.toBe(original);
    expect(copy.message).toBe('auth *** rejected');
    expect(copy.name).toBe('ReplyError');
    expect(copy.code).toBe('EAUTH');
    expect(copy.stack).not.toContain('s3cret');
    const clean = new Error('ECONNREFUSED');
    expect(redactError(clean, ['s3cret'])).toBe(clean);
  });

  it('looks through the cause chain and enumerable fields', () => {
    const inner = new Error('AUTH s3cret failed');
    const outer = new Error('connect failed', { cause: new Error('handshake', { cause: inner }) });
    const copy = redactError(outer, ['s3cret']) as Error;
    expect(copy).not.toBe(outer);
    expect(texts(copy).join('\n')).not.toContain('s3cret');
    expect(((copy.cause as Error).cause as Error).message).toBe('AUTH *** failed');
    const withField = Object.assign(new Error('x'), { command: { args: ['AUTH', 's3cret'] } });
    expect(texts(redactError(withField, ['s3cret'])).join('\n')).not.toContain('s3cret');
  });
});

describe('RedisManager options: no secret in any validation error', () => {
  afterEach(async () => {
    delete process.env.REDIS_URL;
    await closeAllRedisManagers();
  });

  it('the issue case: a base64 password with "/" in getRedisManager', () => {
    const err = thrown(() => getRedisManager({ name: 'leak', url: 'redis://:Sup3rS3cretPW/x@127.0.0.1:1' }));
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toMatch(/^RedisManager: url /);
    expectClean(err);
  });

  let managers = 0;

  it('property: url, REDIS_URL, cluster and sentinel node URLs of any shape — thrown or resolved, the secret stays hidden', () => {
    fc.assert(
      fc.property(urlWithSecret, fc.constantFrom('url', 'env', 'cluster', 'sentinel'), (url, where) => {
        fc.pre(!afterLastAt(url));
        let options: RedisManagerOptions;
        if (where === 'url') options = { url };
        else if (where === 'cluster') options = { cluster: { nodes: [url] } };
        else if (where === 'sentinel') options = { sentinel: { sentinels: [url as never], name: 'm' } };
        else {
          process.env.REDIS_URL = url;
          // The environment cannot hold every string (a NUL ends it): judge what it holds.
          fc.pre(!afterLastAt(process.env.REDIS_URL ?? ''));
          options = { name: `env-${++managers}` };
        }
        let resolved: unknown;
        const err = thrown(() => {
          if (where === 'env') {
            const m = getRedisManager(options);
            resolved = [m.health(), m.stats(), m.options.description];
          } else {
            const o = resolveRedisManagerOptions(options);
            resolved = [o.description, o.host];
          }
        });
        if (err !== undefined) {
          expect(err).toBeInstanceOf(TypeError);
          expectClean(err);
        } else {
          expectClean(resolved);
        }
        delete process.env.REDIS_URL;
      }),
      { numRuns: 400 },
    );
  });
});

describe('RedisManager at run time: no secret in errors, logs, metrics, health or stats', () => {
  afterEach(async () => {
    await closeAllRedisManagers();
  });

  /** A loopback port nothing listens on (connections are refused at once). */
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  it('property: a refused connection with credentials of any characters leaks nothing anywhere', async () => {
    const port = await closedPort();
    const valid = fc.tuple(secret, secret).map(([user, pw]) => `redis://${encodeURIComponent(user)}:${encodeURIComponent(pw)}@127.0.0.1:${port}/0`);
    await fc.assert(
      fc.asyncProperty(valid, async (url) => {
        const lines: unknown[] = [];
        const record = (fields: unknown, message?: unknown): void => void lines.push(fields, message);
        const logger: Logger = { debug: record, info: record, warn: record, error: record };
        const attributes: unknown[] = [];
        const meter: MeterLike = {
          createCounter: (name) => ({ add: (_v, attrs) => void attributes.push(name, attrs) }),
          createHistogram: (name) => ({ record: (_v, attrs) => void attributes.push(name, attrs) }),
        };
        const m = createRedisManager({ url, logger, meter, budgets: { redis: 200 }, connectTimeoutMs: 200, healthIntervalMs: 0, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 60_000 } });
        const errors: unknown[] = [];
        for (const call of [() => m.redis.get('k'), () => m.redis.set('k', 'v'), () => m.call('ping')]) {
          errors.push(await call().then(() => 'resolved', (err: unknown) => err));
        }
        errors.push(await m.safe.get('k'));
        expect(errors.slice(0, 3).every((e) => e instanceof Error)).toBe(true);
        const state = [m.health(), m.stats(), m.options.description];
        await m.close({ drainMs: 0 });
        expectClean([errors, lines, attributes, state]);
      }),
      { numRuns: 25 },
    );
  }, 60_000);
});
