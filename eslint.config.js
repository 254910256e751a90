// The repo lints itself with typescript-eslint and with its own plugin (the built package, as a
// user would load it: run `pnpm lint`, which builds first).
import asyncguard from '@asyncguard/eslint-plugin';
import tseslint from 'typescript-eslint';
import { NO_FOREIGN_SRC, RUNTIME_SRC, restrict, under } from './eslint.boundaries.js';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/.tsbuild/**', '**/tests/fixtures/**', '**/tests/projects/**', '**/coverage/**'],
  },
  ...tseslint.configs.recommended,
  asyncguard.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts', '**/*.cts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // The runtime's RedisManager bounds every command through its own `timed(work, ms, operation)`.
    files: ['packages/runtime/src/redis/**/*.ts'],
    rules: { '@asyncguard/require-timeout': ['error', { wrappers: ['timed'] }] },
  },
  {
    // Tests, benchmarks and scripts block, open raw clients and skip budgets on purpose: they
    // provoke and measure exactly what the rules forbid in services.
    files: ['**/*.test.ts', 'bench/**', '**/scripts/**', '**/tests/**', 'examples/*/src/behaviour/**'],
    rules: {
      '@asyncguard/no-blocking-in-async': 'off',
      '@asyncguard/require-timeout': 'off',
      '@asyncguard/no-redis-client-per-call': 'off',
    },
  },
  {
    // Root scripts/ are the repo's own tooling (the demo starts the examples from their sources).
    files: under(['packages', 'examples', 'bench', 'tests']),
    rules: restrict(NO_FOREIGN_SRC),
  },
  {
    // Later entries replace a rule's options, so this one repeats NO_FOREIGN_SRC.
    files: under(['packages/runtime/src']),
    ignores: ['**/*.test.ts'],
    rules: restrict(RUNTIME_SRC),
  },
);
