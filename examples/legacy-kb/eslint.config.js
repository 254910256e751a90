// legacy-kb is the "before" of the migration: it breaks every asyncguard rule on purpose, and
// tests/lint.test.ts asserts that each rule keeps finding it. So the repo-wide lint (`pnpm lint`)
// checks it with typescript-eslint only; its asyncguard findings are the point, not a defect.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);
