/**
 * One contender in a fresh process (so no parser or type-checker cache carries over between
 * contenders): lints the corpus and the repository sources and prints a JSON summary of ESLint's
 * `stats` on stdout.
 */
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import plugin from '@asyncguard/eslint-plugin';
import { isTyped, type ContenderName, type RunSummary } from './contenders.js';

function configFor(contender: ContenderName, tsconfigRootDir: string): Linter.Config[] {
  const base: Linter.Config = { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as Linter.Parser } };
  const typed: Linter.Config = {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser as Linter.Parser, parserOptions: { projectService: true, tsconfigRootDir } },
  };
  switch (contender) {
    case 'parse-floor':
      return [base];
    case 'traversal-floor':
      // One trivial core rule: what ESLint itself adds (scope and code-path analysis, traversal) once any rule runs.
      return [base, { rules: { 'no-debugger': 'error' } }];
    case 'recommended':
      return [base, plugin.configs.recommended as Linter.Config];
    case 'typed-no-missing-await':
      return [typed, { plugins: { '@asyncguard': plugin as never }, rules: { '@asyncguard/no-missing-await': 'error' } }];
    case 'typed-no-floating-promises':
      return [typed, { plugins: { '@typescript-eslint': tseslint.plugin as never }, rules: { '@typescript-eslint/no-floating-promises': 'error' } }];
  }
}

async function lintAll(contender: ContenderName, cwd: string, patterns: string[]): Promise<RunSummary> {
  const eslint = new ESLint({ cwd, overrideConfigFile: true, overrideConfig: configFor(contender, cwd), stats: true, cache: false, errorOnUnmatchedPattern: false });
  const start = performance.now();
  const results = await eslint.lintFiles(patterns);
  const wallMs = performance.now() - start;
  const summary: RunSummary = { contender, files: results.length, wallMs, parseMs: 0, rulesMs: 0, totalMs: 0, byRule: {}, problems: 0 };
  for (const result of results) {
    summary.problems += result.messages.length;
    const fatal = result.messages.find((m) => m.fatal);
    if (fatal) throw new Error(`${result.filePath}: ${fatal.message}`);
    for (const pass of result.stats?.times.passes ?? []) {
      summary.parseMs += pass.parse?.total ?? 0;
      summary.rulesMs += pass.rules ? Object.values(pass.rules).reduce((a, r) => a + r.total, 0) : 0;
      summary.totalMs += pass.total;
      for (const [rule, time] of Object.entries(pass.rules ?? {})) summary.byRule[rule] = (summary.byRule[rule] ?? 0) + time.total;
    }
  }
  return summary;
}

const [contender, corpusDir, repoRoot] = process.argv.slice(2) as [ContenderName, string, string];
const corpus = await lintAll(contender, corpusDir, ['src/**/*.ts']);
// Typed contenders lint the generated project only: one program, and the comparison is rule against rule.
const repo = isTyped(contender)
  ? { contender, files: 0, wallMs: 0, parseMs: 0, rulesMs: 0, totalMs: 0, byRule: {}, problems: 0 }
  : await lintAll(contender, repoRoot, ['packages/*/src/**/*.ts']);
const merged: RunSummary = {
  contender,
  files: corpus.files + repo.files,
  wallMs: corpus.wallMs + repo.wallMs,
  parseMs: corpus.parseMs + repo.parseMs,
  rulesMs: corpus.rulesMs + repo.rulesMs,
  totalMs: corpus.totalMs + repo.totalMs,
  byRule: { ...corpus.byRule },
  problems: corpus.problems + repo.problems,
};
for (const [rule, ms] of Object.entries(repo.byRule)) merged.byRule[rule] = (merged.byRule[rule] ?? 0) + ms;
process.stdout.write(`${JSON.stringify(merged)}\n`);
