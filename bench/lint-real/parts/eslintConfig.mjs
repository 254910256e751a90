// The flat configs the lint-real bench lints with, shared by the in-process runs (lintChild.ts) and
// the spawned `eslint` CLI (cliConfig.mjs), so both lint the same files with the same rules.
// Plain JS so that the ESLint CLI can load it without a TypeScript loader.

const NFP = '@typescript-eslint/no-floating-promises';

/**
 * @param {object} o
 * @param {'typed' | 'untyped'} o.mode typed: our recommended-type-checked (+ no-floating-promises when `withTheirs`); untyped: our recommended
 * @param {any} o.plugin the loaded @asyncguard/eslint-plugin
 * @param {any} o.tseslint the loaded typescript-eslint
 * @param {string} o.rootDir the project's work copy
 * @param {string} o.tsconfig its tsconfig, relative to rootDir
 * @param {string[]} o.ignores globs not to lint
 * @param {boolean} [o.withTheirs] add typescript-eslint's no-floating-promises (typed only)
 * @param {boolean} [o.theirsFirst] register no-floating-promises before our rules (ESLint runs rules in that order)
 * @returns {import('eslint').Linter.Config[]}
 */
export function buildConfig(o) {
  const typed = o.mode === 'typed';
  // projectService finds the nearest tsconfig.json, as our config's users get it; another name needs `project`.
  const parserOptions = !typed
    ? {}
    : o.tsconfig === 'tsconfig.json'
      ? { projectService: true, tsconfigRootDir: o.rootDir }
      : { projectService: false, project: [o.tsconfig], tsconfigRootDir: o.rootDir };
  const base = {
    name: 'lint-real/base',
    files: ['**/*.ts', '**/*.mts', '**/*.cts'],
    // The rules are compared with each other, not with the project's own suppressions.
    linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
    languageOptions: { parser: o.tseslint.parser, parserOptions },
  };
  const ours = typed ? o.plugin.configs['recommended-type-checked'] : o.plugin.configs.recommended;
  // Our typed config brings its own parserOptions; the base config above sets them for both rules.
  const oursOnly = { name: ours.name, plugins: ours.plugins, rules: ours.rules, files: base.files };
  const theirs = { name: 'lint-real/theirs', files: base.files, plugins: { '@typescript-eslint': o.tseslint.plugin }, rules: { [NFP]: 'error' } };
  const configs = [{ ignores: ['**/node_modules/**', '**/dist/**', ...o.ignores] }, base];
  if (typed && o.withTheirs) configs.push(...(o.theirsFirst ? [theirs, oursOnly] : [oursOnly, theirs]));
  else configs.push(oursOnly);
  return configs;
}
