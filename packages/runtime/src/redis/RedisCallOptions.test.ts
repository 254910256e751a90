/**
 * Per-call, close() and scanIterator() options reject a key they do not know, naming it and the
 * known ones (issue 16). The manager is closed first: no socket is opened, and an accepted option
 * shows as the closed manager's RedisUnavailableError instead of a TypeError.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { RedisUnavailableError } from '../errors/RedisUnavailableError.js';
import { closeAllRedisManagers } from './getRedisManager.js';
import { callOptionsError, CALL_OPTION_KEYS } from './RedisCallOptions.js';
import { RedisManager } from './RedisManager.js';

const manager = new RedisManager({ name: 'call-options', port: 1, healthIntervalMs: 0 });
const closing = manager.close({ drainMs: 0 });

async function failureOf(pending: Promise<unknown>): Promise<unknown> {
  return pending.then(
    () => new Error('expected a rejection'),
    (err: unknown) => err,
  );
}

describe('per-call options', () => {
  afterAll(async () => {
    await closing;
  });

  it.each([
    ['get', () => manager.redis.get('k', { budgetMS: 5 } as never), /^redis\.get: unknown option "budgetMS" \(known: fallback, budgetMs, retry\)$/],
    ['set', () => manager.redis.set('k', 'v', { nx: true, exp: 5 } as never), /^redis\.set: unknown option "exp" \(known: fallback, budgetMs, retry, ex, px, nx, xx, keepTtl\)$/],
    ['scan', () => manager.redis.scan(0, { pattern: 'a*' } as never), /^redis\.scan: unknown option "pattern" \(known: fallback, budgetMs, retry, match, count, type\)$/],
    ['blpop', () => manager.redis.blpop('q', 1, { abortSignal: AbortSignal.abort() } as never), /^redis\.blpop: unknown option "abortSignal" \(known: fallback, budgetMs, retry, signal\)$/],
    ['call', () => manager.callWith('hget', ['h', 'f'], { fallbak: 'x' } as never), /^redis\.hget: unknown option "fallbak" \(known: fallback, budgetMs, retry\)$/],
    ['call with signal on a non-blocking command', () => manager.callWith('get', ['k'], { signal: AbortSignal.abort() } as never), /^redis\.get: unknown option "signal" \(known: fallback, budgetMs, retry\)$/],
    ['pipeline', () => manager.pipeline(() => undefined, { timeoutMs: 5 } as never), /^redis\.pipeline: unknown option "timeoutMs"/],
    ['multi', () => manager.multi(() => undefined, { budget: 5 } as never), /^redis\.multi: unknown option "budget"/],
    ['retry not a boolean', () => manager.redis.get('k', { retry: 3 } as never), /^redis\.get: option "retry" must be a boolean, got number$/],
  ])('%s: a TypeError naming the key, before anything runs', async (_name, run, message) => {
    const error = await failureOf(run());
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
  });

  it('the safe facade resolves undefined for an unknown key (as for any failure)', async () => {
    await expect(manager.safe.get('k', { budgetMS: 5 } as never)).resolves.toBeUndefined();
  });

  it('takes every documented key: the call reaches the (closed) manager', async () => {
    const accepted = await Promise.all(
      [
      manager.redis.get('k', { fallback: undefined, budgetMs: 50, retry: false }),
      manager.redis.set('k', 'v', { ex: 5, px: undefined, nx: true, xx: undefined, keepTtl: false, retry: true }),
      manager.redis.scan(0, { match: 'a*', count: 10, type: 'string', budgetMs: 50 }),
      manager.redis.blpop('q', 1, { signal: new AbortController().signal, budgetMs: 50 }),
      manager.callWith('blpop', ['q', 1], { signal: new AbortController().signal }),
      manager.callWith('get', ['k'], {}),
      manager.pipeline((p) => p.get('k'), { budgetMs: 50 }),
      ].map(failureOf),
    );
    for (const error of accepted) expect(error).toBeInstanceOf(RedisUnavailableError);
  });

  it('a fallback still answers an accepted call', async () => {
    await expect(manager.redis.get('k', { fallback: 'fb' })).resolves.toBe('fb');
  });

  it('checks without allocating on the common path (only own and known keys pass)', () => {
    expect(callOptionsError(undefined, CALL_OPTION_KEYS, 'get')).toBeUndefined();
    expect(callOptionsError({ budgetMs: 5, fallback: 1, retry: true }, CALL_OPTION_KEYS, 'get')).toBeUndefined();
    expect(callOptionsError(Object.create({ inherited: 1 }) as object, CALL_OPTION_KEYS, 'get')).toBeUndefined();
    expect(callOptionsError('budgetMs' as never, CALL_OPTION_KEYS, 'get')?.message).toBe('redis.get: options must be an object, got string');
  });
});

describe('close() and scanIterator() options', () => {
  it('close() names an unknown key', () => {
    const m = new RedisManager({ name: 'close-options', port: 1, healthIntervalMs: 0 });
    expect(() => m.close({ drain: 5 } as never)).toThrow(/^RedisManager\.close: unknown option "drain" \(known: drainMs\)$/);
    expect(m.closed).toBe(false); // the misspelt close did not start closing
    return m.close({ drainMs: 0 });
  });

  it('closeAllRedisManagers() names an unknown key, even with no manager alive', async () => {
    await expect(closeAllRedisManagers({ drainMS: 0 } as never)).rejects.toThrow(/^closeAllRedisManagers: unknown option "drainMS" \(known: drainMs\)$/);
  });

  it('scanIterator() names an unknown key on the first step', async () => {
    const error = await failureOf(manager.scanIterator('*', { stepBudget: 5 } as never).next());
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('scanIterator: unknown option "stepBudget" (known: count, type, stepBudgetMs)');
    // Known keys pass the check and reach the closed manager.
    expect(await failureOf(manager.scanIterator('*', { count: 5, type: 'string', stepBudgetMs: 50 }).next())).toBeInstanceOf(RedisUnavailableError);
  });
});
