/**
 * One project through the bench: a temp copy of its clone at the pinned commit, install, its own
 * tests (baseline), the site count, timed dry runs beside tsc, the codemod with --write, the checks
 * (parse, silent sites, idempotence), and its own tests again.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { attribute, rebaseReport, type Attribution, type CodemodJson } from './attribution.ts';
import { canIsolate, projectEnv, runCommand, type RunResult } from './run.ts';
import { scanFile, syntaxErrorCount, type FileScan } from './siteCounter.ts';
import { parseTestSummary, type TestSummary } from './testSummary.ts';

export interface ProjectSpec {
  name: string;
  repo: string;
  commit: string;
  language: 'js' | 'ts';
  module: 'cjs' | 'esm';
  /** Shell command that installs dependencies (network: the npm registry). */
  install: string;
  /** Shell command that runs the project's own tests offline. */
  test: string;
  notes: string;
  /** Regular expressions over root-relative paths of files that are not the project's own code. */
  exclude?: string[];
  /** Extra codemod flags this project needs (e.g. a tsconfig). */
  codemodArgs?: string[];
  /** The tsconfig for the `tsc --noEmit` comparison (TypeScript projects; default tsconfig.json). */
  tsconfig?: string;
  timeoutSeconds?: number;
}

export interface BenchOptions {
  repos: string;
  codemodBin: string;
  /** Codemod flags for every project (e.g. --transform sync-to-async). */
  codemodArgs: string[];
  /** Pass `--verify "<test command>"` to the write run (the codemod's own behaviour gate). */
  verify: boolean;
  rounds: number;
  work: string;
  out: string;
  tsc: string;
  typeRoots: string;
}

export interface Sample { seconds: number; peakBytes?: number; exitCode?: number | null }

export interface ProjectResult {
  spec: ProjectSpec;
  error?: string;
  scopeFiles: number;
  before: FileScan[];
  after: Map<string, FileScan>;
  attribution?: Attribution;
  codemodExit?: number | null;
  codemodMessage?: string;
  report?: CodemodJson;
  changedFiles: string[];
  unparsable: string[];
  testsBefore?: TestSummary;
  testsAfter?: TestSummary;
  testExit: { before?: number | null; after?: number | null };
  newFailures: string[];
  regressed: boolean;
  idempotent?: boolean;
  secondRunFiles: string[];
  timing: { codemod: Sample[]; tsc: Sample[]; write?: Sample };
}

const SOURCE = /\.(c|m)?[jt]sx?$/;
const DECLARATION = /\.d\.[cm]?ts$/;

