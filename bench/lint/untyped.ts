/**
 * The untyped contenders, interleaved file by file in one fresh process: each file is linted by
 * every contender in turn (order rotated per file), so all of them see the same load on a shared
 * machine. Untyped linting keeps no cache between files, so one process does not bias them.
 * Prints `{ [contender]: RunSummary[] }` (one summary per round) as JSON on stdout.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import plugin from '@asyncguard/eslint-plugin';
import type { ContenderName, RunSummary } from './contenders.js';

const [corpusDir, repoRoot, roundsArg] = process.argv.slice(2) as [string, string, string];
const rounds = Number(roundsArg);
const UNTYPED: ContenderName[] = ['parse-floor', 'traversal-floor', 'recommended'];

function configFor(contender: ContenderName): Linter.Config[] {
  const base: Linter.Config = { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as Linter.Parser } };
  if (contender === 'traversal-floor') return [base, { rules: { 'no-debugger': 'error' } }];
  if (contender === 'recommended') return [base, plugin.configs.recommended as Linter.Config];
  return [base];
}

function sources(): { path: string; code: string }[] {
  const files: { path: string; code: string }[] = [];
  const handlers = join(corpusDir, 'src', 'handlers');
  for (const f of readdirSync(handlers)) files.push({ path: join(handlers, f), code: readFileSync(join(handlers, f), 'utf8') });
  files.push({ path: join(corpusDir, 'src', 'clients.ts'), code: readFileSync(join(corpusDir, 'src', 'clients.ts'), 'utf8') });
  // The repository's sources, linted under a virtual path inside the corpus (no type information is involved).
  for (const pkg of readdirSync(join(repoRoot, 'packages'))) {
    const src = join(repoRoot, 'packages', pkg, 'src');
    let entries: string[] = [];
    try {
      entries = readdirSync(src, { recursive: true }) as string[];
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (!entry.endsWith('.ts') || entry.endsWith('.d.ts')) continue;
      const real = join(src, entry);
      files.push({ path: join(corpusDir, 'repo', relative(repoRoot, real)), code: readFileSync(real, 'utf8') });
    }
  }
  return files;
}

const files = sources();
const engines = new Map(UNTYPED.map((c) => [c, new ESLint({ cwd: corpusDir, overrideConfigFile: true, overrideConfig: configFor(c), stats: true })]));
const out: Record<string, RunSummary[]> = Object.fromEntries(UNTYPED.map((c) => [c, []]));
for (let round = 0; round < rounds; round++) {
  const sums = new Map<ContenderName, RunSummary>(
    UNTYPED.map((c) => [c, { contender: c, files: 0, wallMs: 0, parseMs: 0, rulesMs: 0, totalMs: 0, byRule: {}, problems: 0 }]),
  );
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    for (let k = 0; k < UNTYPED.length; k++) {
      const contender = UNTYPED[(i + k + round) % UNTYPED.length]!;
      const sum = sums.get(contender)!;
      const start = performance.now();
      const [result] = await engines.get(contender)!.lintText(file.code, { filePath: file.path });
      sum.wallMs += performance.now() - start;
      if (!result) throw new Error(`no result for ${file.path}`);
      const fatal = result.messages.find((m) => m.fatal);
      if (fatal) throw new Error(`${file.path}: ${fatal.message}`);
      sum.files++;
      sum.problems += result.messages.length;
      for (const pass of result.stats?.times.passes ?? []) {
        sum.parseMs += pass.parse?.total ?? 0;
        sum.totalMs += pass.total;
        for (const [rule, time] of Object.entries(pass.rules ?? {})) {
          sum.rulesMs += time.total;
          sum.byRule[rule] = (sum.byRule[rule] ?? 0) + time.total;
        }
      }
    }
  }
  for (const [c, s] of sums) out[c]!.push(s);
  process.stderr.write(`  untyped round ${round + 1}: ${UNTYPED.map((c) => `${c} Σtotal ${sums.get(c)!.totalMs.toFixed(0)} ms`).join(', ')}\n`);
}
process.stdout.write(`${JSON.stringify(out)}\n`);
