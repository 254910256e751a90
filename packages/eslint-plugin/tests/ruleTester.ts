import { fileURLToPath } from 'node:url';
import { RuleTester, type InvalidTestCase, type RunTests, type ValidTestCase } from '@typescript-eslint/rule-tester';
import type { TSESLint } from '@typescript-eslint/utils';

export const FIXTURES_DIR = fileURLToPath(new URL('./fixtures', import.meta.url));

/** Lints with @typescript-eslint/parser and no project: the rules' untyped mode. */
export const untypedTester = (): RuleTester => new RuleTester();

/** Lints with a TypeScript program over tests/fixtures (ioredis, llamaindex and node types resolvable). */
export const typedTester = (): RuleTester =>
  new RuleTester({
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: FIXTURES_DIR },
    },
  });

/**
 * The rule-tester package is pinned to a slightly older @typescript-eslint/utils than the plugin;
 * their `RuleModule` types are structurally the same but nominally distinct.
 */
type TesterRule<M extends string, O extends readonly unknown[]> = Parameters<RuleTester['run']>[1] & TSESLint.RuleModule<M, O>;

/** Runs the same cases in both modes: behaviour every rule must have with and without types. */
export function runInBothModes<M extends string, O extends readonly unknown[]>(
  name: string,
  rule: TSESLint.RuleModule<M, O>,
  tests: RunTests<M, O>,
): void {
  untypedTester().run(`${name} (untyped)`, rule as unknown as TesterRule<M, O>, tests);
  typedTester().run(`${name} (typed)`, rule as unknown as TesterRule<M, O>, tests);
}

export type { InvalidTestCase, ValidTestCase };

/** Cases for the untyped mode only. */
export function runUntyped<M extends string, O extends readonly unknown[]>(name: string, rule: TSESLint.RuleModule<M, O>, tests: RunTests<M, O>): void {
  untypedTester().run(`${name} (untyped)`, rule as unknown as TesterRule<M, O>, tests);
}

/** Cases for the typed mode only. */
export function runTyped<M extends string, O extends readonly unknown[]>(name: string, rule: TSESLint.RuleModule<M, O>, tests: RunTests<M, O>): void {
  typedTester().run(`${name} (typed)`, rule as unknown as TesterRule<M, O>, tests);
}

/**
 * The full location of the `occurrence`-th appearance of `snippet` in `code`, as RuleTester
 * expects it (1-based lines and columns, end exclusive).
 */
export function at(code: string, snippet: string, occurrence = 0): { line: number; column: number; endLine: number; endColumn: number } {
  let index = -1;
  for (let i = 0; i <= occurrence; i++) {
    index = code.indexOf(snippet, index + 1);
    if (index < 0) throw new Error(`snippet ${JSON.stringify(snippet)} (occurrence ${occurrence}) not found in test code`);
  }
  const position = (offset: number): { line: number; column: number } => {
    const before = code.slice(0, offset);
    const line = before.split('\n').length;
    return { line, column: offset - before.lastIndexOf('\n') };
  };
  const start = position(index);
  const end = position(index + snippet.length);
  return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
}
