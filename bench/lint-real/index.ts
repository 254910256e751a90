/**
 * @asyncguard/eslint-plugin judged on real repositories that use ioredis or node-redis.
 * `pnpm bench lint-real --repos <dir of clones> [--only a,b] [--rounds N] [--plugin <dist entry>] [--cache <dir> | --keep] [--no-processes]`
 *
 * Each project of projects.json is cloned from `<repos>/<clone>` into a work dir at its pinned
 * commit and installed there (the user's clone is never touched). Per project:
 *   typed    our `recommended-type-checked` + typescript-eslint's no-floating-promises in one ESLint
 *            run (projectService); a round is two fresh processes, one per rule order (each rule pays
 *            the checker's lazy work once a round), a rule's round time is its sum over both;
 *   untyped  our `recommended`, typescript-eslint's parser without type information, once;
 *   processes  whole-process wall time of the `eslint` CLI (untyped, typed) and oxlint (our rules as
 *            a JS plugin; `--type-aware` no-floating-promises through oxlint-tsgolint), rounds rotated.
 * Floors: typed no-missing-await time ≤ 1× no-floating-promises (median of the round ratios) on every
 * project; untyped require-timeout and no-missing-await find ≥ 80 % of the typed findings; 0 crashes.
 * Exits 1 when a floor is missed (after printing everything), 2 on bad input.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BenchUsageError, parseArgs } from './parts/args.js';
import { eslintCli, oxlintTypeAware, oxlintWithPlugin, withPatchedTsconfig, type ProcessRun, type ToolPaths } from './parts/processes.js';
import { checkClones, loadProjects, prepareWorkCopy, selectProjects, type Project } from './parts/projects.js';
import { printProject, printSummary, type ProjectResult, type TypedRound, type Verdict } from './parts/report.js';
import { NFP, NMA, type LintJob, type LintRun } from './parts/types.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const out = (s: string): void => void process.stdout.write(s);
const log = (s: string): void => void process.stderr.write(`  ${s}\n`);

function runChild(job: LintJob): LintRun {
  const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
  const r = spawnSync(tsx, [join(here, 'parts', 'lintChild.ts')], { cwd: job.rootDir, input: JSON.stringify(job), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${job.mode} lint of ${job.rootDir} failed (exit ${r.status}):\n${(r.stderr ?? '').slice(-4000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as LintRun;
}

function listFiles(dir: string, p: Project): string[] {
  const specs = [...p.files.map((g) => `:(glob)${g}`), ...p.ignores.map((g) => `:(glob,exclude)${g}`)];
  const r = spawnSync('git', ['-C', dir, 'ls-files', '-z', '--', ...specs], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${p.name}: git ls-files failed: ${r.stderr}`);
  const files = r.stdout.split('\0').filter((f) => f && !f.endsWith('.d.ts'));
  if (files.length === 0) throw new BenchUsageError(`${p.name}: "files" ${p.files.join(', ')} matches no file at ${p.commit}`);
  return files;
}

function benchProject(p: Project, dir: string, rounds: number, tools: ToolPaths, untypedRuleIds: string[], skipProcesses: boolean, workRoot: string): ProjectResult {
  const files = listFiles(dir, p);
  const job = (mode: LintJob['mode'], theirsFirst: boolean): LintJob => ({
    mode,
    rootDir: dir,
    files,
    tsconfig: p.tsconfig,
    ignores: p.ignores,
    plugin: tools.plugin,
    tseslint: tools.tseslint,
    withTheirs: mode === 'typed',
    theirsFirst,
  });
  log(`${p.name}: untyped run (${files.length} files)`);
  const untyped = runChild(job('untyped', false));
  // A round is two fresh runs, one per rule order: whichever rule asks the checker first about a
  // node pays for checking it, so each rule pays that once per round.
  const typed: TypedRound[] = [];
  for (let round = 0; round < rounds; round++) {
    const pair: Partial<TypedRound> = {};
    for (const theirsFirst of round % 2 === 0 ? [false, true] : [true, false]) {
      const run = runChild(job('typed', theirsFirst));
      pair[theirsFirst ? 'theirsFirst' : 'oursFirst'] = run;
      log(`${p.name}: typed round ${round + 1}/${rounds} (${theirsFirst ? 'theirs' : 'ours'} first): no-missing-await ${(run.byRule[NMA] ?? 0).toFixed(0)} ms, no-floating-promises ${(run.byRule[NFP] ?? 0).toFixed(0)} ms, wall ${run.wallMs.toFixed(0)} ms`);
    }
    typed.push(pair as TypedRound);
  }
  const processes: ProjectResult['processes'] = [];
  if (!skipProcesses) {
    const kinds: { label: string; run: () => ProcessRun }[] = [
      { label: 'eslint untyped (recommended)', run: () => eslintCli('untyped', dir, p, tools) },
      { label: 'eslint typed (recommended-type-checked)', run: () => eslintCli('typed', dir, p, tools) },
      { label: 'oxlint + plugin (untyped rules)', run: () => oxlintWithPlugin(dir, files, untypedRuleIds, join(workRoot, `${p.name}.oxlintrc.json`), tools) },
    ];
    const runs = new Map(kinds.map((k) => [k.label, [] as ProcessRun[]]));
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < kinds.length; i++) {
        const kind = kinds[(i + round) % kinds.length]!;
        const r = kind.run();
        runs.get(kind.label)!.push(r);
        log(`${p.name}: process round ${round + 1}/${rounds} ${kind.label}: ${r.error ? `error: ${r.error.slice(0, 200)}` : `${r.wallMs.toFixed(0)} ms`}`);
      }
    }
    const typeAware: ProcessRun[] = [];
    withPatchedTsconfig(dir, p, () => {
      for (let round = 0; round < rounds; round++) {
        const r = oxlintTypeAware(dir, files, join(workRoot, `${p.name}.typeaware.oxlintrc.json`), tools);
        typeAware.push(r);
        log(`${p.name}: process round ${round + 1}/${rounds} oxlint --type-aware: ${r.error ? `error: ${r.error.slice(0, 200)}` : `${r.wallMs.toFixed(0)} ms`}`);
        if (r.error) break; // the same error every round
      }
    });
    for (const k of kinds) processes.push({ label: k.label, runs: runs.get(k.label)! });
    processes.push({ label: `oxlint --type-aware no-floating-promises${p.tsgolintCompilerOptions ? ' (tsconfig patched for TS 7)' : ''}`, runs: typeAware });
  }
  return { project: p, dir, files, typed, untyped, processes };
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2), repoRoot, process.env.INIT_CWD ?? process.cwd());
  const projects = selectProjects(loadProjects(join(here, 'projects.json')), opts.only);
  checkClones(projects, opts.repos);
  const require = createRequire(import.meta.url);
  const tools: ToolPaths = { repoRoot, plugin: opts.plugin, tseslint: require.resolve('typescript-eslint') };
  const plugin = ((await import(pathToFileURL(opts.plugin).href)) as { default: { meta?: { version?: string }; configs: Record<string, { rules?: Record<string, unknown> }> } }).default;
  const untypedRuleIds = Object.keys(plugin.configs.recommended?.rules ?? {});
  const version = (pkg: string): string => {
    try {
      return (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
    } catch {
      return '?';
    }
  };
  out(`# lint-real: @asyncguard/eslint-plugin on real repositories\n\n`);
  out(`plugin: ${opts.plugin} (version ${plugin.meta?.version ?? '?'}, built ${statSync(opts.plugin).mtime.toISOString()})\n`);
  out(`eslint ${version('eslint')}, typescript-eslint ${version('typescript-eslint')}, typescript ${version('typescript')}, oxlint ${version('oxlint')}; node ${process.version}; ${opts.rounds} rounds\n`);

  const workRoot = opts.cache ?? mkdtempSync(join(tmpdir(), 'asyncguard-lint-real-'));
  mkdirSync(workRoot, { recursive: true });
  const verdicts: Verdict[] = [];
  try {
    for (const p of projects) {
      const dir = prepareWorkCopy(p, opts.repos, workRoot, log);
      const result = benchProject(p, dir, opts.rounds, tools, untypedRuleIds, opts.skipProcesses, workRoot);
      verdicts.push(printProject(result, out));
    }
  } finally {
    if (!opts.cache && !opts.keep) rmSync(workRoot, { recursive: true, force: true });
    else log(`work copies kept in ${workRoot} (pass --cache ${workRoot} to reuse them)`);
  }
  return printSummary(verdicts, out) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof BenchUsageError) {
      process.stderr.write(`lint-real: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`lint-real failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
