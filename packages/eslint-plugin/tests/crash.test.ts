import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Linter } from 'eslint';
import fc from 'fast-check';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { FIXTURES_DIR } from './ruleTester.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ruleIds = Object.keys(plugin.rules).map((id) => `@asyncguard/${id}`);

/** Every rule on, with default options and, in a second run, with every non-default switch flipped. */
const defaultRules = Object.fromEntries(ruleIds.map((id) => [id, 'error'])) as Linter.RulesRecord;
const flippedRules: Linter.RulesRecord = {
  ...defaultRules,
  '@asyncguard/no-missing-await': ['error', { ignoreVoid: false, ignoreIIFE: true, knownSafeCalls: [] }],
  '@asyncguard/require-timeout': ['error', { budgets: { redis: 1, indexing: 5 }, wrappers: ['race', 'pTimeout'] }],
  '@asyncguard/no-blocking-in-async': ['error', { deny: [{ name: 'a.b' }], helperDepth: 5 }],
  '@asyncguard/no-redis-client-per-call': ['error', { allowMemoized: false, factories: ['f'] }],
  '@asyncguard/no-silent-io-catch': ['error', { logFunctions: ['x'], checkPromiseCatch: true }],
};

// typescript-eslint switches to "single run" mode when it sees CI=true, and then types files from
// disk instead of the code given to verify(): these tests lint in-memory code, so turn that off.
const config = (rules: Linter.RulesRecord, parserOptions: Linter.ParserOptions = {}): Linter.Config[] => [
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parser: tseslint.parser as Linter.Parser, parserOptions: { disallowAutomaticSingleRunInference: true, ...parserOptions } },
    plugins: { '@asyncguard': plugin as never },
    rules,
  },
];

/** Lints `code`, failing on a rule crash (ESLint rethrows it) and on a parse error (no rule would have run). */
function lint(linter: Linter, code: string, rules: Linter.RulesRecord, filename = 'file.ts', parserOptions: Linter.ParserOptions = {}): Linter.LintMessage[] {
  const messages = linter.verify(code, config(rules, parserOptions), { filename });
  const fatal = messages.filter((m) => m.fatal);
  expect(fatal, `parse error in:\n${code}`).toEqual([]);
  return messages;
}

// ---- generated programs --------------------------------------------------------------------

const ident = fc.constantFrom('a', 'b', 'redis', 'client', 'fs', 'index', 'engine', 'p', 'pipe', 'DAY');
const method = fc.constantFrom(
  'get', 'set', 'blpop', 'xread', 'exec', 'pipeline', 'multi', 'then', 'catch', 'finally', 'query', 'retrieve',
  'readFileSync', 'duplicate', 'connect', 'map', 'asQueryEngine', 'insert', 'scan', 'hgetall',
);
const number = fc.constantFrom('0', '1', '2000', '30000', '(2 ** 31)', '1e10', '(24 * 60 * 60 * 1000)', '(DAY * 40)', 'Infinity', "'5'");

const { expr } = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    ident,
    number,
    fc.constant("'k'"),
    fc.constant('new Redis()'),
    fc.constant("new Redis({ commandTimeout: 30000, lazyConnect: true })"),
    fc.constant("fetch('x')"),
    fc.constant('new Promise((r) => r(1))'),
    fc.constant('Date.now()'),
    fc.constant('VectorStoreIndex.fromDocuments([])'),
    fc.tuple(ident, fc.array(tie('expr'), { maxLength: 3 })).map(([f, args]) => `${f}(${args.join(', ')})`),
    fc.tuple(tie('expr'), method, fc.array(tie('expr'), { maxLength: 3 })).map(([o, m, args]) => `(${o}).${m}(${args.join(', ')})`),
    fc.tuple(ident, method).map(([o, m]) => `${o}?.${m}?.()`),
    fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([c, t, e]) => `(${c} ? ${t} : ${e})`),
    fc.tuple(tie('expr'), fc.constantFrom('&&', '||', '??', '+', '<'), tie('expr')).map(([l, op, r]) => `(${l} ${op} ${r})`),
    tie('expr').map((e) => `!(${e})`),
    tie('expr').map((e) => `\`t \${${e}}\``),
    tie('expr').map((e) => `[...${e}]`),
    tie('expr').map((e) => `({ ...${e} })`),
    tie('expr').map((e) => `(() => ${e})`),
    tie('expr').map((e) => `(async () => ${e})`),
    tie('expr').map((e) => `(async () => ${e})()`),
    fc.tuple(tie('expr'), number).map(([e, n]) => `withTimeout(${e}, ${n})`),
    fc.tuple(tie('expr'), number).map(([e, n]) => `setTimeout(() => ${e}, ${n})`),
    fc.tuple(tie('expr'), tie('expr')).map(([x, y]) => `Promise.race([${x}, ${y}])`),
    tie('expr').map((e) => `void (${e})`),
    tie('expr').map((e) => `(${e} as any)`),
  ),
}));

