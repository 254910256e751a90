/**
 * The codemod on real open-source projects (issue #14): for each project in projects.json, a temp
 * copy of its clone at the pinned commit is installed and its own tests run; the bench counts the
 * in-scope sync call sites itself, runs the codemod with --write, and checks what it did against
 * that count and against the project's tests.
 *
 * Floors: >= 90% of the in-scope sites converted over all projects, 0 silently-left sites,
 * 0 unparsable files, 0 test regressions, a second run changes nothing. Exit 1 when one fails.
 *
 *   pnpm bench codemod-real --repos <dir of clones> [--only a,b] [--codemod <bin>] [--rounds 3] [--keep] [--out <dir>]
 *     [--transform <id> ...]   (default: every transform, as a user runs it)
 *     [--codemod-arg <flag> ...] [--verify]   (--verify: the write run gets --verify "<the project's test command>")
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cloneProblem, runProject, type BenchOptions, type ProjectResult, type ProjectSpec } from './project.ts';
import { canIsolate } from './run.ts';
import { floors, printResults } from './table.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

class BenchInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchInputError';
  }
}

interface Args { repos: string; only?: string[]; codemod: string; rounds: number; keep: boolean; out?: string; transforms: string[]; codemodArgs: string[]; verify: boolean }

function parseArgs(argv: readonly string[]): Args {
  const args: Partial<Args> = { codemod: join(root, 'packages', 'codemod', 'bin', 'asyncguard-codemod.js'), rounds: 3, keep: false, transforms: [], codemodArgs: [], verify: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (flagLike = false): string => {
      const v = argv[++i];
      if (v === undefined || (!flagLike && v.startsWith('--'))) throw new BenchInputError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--repos': args.repos = resolve(value()); break;
      case '--only': args.only = value().split(',').map((s) => s.trim()).filter(Boolean); break;
      case '--codemod': args.codemod = resolve(value()); break;
      case '--rounds': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) throw new BenchInputError('--rounds needs a whole number >= 1');
        args.rounds = n;
        break;
      }
      case '--keep': args.keep = true; break;
      case '--transform': args.transforms!.push(value()); break;
      case '--codemod-arg': args.codemodArgs!.push(value(true)); break;
      case '--verify': args.verify = true; break;
      case '--out': args.out = resolve(value()); break;
      default: throw new BenchInputError(`unknown option ${flag} (options: --repos <dir> --only a,b --codemod <bin> --rounds N --keep --out <dir> --transform <id> --codemod-arg <flag> --verify)`);
    }
  }
  if (args.repos === undefined) throw new BenchInputError('--repos <dir> is required: a folder of clones named as in bench/codemod-real/projects.json (see its README)');
  if (!existsSync(args.repos)) throw new BenchInputError(`--repos ${args.repos} does not exist`);
  if (!existsSync(args.codemod!)) throw new BenchInputError(`--codemod ${args.codemod} does not exist (build it first: pnpm build)`);
  return args as Args;
}

function loadProjects(): ProjectSpec[] {
  const raw = JSON.parse(readFileSync(join(here, 'projects.json'), 'utf8')) as unknown;
  if (!Array.isArray(raw)) throw new BenchInputError('projects.json must hold an array');
  const required = ['name', 'repo', 'commit', 'language', 'module', 'install', 'test', 'notes'] as const;
  return raw.map((entry, index) => {
    const p = entry as Record<string, unknown>;
    for (const key of required) {
      if (typeof p[key] !== 'string' || p[key] === '') throw new BenchInputError(`projects.json[${index}] needs a string "${key}"`);
    }
    if (!/^[0-9a-f]{40}$/.test(p.commit as string)) throw new BenchInputError(`projects.json: ${String(p.name)} needs a full 40-hex commit`);
    if (!['js', 'ts'].includes(p.language as string)) throw new BenchInputError(`projects.json: ${String(p.name)}: language is js or ts`);
    if (!['cjs', 'esm'].includes(p.module as string)) throw new BenchInputError(`projects.json: ${String(p.name)}: module is cjs or esm`);
    return p as unknown as ProjectSpec;
  });
}

function main(): number {
  let args: Args;
  let projects: ProjectSpec[];
  try {
    args = parseArgs(process.argv.slice(2));
    projects = loadProjects();
    if (args.only) {
      const unknown = args.only.filter((n) => !projects.some((p) => p.name === n));
      if (unknown.length > 0) throw new BenchInputError(`--only: no project named ${unknown.join(', ')} (known: ${projects.map((p) => p.name).join(', ')})`);
      projects = projects.filter((p) => args.only!.includes(p.name));
    }
    const problems = projects.map((p) => cloneProblem(p, args.repos)).filter((p): p is string => p !== undefined);
    if (problems.length > 0) throw new BenchInputError(`clones missing or at the wrong commit:\n  ${problems.join('\n  ')}`);
  } catch (error) {
    if (error instanceof BenchInputError) {
      process.stderr.write(`codemod-real: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const work = mkdtempSync(join(tmpdir(), 'asyncguard-codemod-real-'));
  const out = args.out ?? join(work, 'out');
  mkdirSync(out, { recursive: true });
  const options: BenchOptions = {
    repos: args.repos, codemodBin: args.codemod, rounds: args.rounds, work, out,
    codemodArgs: [...args.transforms.flatMap((t) => ['--transform', t]), ...args.codemodArgs],
    verify: args.verify,
    tsc: join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
    typeRoots: join(root, 'packages', 'codemod', 'node_modules', '@types'),
  };
  const say = (line: string): void => { process.stderr.write(`${line}\n`); };
  say(`codemod-real: ${projects.length} project(s), codemod ${args.codemod}, ${args.rounds} timing round(s), work dir ${work}, logs in ${out}`);
  if (!canIsolate()) say('codemod-real: warning: unshare is not available: the projects\' tests run WITHOUT network isolation');
  const results: ProjectResult[] = [];
  try {
    for (const spec of projects) {
      say(`${spec.name} @ ${spec.commit.slice(0, 10)}`);
      try {
        results.push(runProject(spec, options, say));
      } catch (error) {
        results.push({
          spec, error: (error as Error).message, scopeFiles: 0, before: [], after: new Map(), changedFiles: [], unparsable: [], testExit: {},
          newFailures: [], regressed: false, secondRunFiles: [], timing: { codemod: [], tsc: [] },
        });
      }
      if (!args.keep) rmSync(join(work, spec.name), { recursive: true, force: true });
    }
  } finally {
    if (!args.keep && args.out === undefined) say(`codemod-real: logs, reports and diffs kept in ${out}`);
  }
  const text = printResults(results, args.rounds);
  process.stdout.write(text);
  writeFileSync(join(out, 'summary.md'), text);
  return results.some((r) => r.error !== undefined) || floors(results).some((f) => !f.met) ? 1 : 0;
}

process.exitCode = main();
