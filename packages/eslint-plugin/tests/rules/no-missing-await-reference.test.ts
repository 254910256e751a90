/**
 * The reference set: typed `no-missing-await` and typescript-eslint's `no-floating-promises` run
 * over the same snippets in the same lint. Every statement `no-floating-promises` reports must be
 * reported by `no-missing-await` at the same place, except the deliberate differences listed in
 * DIFFERENT (each with its reason, and each checked to still be a difference). Each snippet also
 * says whether `no-floating-promises` reports it, so the set stays a true description of it.
 */
import { join } from 'node:path';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import rule from '../../src/rules/no-missing-await.js';
import { FIXTURES_DIR } from '../ruleTester.js';
import { REFERENCE_CASES, type ReferenceCase } from '../support/floatingReference.js';

const OURS = '@asyncguard/no-missing-await';
const THEIRS = '@typescript-eslint/no-floating-promises';

/** Snippets where `no-floating-promises` reports and we deliberately do not, by case name. */
const DIFFERENT: Record<string, string> = {
  'a handler typed any': 'an `any` handler is assumed to be a function: untyped code would otherwise be reported as a useless handler',
  'node:test registration call': "test runners' registration calls are known safe by default (`knownSafeCalls`): the runner awaits them",
};

/** Snippets where we report and `no-floating-promises` does not, by case name: what we find beyond it. */
const OURS_ONLY: Record<string, string> = {
  'stored and never read': 'a promise stored in a variable that is never read floats too',
  'assertion to unknown': 'an expression typed `unknown`/`any` falls back to the syntactic answer, and `fetch()` is a promise',
};

const linter = new Linter({ configType: 'flat' });
const filename = join(FIXTURES_DIR, 'file.ts');

function lint(c: ReferenceCase): { ours: string[]; theirs: string[] } {
  const ignoreVoid = c.ignoreVoid ?? true;
  const messages = linter.verify(
    c.code,
    [
      {
        files: ['**/*.ts'],
        languageOptions: {
          parser: tseslint.parser as Linter.Parser,
          // In-memory code: no "single run" inference on CI (it would type the file on disk).
          parserOptions: { project: './tsconfig.json', tsconfigRootDir: FIXTURES_DIR, disallowAutomaticSingleRunInference: true },
        },
        plugins: { '@asyncguard': { rules: { 'no-missing-await': rule } } as never, '@typescript-eslint': tseslint.plugin as never },
        rules: { [OURS]: ['error', { ignoreVoid }], [THEIRS]: ['error', { ignoreVoid }] },
      },
    ],
    { filename },
  );
  expect(messages.filter((m) => m.fatal)).toEqual([]);
  const where = (id: string): string[] => messages.filter((m) => m.ruleId === id).map((m) => `${m.line}:${m.column}-${m.endLine}:${m.endColumn}`);
  return { ours: where(OURS), theirs: where(THEIRS) };
}

describe('no-missing-await (typed) against no-floating-promises', () => {
  it('the reference set exercises both rules', () => {
    expect(REFERENCE_CASES.filter((c) => c.theirs > 0).length).toBeGreaterThanOrEqual(40);
    expect(REFERENCE_CASES.filter((c) => c.theirs === 0).length).toBeGreaterThanOrEqual(25);
    const names = REFERENCE_CASES.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of [...Object.keys(DIFFERENT), ...Object.keys(OURS_ONLY)]) expect(names).toContain(name);
  });

  it.each(REFERENCE_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { ours, theirs } = lint(c);
    // The snippet still says what no-floating-promises does with it.
    expect(theirs.length, 'no-floating-promises reports').toBe(c.theirs);
    const missed = theirs.filter((loc) => !ours.includes(loc));
    if (c.name in DIFFERENT) {
      expect(missed.length, 'a listed difference that is no longer one').toBeGreaterThan(0);
    } else {
      expect(missed, 'reported by no-floating-promises, not by no-missing-await').toEqual([]);
    }
    const extra = ours.filter((loc) => !theirs.includes(loc));
    if (c.name in OURS_ONLY) expect(extra.length, 'a listed extra finding that is gone').toBeGreaterThan(0);
    else expect(extra, 'reported by no-missing-await only').toEqual([]);
  });
});