/** Statements; `await` appears only where it is allowed (async bodies). */
const statements = (depth: number, inAsync: boolean): fc.Arbitrary<string> => {
  const leaf: fc.Arbitrary<string>[] = [
    expr.map((e) => `${e};`),
    fc.tuple(ident, expr).map(([v, e]) => `const ${v} = ${e};`),
    fc.tuple(ident, expr).map(([v, e]) => `${v} = ${e};`),
    fc.constant('while (Date.now() < 5) {}'),
  ];
  if (inAsync) {
    leaf.push(expr.map((e) => `await ${e};`), fc.tuple(ident, expr).map(([v, e]) => `let ${v} = await ${e};`), expr.map((e) => `for await (const x of ${e}) {}`));
  }
  if (depth <= 0) return fc.array(fc.oneof(...leaf), { maxLength: 3 }).map((s) => s.join('\n'));
  const inner = (isAsync: boolean): fc.Arbitrary<string> => statements(depth - 1, isAsync);
  const compound: fc.Arbitrary<string>[] = [
    fc.tuple(expr, inner(inAsync), inner(inAsync)).map(([c, t, e]) => `if (${c}) {\n${t}\n} else {\n${e}\n}`),
    fc.tuple(expr, inner(inAsync)).map(([c, b]) => `while (${c}) {\n${b}\n}`),
    inner(inAsync).map((b) => `for (;;) {\n${b}\nbreak;\n}`),
    fc.tuple(inner(inAsync), inner(inAsync)).map(([t, c]) => `try {\n${t}\n} catch (e) {\n${c}\n}`),
    fc.tuple(inner(inAsync), inner(inAsync)).map(([t, c]) => `try {\n${t}\n} catch {\n${c}\n} finally {}`),
    fc.tuple(ident, inner(false), expr).map(([n, b, r]) => `function ${n}Sync() {\n${b}\nreturn ${r};\n}`),
    fc.tuple(ident, inner(true), expr).map(([n, b, r]) => `async function ${n}Async() {\n${b}\nreturn ${r};\n}`),
    fc.tuple(ident, inner(true)).map(([n, b]) => `const ${n}Arrow = async () => {\n${b}\n};`),
    fc.tuple(inner(false), inner(true)).map(([c, m]) => `class K {\n  f = new Redis();\n  constructor() {\n${c}\n}\n  async m() {\n${m}\n}\n}`),
  ];
  return fc.array(fc.oneof(...leaf, ...compound), { maxLength: 3 }).map((s) => s.join('\n'));
};

const HEADER = [
  "import Redis, { Cluster } from 'ioredis';",
  "import { readFileSync } from 'node:fs';",
  "import * as fsp from 'node:fs/promises';",
  "import { withTimeout } from '@asyncguard/runtime';",
  "import { VectorStoreIndex } from 'llamaindex';",
  'const DAY = 86_400_000;',
].join('\n');

const program = fc.tuple(statements(2, false), statements(2, true)).map(([top, body]) => `${HEADER}\n${top}\nexport async function main() {\n${body}\n}\n`);

