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
