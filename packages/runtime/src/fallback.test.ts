import { describe, expect, it, vi } from 'vitest';
import { fallback } from './fallback.js';
import type { Logger } from './Logger.js';

function recordingLogger(): Logger & { entries: Array<[string, Record<string, unknown>, string]> } {
  const entries: Array<[string, Record<string, unknown>, string]> = [];
  const at =
    (level: string) =>
    (fields: Record<string, unknown>, message: string): void => {
      entries.push([level, fields, message]);
    };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('fallback', () => {
  it('passes a success through and logs nothing', async () => {
    const log = recordingLogger();
    await expect(fallback(async () => [1], [], { log })).resolves.toEqual([1]);
    expect(log.entries).toEqual([]);
  });

  it('returns the fallback value on failure and logs why', async () => {
    const log = recordingLogger();
    const err = new Error('redis down');
    await expect(fallback(() => Promise.reject(err), 'cached', { log, operation: 'cache.get' })).resolves.toBe('cached');
    expect(log.entries).toEqual([['warn', { err, operation: 'cache.get', fallback: true }, 'cache.get failed, using fallback: Error: redis down']]);
  });

  it('computes the fallback from the error, sync throws included, at the chosen level', async () => {
    const log = recordingLogger();
    const value = await fallback(
      () => {
        throw new TypeError('bad');
      },
      (e) => `degraded (${(e as Error).message})`,
      { log, level: 'error' },
    );
    expect(value).toBe('degraded (bad)');
    expect(log.entries[0]?.[0]).toBe('error');
  });

  it('rethrows errors that `when` refuses, without logging', async () => {
    const log = recordingLogger();
    const fatal = new Error('fatal');
    await expect(fallback(() => Promise.reject(fatal), 0, { log, when: (e) => e !== fatal })).rejects.toBe(fatal);
    expect(log.entries).toEqual([]);
  });

  it('still degrades when the logger throws', async () => {
    const log = { ...recordingLogger(), warn: vi.fn(() => {
      throw new Error('logger broken');
    }) };
    await expect(fallback(() => Promise.reject(new Error('x')), 'safe', { log })).resolves.toBe('safe');
    expect(log.warn).toHaveBeenCalledTimes(1);
  });

  it('is silent by default', async () => {
    const spies = (['log', 'warn', 'error', 'info', 'debug'] as const).map((m) => vi.spyOn(console, m).mockImplementation(() => {}));
    try {
      await expect(fallback(() => Promise.reject(new Error('x')), 1)).resolves.toBe(1);
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('accepts a pino-shaped logger type and rejects a bad one, naming the option', () => {
    expect(() => fallback(async () => 1, 0, { log: {} as never })).toThrow(/fallback: options\.log must be a logger with a warn\(\) method/);
    expect(() => fallback('x' as never, 0)).toThrow(/fallback: fn must be a function/);
    expect(() => fallback(async () => 1, 0, { when: 1 as never })).toThrow(/options\.when must be a function/);
  });
});
