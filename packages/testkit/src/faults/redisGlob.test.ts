import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { argBytes } from './commandKeys.js';
import { FaultPlan } from './FaultPlan.js';
import { FaultSpecError } from './FaultSpecError.js';
import { redisGlob } from './redisGlob.js';

describe('redisGlob', () => {
  it('reads brackets as Redis does', () => {
    expect(redisGlob('[z-a]').test('b')).toBe(true); // a reversed range is a range
    expect(redisGlob('a[b').test('ab')).toBe(true); // an unclosed set ends the pattern
    expect(redisGlob('a[bc').test('ac')).toBe(true);
    expect(redisGlob('a[').test('a')).toBe(false);
    expect(redisGlob('[]a]').test(']')).toBe(false); // `[]` is an empty set: nothing matches
    expect(redisGlob('[^]a]').test('xa]')).toBe(true); // `[^]` is any byte
    expect(redisGlob('[a-]').test('^')).toBe(true); // the range `]`..`a`, never closed
    expect(redisGlob('[a-]').test('-')).toBe(false);
    expect(redisGlob('[\\]]').test(']')).toBe(true);
    expect(redisGlob('a\\').test('a\\')).toBe(true); // a trailing backslash is itself
    expect(redisGlob('\\?').test('x')).toBe(false);
  });

  it('matches the empty key only with "" and "*", as KEYS does', () => {
    expect(redisGlob('').test('')).toBe(true);
    expect(redisGlob('*').test('')).toBe(true);
    expect(redisGlob('**').test('')).toBe(false);
    expect(redisGlob('').test('a')).toBe(false);
  });

  it('compares bytes: the pattern as UTF-8, keys as byte strings', () => {
    expect(redisGlob('caf?').test(argBytes('café'))).toBe(false); // é is two bytes
    expect(redisGlob('caf??').test(argBytes('café'))).toBe(true);
    expect(redisGlob('café').test(argBytes('café'))).toBe(true);
    expect(redisGlob(Buffer.from([0x61, 0xff])).test(argBytes(Buffer.from([0x61, 0xff])))).toBe(true);
  });

  it('never throws for a string, whatever it holds, and agrees with a plain backtracking reading', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: fc.constantFrom('a', 'b', '*', '?'), maxLength: 8 }), fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 10 }), (any, starry, key) => {
        expect(redisGlob(any)).toBeInstanceOf(RegExp);
        expect(redisGlob(starry).test(key)).toBe(key === '' ? starry === '' || starry === '*' : naive(starry, key));
      }),
    );
    expect(() => redisGlob(42 as never)).toThrow(FaultSpecError);
  });

  it('answers a pattern with many stars against a long key without exponential backtracking', () => {
    const key = 'a'.repeat(5_000);
    expect(redisGlob(`${'*a'.repeat(200)}*b`).test(key)).toBe(false);
    expect(redisGlob(`${'*a'.repeat(200)}*`).test(key)).toBe(true);
  });
});

/** `*` and `?` only, by plain recursion (small inputs). */
function naive(pattern: string, key: string): boolean {
  if (pattern === '') return key === '';
  if (pattern[0] === '*') return naive(pattern.slice(1), key) || (key !== '' && naive(pattern, key.slice(1)));
  return key !== '' && (pattern[0] === '?' || pattern[0] === key[0]) && naive(pattern.slice(1), key.slice(1));
}

describe('key rules', () => {
  it('match any key of a multi-key command, Buffers and non-ASCII keys included', () => {
    const plan = new FaultPlan({ seed: 1 });
    plan.on('*', { key: 'queue:[0-9]' }).fail();
    expect(plan.decide('blpop', ['jobs', 'queue:7', '0']).outcome.type).toBe('error');
    expect(plan.decide('rename', ['x', Buffer.from('queue:1')]).outcome.type).toBe('error');
    expect(plan.decide('get', ['queue:x']).outcome.type).toBe('pass');
    plan.clear();
    plan.on('get', { key: 'caf??' }).fail();
    expect(plan.decide('get', ['café']).outcome.type).toBe('error');
    expect(plan.decide('get', ['café']).entry.keys).toEqual(['café']);
  });
});
