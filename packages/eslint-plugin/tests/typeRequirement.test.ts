import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRule } from '../src/util/createRule.js';
import { typesNeededMessage } from '../src/util/typeRequirement.js';

/** A rule that cannot work without types: it reports every file, and only with a program. */
const typedOnly = createRule<[], 'seen'>({
  name: 'typed-only-probe',
  meta: {
    type: 'problem',
    docs: { description: 'Probe', recommended: 'strict', requiresTypeChecking: true, usesTypeInformation: true },
    schema: [],
    messages: { seen: 'seen' },
    defaultOptions: [],
  },
  create: (context) => ({ Program: (node) => context.report({ node, messageId: 'seen' }) }),
});

/** An oxlint-shaped context: its parser is called `oxlint` and it has no parser services. */
const oxlintContext = () =>
  ({ id: 'x/typed-only-probe', options: [], languageOptions: { parser: { name: 'oxlint' } }, sourceCode: { parserServices: {} }, report: () => {} }) as never;

afterEach(() => vi.restoreAllMocks());

describe('rules that need type information', () => {
  it('under oxlint: do nothing and say why once per process', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    expect(typedOnly.create(oxlintContext())).toEqual({});
    expect(typedOnly.create(oxlintContext())).toEqual({});
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toBe(typesNeededMessage('@asyncguard/typed-only-probe'));
    expect(String(warn.mock.calls[0]![0])).toMatch(/needs type information: run it with ESLint and typescript-eslint's parser/);
  });

  it("under ESLint without types: typescript-eslint's error for typed rules, as before", () => {
    const linter = new Linter({ configType: 'flat' });
    const run = (): Linter.LintMessage[] =>
      linter.verify('export const a = 1;\n', [
        { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as Linter.Parser }, plugins: { t: { rules: { probe: typedOnly as never } } }, rules: { 't/probe': 'error' } },
      ], 'file.ts');
    expect(run).toThrow(/requires type information/);
  });

  it('every shipped rule works without types, so none of them stops', async () => {
    const { rules } = await import('../src/rules/index.js');
    expect(Object.values(rules).map((r) => r.meta.docs?.requiresTypeChecking)).toEqual(Object.values(rules).map(() => false));
  });
});
