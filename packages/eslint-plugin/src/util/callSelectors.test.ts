import { Linter, type Rule } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { calleeName, skipWrappers } from './ast.js';
import { callsNamed, type CallNameOptions } from './callSelectors.js';

const CODE = `
withTimeout(work, 10);
x.withTimeout(work, 10);
x['withTimeout'](work);
x[name](work);
x!.withTimeout(work);
(x as any).withTimeout(work);
withTimeout!(work);
(withTimeout as Fn)(work);
a?.withTimeout(work);
(a?.withTimeout)(work);
other(work);
x.other(work);
x.getBuffer();
x.GET();
x.get();
f()();
new Foo();
`;

/** The calls (by source text) a selector matches in CODE. */
function matchedCalls(selector: string): string[] {
  const seen: string[] = [];
  const rule: Rule.RuleModule = {
    create: (context) => ({ [selector]: (node: Rule.Node) => void seen.push(context.sourceCode.getText(node)) }),
  };
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(
    CODE,
    [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as Linter.Parser }, plugins: { t: { rules: { r: rule } } }, rules: { 't/r': 'error' } }],
    'x.ts',
  );
  expect(messages.filter((m) => m.fatal)).toEqual([]);
  return seen;
}

/** The calls whose callee name (looking through wrappers, as the rules do) satisfies `accepts`. */
function acceptedCalls(accepts: (name: string) => boolean, identifiers: boolean): string[] {
  const seen: string[] = [];
  const rule: Rule.RuleModule = {
    create: (context) => ({
      CallExpression: (node: Rule.Node) => {
        const callee = skipWrappers((node as unknown as TSESTree.CallExpression).callee);
        if (!identifiers && callee.type !== AST_NODE_TYPES.MemberExpression) return;
        const name = calleeName(callee);
        if (name !== null && accepts(name)) seen.push(context.sourceCode.getText(node));
      },
    }),
  };
  new Linter({ configType: 'flat' }).verify(
    CODE,
    [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as Linter.Parser }, plugins: { t: { rules: { r: rule } } }, rules: { 't/r': 'error' } }],
    'x.ts',
  );
  return seen;
}

describe('callsNamed', () => {
  const cases: [string, string[], CallNameOptions, (name: string) => boolean][] = [
    ['plain names', ['withTimeout'], { identifiers: true }, (n) => n === 'withTimeout'],
    ['members only', ['withTimeout'], { identifiers: false }, (n) => n === 'withTimeout'],
    ['case-insensitive with a suffix', ['get'], { identifiers: false, ignoreCase: true, optionalSuffix: 'buffer' }, (n) => ['get', 'getbuffer'].includes(n.toLowerCase())],
  ];
  it.each(cases)('%s: matches every call the listener accepts', (_, names, options, accepts) => {
    const matched = matchedCalls(callsNamed(names, options));
    const accepted = acceptedCalls(accepts, options.identifiers);
    expect(accepted.length).toBeGreaterThan(0);
    for (const call of accepted) expect(matched).toContain(call);
  });

  it('skips plainly named calls with other names', () => {
    const matched = matchedCalls(callsNamed(['withTimeout'], { identifiers: true }));
    expect(matched).not.toContain('other(work)');
    expect(matched).not.toContain('x.other(work)');
    expect(matched).toContain('withTimeout(work, 10)');
    expect(matched).toContain('x[name](work)');
  });

  it('members-only selectors skip plain calls of a listed name', () => {
    expect(matchedCalls(callsNamed(['withTimeout'], { identifiers: false }))).not.toContain('withTimeout(work, 10)');
  });

  it('falls back to every call when a name cannot be written into a selector', () => {
    expect(callsNamed(['a.b'], { identifiers: true })).toBe('CallExpression');
    expect(callsNamed(['a/b'], { identifiers: true })).toBe('CallExpression');
    expect(callsNamed([], { identifiers: true })).toBe('CallExpression');
  });
});
