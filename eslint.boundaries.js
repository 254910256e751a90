// Package boundaries (issue 17), used by eslint.config.js and examples/legacy-kb/eslint.config.js
// (ESLint 10 lints each file with the config nearest to it, so legacy-kb needs them too).
//
// ESLint's built-in `no-restricted-imports` with `patterns[].regex` expresses every case on the
// import string, so no plugin (eslint-plugin-import's no-relative-packages,
// eslint-plugin-boundaries) is added. Relative paths are matched as written, not resolved:
// `(../)+`, then a package directory name, which no import inside its own package spells. The
// one thing that rule cannot see is a dynamic `import()` or a `require()` call (it checks
// import/export declarations only), so the same regexes also go, as selectors, to the built-in
// `no-restricted-syntax`. tests/boundaries runs these two rules over the repo within `pnpm test`,
// which CI runs (`pnpm lint` is not part of it).
export const FILES = ['**/*.ts', '**/*.mts', '**/*.cts', '**/*.js', '**/*.mjs', '**/*.cjs'];
export const under = (dirs) => dirs.flatMap((dir) => FILES.map((pattern) => `${dir}/${pattern}`));
const boundary = (regex, message) => ({ regex, message });
/** Every package, example, benchmark and root test: import a package by its name, never its src/. */
export const NO_FOREIGN_SRC = [
  boundary('^@asyncguard(-examples)?/[^/]+/src(/|$)', "imports another package's src/: import the package by its name (its exports) instead"),
  boundary('^(\\.\\./)+((packages|examples)/)?[^./][^/]*/src(/|$)', "reaches into another package's src/ by a relative path: import the package by its name instead"),
];
/** packages/runtime/src is what users install: no test, tooling or example code in it. */
export const RUNTIME_SRC = [
  ...NO_FOREIGN_SRC,
  boundary('^@asyncguard/(testkit|codemod|eslint-plugin)(/|$)', 'packages/runtime/src is published: it must not import testkit, codemod or eslint-plugin (its *.test.ts files and tests/support may import testkit)'),
  boundary('^@asyncguard-examples/', 'packages/runtime/src is published: it must not import the examples'),
  boundary('^(\\.\\./)+(packages/)?(testkit|codemod|eslint-plugin|examples)(/|$)', 'packages/runtime/src is published: it must not import testkit, codemod, eslint-plugin or the examples'),
  boundary('^(\\.\\./)+tests/', 'packages/runtime/src is published: it must not import its own test helpers (tests/support)'),
];
export const restrict = (patterns) => ({
  'no-restricted-imports': ['error', { patterns }],
  'no-restricted-syntax': [
    'error',
    ...patterns.flatMap(({ regex, message }) => {
      const value = `/${regex.replaceAll('/', '\\/')}/`;
      return [
        { selector: `ImportExpression > Literal.source[value=${value}]`, message },
        { selector: `CallExpression[callee.name="require"] > Literal.arguments[value=${value}]`, message },
      ];
    }),
  ],
});