function git(cwd: string, args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@asyncguard.invalid', '-c', 'core.hooksPath=/dev/null', ...args], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} in ${cwd} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Checks that the clone exists and holds the pinned commit; returns a problem or undefined. */
export function cloneProblem(spec: ProjectSpec, repos: string): string | undefined {
  const clone = join(repos, spec.name);
  if (!existsSync(clone)) return `${spec.name}: no clone at ${clone} (git clone ${spec.repo} ${clone})`;
  const r = spawnSync('git', ['-C', clone, 'cat-file', '-e', `${spec.commit}^{commit}`], { encoding: 'utf8' });
  if (r.status !== 0) return `${spec.name}: the clone at ${clone} lacks the pinned commit ${spec.commit} (git -C ${clone} fetch origin, or clone ${spec.repo} again)`;
  return undefined;
}

function scopeFiles(dir: string, spec: ProjectSpec): string[] {
  const exclude = (spec.exclude ?? []).map((e) => new RegExp(e));
  return git(dir, ['ls-tree', '-r', '--name-only', spec.commit]).split('\n')
    .filter((f) => SOURCE.test(f) && !DECLARATION.test(f) && !f.split('/').includes('node_modules') && !exclude.some((e) => e.test(f)));
}

function scan(dir: string, files: readonly string[]): FileScan[] {
  return files.filter((f) => existsSync(join(dir, f))).map((f) => scanFile(f, readFileSync(join(dir, f), 'utf8')));
}

/** Files that differ from HEAD (tracked edits and new untracked files). */
function changed(dir: string): string[] {
  const tracked = git(dir, ['diff', '--name-only', 'HEAD']).split('\n');
  const untracked = git(dir, ['ls-files', '--others', '--exclude-standard']).split('\n');
  return [...new Set([...tracked, ...untracked])].filter((f) => f !== '');
}

function restore(dir: string): void {
  git(dir, ['checkout', '-q', '--', '.']);
  git(dir, ['clean', '-qfd']);
}

function tail(text: string, lines = 12): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** A tsconfig outside the project that type-checks the same files as plain JavaScript would be. */
function jsTsconfig(dir: string, files: readonly string[], options: BenchOptions, name: string): string {
  const path = join(options.work, `${name}.tsconfig.json`);
  writeFileSync(path, JSON.stringify({
    compilerOptions: {
      allowJs: true, checkJs: false, noEmit: true, skipLibCheck: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext',
      types: ['node'], typeRoots: [join(dir, 'node_modules', '@types'), options.typeRoots],
    },
    files: files.map((f) => join(dir, f)),
  }, null, 2));
  return path;
}

export function runProject(spec: ProjectSpec, options: BenchOptions, say: (line: string) => void): ProjectResult {
  const result: ProjectResult = {
    spec, scopeFiles: 0, before: [], after: new Map(), changedFiles: [], unparsable: [], testExit: {}, newFailures: [], regressed: false,
    secondRunFiles: [], timing: { codemod: [], tsc: [] },
  };
  const dir = join(options.work, spec.name);
  const logs = join(options.out, spec.name);
  mkdirSync(logs, { recursive: true });
  const timeout = spec.timeoutSeconds ?? 600;
  const isolated = canIsolate();
  const env = projectEnv(dir, { npm_config_offline: 'true' });
  const step = (label: string, command: string, opts: { isolated: boolean; timeout: number; env?: Record<string, string> }): RunResult => {
    say(`  ${spec.name}: ${label}`);
    return runCommand(command, { cwd: dir, log: join(logs, `${label.replace(/[^\w.-]+/g, '-')}.log`), timeoutSeconds: opts.timeout, isolated: opts.isolated, env: opts.env ?? env });
  };
  const fail = (message: string): ProjectResult => ({ ...result, error: message });

  git(options.work, ['clone', '-q', '--no-checkout', join(options.repos, spec.name), dir]);
  git(dir, ['checkout', '-q', '--detach', spec.commit]);
  appendFileSync(join(dir, '.git', 'info', 'exclude'), '\nnode_modules/\n');
  const install = step('install', spec.install, { isolated: false, timeout: 900, env: projectEnv(dir) });
  if (install.exitCode !== 0) return fail(`install failed (${install.exitCode}): ${tail(install.output, 6)}`);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'bench: installed', '--allow-empty', '--no-verify']);

  const testsBefore = step('tests-before', spec.test, { isolated, timeout });
  result.testExit.before = testsBefore.exitCode;
  const before = parseTestSummary(testsBefore.output);
  if (before === undefined) return fail(`no test summary in the baseline run (exit ${testsBefore.exitCode}${testsBefore.timedOut ? ', timed out' : ''}): ${tail(testsBefore.output, 6)}`);
  result.testsBefore = before;
  restore(dir);

  const files = scopeFiles(dir, spec);
  result.scopeFiles = files.length;
  result.before = scan(dir, files);

  // Timing: dry runs of the codemod (analysis + transform + type-check gate, nothing written)
  // beside tsc --noEmit over the same program, interleaved per round.
  const tsconfig = spec.language === 'ts' ? join(dir, spec.tsconfig ?? 'tsconfig.json') : jsTsconfig(dir, files, options, spec.name);
  const localTsc = join(dir, 'node_modules', 'typescript', 'bin', 'tsc');
  const tsc = `node ${existsSync(localTsc) ? localTsc : options.tsc} --noEmit -p ${tsconfig}`;
  const quote = (a: string): string => (/^[\w./=@:-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  const codemod = (extra: string[]): string => ['node', options.codemodBin, ...extra, ...options.codemodArgs, ...(spec.codemodArgs ?? [])].map(quote).join(' ');
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? ['tsc', 'codemod'] : ['codemod', 'tsc'];
    for (const who of order) {
      const r = who === 'tsc'
        ? step(`tsc-${round + 1}`, tsc, { isolated, timeout })
        : step(`codemod-dry-${round + 1}`, codemod(['--json', join(logs, `dry-${round + 1}.json`)]), { isolated, timeout });
      const sample: Sample = { seconds: r.seconds, exitCode: r.exitCode };
      if (r.peakBytes !== undefined) sample.peakBytes = r.peakBytes;
      (who === 'tsc' ? result.timing.tsc : result.timing.codemod).push(sample);
      if (who === 'codemod' && changed(dir).length > 0) return fail(`a dry run changed files: ${changed(dir).join(', ')}`);
    }
  }

  const reportPath = join(logs, 'report.json');
  const write = step('codemod-write', codemod(['--write', '--allow-dirty', '--json', reportPath, ...(options.verify ? ['--verify', spec.test] : [])]), { isolated, timeout: options.verify ? timeout * 8 : timeout });
  result.timing.write = { seconds: write.seconds, ...(write.peakBytes !== undefined ? { peakBytes: write.peakBytes } : {}) };
  result.codemodExit = write.exitCode;
  result.codemodMessage = tail(write.output.split('\n').filter((l) => !l.startsWith('Command exited with non-zero status')).join('\n'), 4);
  result.report = existsSync(reportPath) ? rebaseReport(JSON.parse(readFileSync(reportPath, 'utf8')) as CodemodJson, dir) : {};
  result.changedFiles = changed(dir);
  writeFileSync(join(logs, 'codemod.diff'), git(dir, ['diff', 'HEAD']));
  for (const file of result.changedFiles) {
    if (!SOURCE.test(file) || !existsSync(join(dir, file))) continue;
    const original = spawnSync('git', ['show', `HEAD:${file}`], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const errorsBefore = original.status === 0 ? syntaxErrorCount(file, original.stdout) : 0;
    if (syntaxErrorCount(file, readFileSync(join(dir, file), 'utf8')) > errorsBefore) result.unparsable.push(file);
  }
  result.after = new Map(scan(dir, files).map((s) => [s.file, s]));
  const failed = write.exitCode !== 0 && write.exitCode !== 1;
  const failure = failed ? `exit ${String(write.exitCode)}${write.timedOut ? ' (timed out)' : ''}: ${write.output.trim().split('\n').filter((l) => l.trim() !== '' && !l.startsWith('Command exited with non-zero status')).slice(-1)[0] ?? ''}` : undefined;
  result.attribution = attribute(result.before, result.after, result.report, failure);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'bench: codemod', '--allow-empty', '--no-verify']);

  if (write.exitCode === 0 || write.exitCode === 1) {
    const second = step('codemod-second', codemod(['--write', '--allow-dirty', '--json', join(logs, 'second.json')]), { isolated, timeout });
    result.secondRunFiles = changed(dir);
    writeFileSync(join(logs, 'second.diff'), git(dir, ['diff', 'HEAD']));
    result.idempotent = (second.exitCode === 0 || second.exitCode === 1) && result.secondRunFiles.length === 0;
    restore(dir);
  }

  if (result.changedFiles.length === 0) {
    // Nothing changed: the code under test is the baseline's.
    result.testsAfter = before;
    result.testExit.after = result.testExit.before;
    return result;
  }
  const testsAfter = step('tests-after', spec.test, { isolated, timeout });
  result.testExit.after = testsAfter.exitCode;
  const after = parseTestSummary(testsAfter.output);
  if (after !== undefined) result.testsAfter = after;
  const failedBefore = new Set(before.failures);
  result.newFailures = (after?.failures ?? []).filter((f) => !failedBefore.has(f));
  result.regressed = after === undefined || after.passed < before.passed || after.failed > before.failed || result.newFailures.length > 0;
  return result;
}