describe('crash-freedom', () => {
  // The two heavy cases get more than the project's 30 s: they lint hundreds of programs on a shared 2-core machine.
  it('no rule throws on generated programs (default and flipped options)', { timeout: 120_000 }, () => {
    const linter = new Linter({ configType: 'flat' });
    let reports = 0;
    fc.assert(
      fc.property(program, (code) => {
        reports += lint(linter, code, defaultRules).length;
        lint(linter, code, flippedRules);
      }),
      { numRuns: 250, seed: 20261129 },
    );
    // The corpus exercises the rules, not just the parser.
    expect(reports).toBeGreaterThan(100);
  });

  const ZOO: [string, string][] = [
    ['decorators', "function log(_t: unknown, _k: string) {}\nclass A { @log async m() { await fetch('x'); } @log accessor v = 1; }"],
    ['legacy decorators with arguments', "const dec = (n: number) => (t: object) => t;\n@dec(1) export class B { constructor() { fetch('x'); } }"],
    ['enums and const enums', 'enum E { A = 1, B = A * 2 }\nconst enum C { X = "x" }\nexport async function f() { setTimeout(() => {}, E.B); return C.X; }'],
    ['overloads and declare', 'export function f(a: string): string;\nexport function f(a: number): number;\nexport function f(a: unknown) { return a; }\ndeclare function g(): Promise<void>;\ng();'],
    ['using declarations', 'export async function f() {\n  using a = { [Symbol.dispose]() {} };\n  await using b = { async [Symbol.asyncDispose]() {} };\n}'],
    ['namespaces and abstract classes', 'namespace N { export const x = 1; }\nabstract class Base { abstract load(): Promise<void>; constructor() { this.load(); } }\nexport { N, Base };'],
    ['generics, satisfies, private fields, static blocks', "class S<T> { #x?: T; static { fetch('x'); } static async s() {} m() { return this.#x satisfies T | undefined; } }\nexport { S };"],
    ['labels, generators, getters', 'export async function* gen() { outer: while (true) { for (;;) { yield 1; continue outer; } } }\nexport const o = { get v() { return 1; }, async *[Symbol.asyncIterator]() {} };'],
    ['import.meta, dynamic import, top-level await', "const m = import.meta.url;\nimport('./x.js');\nawait import('./y.js');\nexport { m };"],
    ['optional calls and non-null', "declare const r: { get?(k: string): Promise<string> } | undefined;\nr?.get?.('k');\nr!.get!('k');"],
    ['export = and import = require', "import fs = require('fs');\nasync function f() { fs.readFileSync('x'); }\nexport = f;"],
    ['class expressions and computed members', "const K = class { ['a' + 'b']() {} constructor() { new Promise(() => {}); } };\nexport { K };"],
    ['empty file', ''],
    ['only comments', '// nothing here\n/* at all */'],
  ];

  it.each(ZOO)('no rule throws on %s (untyped and typed)', (_name, code) => {
    const linter = new Linter({ configType: 'flat' });
    lint(linter, code, defaultRules);
    lint(linter, code, flippedRules);
    lint(linter, code, defaultRules, join(FIXTURES_DIR, 'file.ts'), { project: './tsconfig.json', tsconfigRootDir: FIXTURES_DIR });
  });

  it('no rule throws on JSX (untyped and typed)', () => {
    const code =
      "export async function Page() {\n  const data = fetch('x');\n  return <div onClick={async () => { await fetch('y'); }}>{data ? <span>{`${data}`}</span> : null}</div>;\n}";
    const linter = new Linter({ configType: 'flat' });
    lint(linter, code, defaultRules, 'react.tsx', { ecmaFeatures: { jsx: true } });
    const typed = lint(linter, code, defaultRules, join(FIXTURES_DIR, 'react.tsx'), {
      ecmaFeatures: { jsx: true },
      project: './tsconfig.json',
      tsconfigRootDir: FIXTURES_DIR,
    });
    expect(typed.map((m) => m.ruleId)).toContain('@asyncguard/no-missing-await');
  });

  it("no rule throws on this repository's packages/*/src", { timeout: 120_000 }, () => {
    const linter = new Linter({ configType: 'flat' });
    const files: string[] = [];
    for (const pkg of readdirSync(join(REPO_ROOT, 'packages'))) {
      const src = join(REPO_ROOT, 'packages', pkg, 'src');
      let entries: string[];
      try {
        entries = readdirSync(src, { recursive: true }) as string[];
      } catch {
        continue;
      }
      // Sources only: the test files are large and add time, not syntax.
      for (const entry of entries) if (/\.(ts|tsx|mts|cts)$/.test(entry) && !/\.(d|test)\.ts$/.test(entry)) files.push(join(src, entry));
    }
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) {
      const code = readFileSync(file, 'utf8');
      lint(linter, code, defaultRules, file.endsWith('x') ? 'file.tsx' : 'file.ts');
    }
  });
});
