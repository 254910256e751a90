/**
 * The package boundaries of eslint.boundaries.js, checked inside `pnpm test` (the README's test
 * command, which CI runs; `pnpm lint` is not part of it). The repo's own ESLint configs are loaded
 * as `pnpm lint` loads them (so the built @asyncguard/eslint-plugin must exist: `pnpm test` builds
 * first), with every rule but the two boundary rules filtered out.
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const BOUNDARY_RULES = new Set(['no-restricted-imports', 'no-restricted-syntax']);
const eslint = new ESLint({ cwd: root, ruleFilter: ({ ruleId }) => BOUNDARY_RULES.has(ruleId) });

/** Findings as `line ruleId: message`; a parse error shows up as `line fatal: …`. */
const findings = (results: ESLint.LintResult[]): string[] =>
  results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(root.length)}:${m.line} ${m.ruleId ?? 'fatal'}: ${m.message}`));

/**
 * Lints `code` as if it were the file at `path` (an existing file, so the type-aware parser's
 * project knows it; only the text is replaced), and returns the findings by line.
 */
async function lintAs(path: string, code: string): Promise<string[]> {
  const results = await eslint.lintText(code, { filePath: `${root}${path}` });
  return findings(results).map((f) => f.slice(path.length + 1));
}

const FOREIGN_SRC = /another package's src\//;
const RUNTIME_PUBLISHED = /packages\/runtime\/src is published/;

describe('package boundaries', () => {
  it('hold across the repo', async () => {
    const results = await eslint.lintFiles(['.']);
    expect(results.length).toBeGreaterThan(300); // it did lint the packages, examples and benchmarks
    for (const dir of ['packages/runtime/src/', 'packages/testkit/', 'examples/legacy-kb/', 'bench/']) {
      expect(results.some((r) => r.filePath.startsWith(`${root}${dir}`)), dir).toBe(true);
    }
    expect(findings(results)).toEqual([]);
  });

  it('keep testkit, codemod, eslint-plugin, the examples and test helpers out of runtime src', async () => {
    const found = await lintAs(
      'packages/runtime/src/withTimeout.ts',
      [
        "import '@asyncguard/testkit';",
        "import { installBlockGuard } from '@asyncguard/testkit/vitest';",
        "export { runCodemod } from '@asyncguard/codemod';",
        "import '@asyncguard-examples/kb-shared';",
        "import '../../testkit/dist/index.js';",
        "import '../../../examples/knowledge-base/src/index.ts';",
        "import { timed } from '../tests/support/faultHarness.js';",
        "export const later = () => import('@asyncguard/eslint-plugin');",
        "export const old = () => require('../../codemod/src/index.ts');",
        "import { lazy } from './lazy.js';",
        "import { Redis } from 'ioredis';",
        'export { installBlockGuard, timed, lazy, Redis };',
      ].join('\n'),
    );
    const byLine = (line: number): string[] => found.filter((f) => f.startsWith(`${line} `));
    for (const line of [1, 2, 3, 4, 5, 7, 8]) expect(byLine(line).join('\n'), `line ${line}`).toMatch(RUNTIME_PUBLISHED);
    expect(byLine(1)[0]).toMatch(/^1 no-restricted-imports: .*must not import testkit/);
    expect(byLine(6).join('\n')).toMatch(FOREIGN_SRC);
    expect(byLine(8)[0]).toMatch(/^8 no-restricted-syntax: /); // a dynamic import()
    expect(byLine(9).join('\n')).toMatch(/^9 no-restricted-syntax: /); // require()
    expect(byLine(10)).toEqual([]); // its own modules
    expect(byLine(11)).toEqual([]); // its dependencies
  });

  it("let runtime tests and their helpers use testkit, but no package's src", async () => {
    const asTest = await lintAs('packages/runtime/src/withTimeout.test.ts', "import '@asyncguard/testkit';\nimport '@asyncguard/testkit/src/index.ts';\nimport '../tests/support/faultHarness.js';");
    expect(asTest).toHaveLength(1);
    expect(asTest[0]).toMatch(/^2 no-restricted-imports: .*imports another package's src\//);
    const asSupport = await lintAs('packages/runtime/tests/support/faultHarness.ts', "import '@asyncguard/testkit/vitest';\nimport '../../src/index.js';\nimport '../../../testkit/src/index.ts';");
    expect(asSupport).toHaveLength(1);
    expect(asSupport[0]).toMatch(/^3 no-restricted-imports: .*reaches into another package's src\//);
  });

  it('stop examples and benchmarks reaching into a package or example src, under either ESLint config', async () => {
    const bench = await lintAs('bench/kb/index.ts', "import '../../examples/kb-shared/src/index.ts';\nimport '../../packages/runtime/src/index.ts';\nimport '@asyncguard-examples/kb-shared';");
    expect(bench.map((f) => f.slice(0, 2))).toEqual(['1 ', '2 ']);
    // legacy-kb has its own eslint.config.js (ESLint 10 uses the config nearest to a file).
    const legacy = await lintAs('examples/legacy-kb/src/index.ts', "import '../../kb-shared/src/index.ts';\nimport '@asyncguard/runtime/src/index.ts';\nimport './KnowledgeBase.js';");
    expect(legacy.map((f) => f.slice(0, 2))).toEqual(['1 ', '2 ']);
    expect(legacy.join('\n')).toMatch(FOREIGN_SRC);
    const ownSrc = await lintAs('examples/knowledge-base/tests/faults.test.ts', "import '../src/index.js';\nimport '@asyncguard/testkit';");
    expect(ownSrc).toEqual([]);
  });
});
