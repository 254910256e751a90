import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

const linter = new Linter({ configType: 'flat' });

function configure(rule: string, options: unknown): void {
  linter.verify('export {};', [
    {
      files: ['**/*.ts'],
      languageOptions: { parser: tseslint.parser as Linter.Parser },
      plugins: { '@asyncguard': plugin as never },
      rules: { [`@asyncguard/${rule}`]: ['error', options] },
    },
  ], { filename: 'x.ts' });
}

describe('option schemas', () => {
  it.each([
    ['no-missing-await', { ignoreVoids: true }, 'ignoreVoids'],
    ['require-timeout', { wrapper: ['p'] }, 'wrapper'],
    ['require-timeout', { budgets: { reddis: 100 } }, 'reddis'],
    ['no-blocking-in-async', { deny: [{ name: 'x', replacement: 'y' }] }, 'replacement'],
    ['no-redis-client-per-call', { factory: ['f'] }, 'factory'],
    ['no-io-in-constructor', { allowed: [] }, 'allowed'],
    ['no-timeout-overflow', { function: [] }, 'function'],
    ['no-useless-timeout', { wrapper: [] }, 'wrapper'],
    ['no-silent-io-catch', { logFunction: [] }, 'logFunction'],
  ])('%s rejects the unknown option %j, naming it', (rule, options, name) => {
    expect(() => configure(rule, options)).toThrow(new RegExp(`@asyncguard/${rule}[\\s\\S]*Unexpected property "${name}"`));
  });

  it.each([
    ['require-timeout', { budgets: { redis: -1 } }, /Value -1 should be >= 0/],
    ['require-timeout', { budgets: { redis: 2 ** 31 } }, /Value 2147483648 should be <= 2147483647/],
    ['require-timeout', { budgets: { search: '10s' } }, /Value "10s" should be number/],
    ['no-missing-await', { knownSafeCalls: 'test' }, /Value "test" should be array/],
    ['no-blocking-in-async', { helperDepth: 9 }, /Value 9 should be <= 5/],
    ['no-blocking-in-async', { deny: [{ hint: 'h' }] }, /should have required property 'name'/],
    ['no-timeout-overflow', { functions: [{ name: 'q.delay', argument: -1 }] }, /Value -1 should be >= 0/],
    ['no-silent-io-catch', { checkPromiseCatch: 'yes' }, /Value "yes" should be boolean/],
  ])('%s rejects the bad value in %j', (rule, options, message) => {
    expect(() => configure(rule, options)).toThrow(message);
  });

  it('accepts every rule with its documented defaults', () => {
    for (const [id, rule] of Object.entries(plugin.rules)) {
      expect(() => configure(id, (rule.meta.defaultOptions as unknown[])[0] ?? {})).not.toThrow();
    }
  });
});
