// legacy-kb is the "before" of the migration: it breaks every asyncguard rule on purpose, and
// tests/lint.test.ts asserts that each rule keeps finding it. So the repo-wide lint (`pnpm lint`)
// checks it with typescript-eslint's recommended rules only; its asyncguard findings are the
// point, not a defect.
//
// The rules come from the plugin's own flat configs, not the `tseslint.configs` getters: a getter
// registers its caller's directory as a tsconfig root, and a second root (besides the repo's)
// leaves the parser unable to infer one for every other file in the repo.
import tseslint from 'typescript-eslint';
import { FILES, NO_FOREIGN_SRC, restrict } from '../../eslint.boundaries.js';

export default [
  { ignores: ['**/node_modules/**'] },
  ...tseslint.plugin.configs['flat/recommended'],
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  // The repo's package boundaries (no other package's src/) hold here too.
  { files: FILES, rules: restrict(NO_FOREIGN_SRC) },
];
