/** Command-line options of `pnpm bench lint-real`; bad input throws a BenchUsageError that names it. */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

export interface BenchOptions {
  /** Directory holding one clone per project (`<repos>/<clone>`). */
  repos: string;
  /** Project names to run (all when empty). */
  only: string[];
  /** Rounds of every timed measurement. */
  rounds: number;
  /** Absolute path of the plugin's ESM dist entry. */
  plugin: string;
  /** Persistent directory for the work copies (installed once, reused); null: a temp dir removed afterwards. */
  cache: string | null;
  /** Keep the temp dir (prints its path, which can be passed as --cache next time). */
  keep: boolean;
  /** Skip the spawned whole-process timings (ESLint CLI, oxlint). */
  skipProcesses: boolean;
}

export const USAGE =
  'Usage: pnpm bench lint-real --repos <dir of clones> [--only a,b] [--rounds N] [--plugin <dist entry or package dir>]\n' +
  '                            [--cache <dir> | --keep] [--no-processes]';

/** Resolves `--plugin`: a dist entry file, a package's dist dir, or a package dir. */
export function resolvePluginEntry(input: string, cwd: string): string {
  const abs = isAbsolute(input) ? input : resolve(cwd, input);
  const candidates = [abs, join(abs, 'index.js'), join(abs, 'dist', 'index.js')];
  for (const c of candidates) if (existsSync(c) && statSync(c).isFile()) return c;
  throw new BenchUsageError(`--plugin ${input}: no plugin entry there (looked for ${candidates.join(', ')}); build it first (pnpm build)`);
}

export function parseArgs(argv: string[], repoRoot: string, cwd: string): BenchOptions {
  const opts: BenchOptions = {
    repos: '',
    only: [],
    rounds: 5,
    plugin: join(repoRoot, 'packages', 'eslint-plugin', 'dist', 'index.js'),
    cache: null,
    keep: false,
    skipProcesses: false,
  };
  let pluginArg: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new BenchUsageError(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    switch (arg) {
      case '--repos':
        opts.repos = resolve(cwd, value());
        break;
      case '--only':
        opts.only = value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        break;
      case '--rounds': {
        const raw = value();
        const n = Number(raw);
        if (!Number.isInteger(n) || n < 1) throw new BenchUsageError(`--rounds must be a positive integer, got ${raw}`);
        opts.rounds = n;
        break;
      }
      case '--plugin':
        pluginArg = value();
        break;
      case '--cache':
        opts.cache = resolve(cwd, value());
        break;
      case '--keep':
        opts.keep = true;
        break;
      case '--no-processes':
        opts.skipProcesses = true;
        break;
      case '--help':
      case '-h':
        throw new BenchUsageError(USAGE);
      default:
        throw new BenchUsageError(`unknown option ${arg}\n${USAGE}`);
    }
  }
  if (!opts.repos) throw new BenchUsageError(`--repos <dir of clones> is required\n${USAGE}`);
  if (!existsSync(opts.repos) || !statSync(opts.repos).isDirectory()) throw new BenchUsageError(`--repos ${opts.repos}: no such directory`);
  if (opts.cache && opts.keep) throw new BenchUsageError('--cache and --keep exclude each other (a --cache dir is always kept)');
  opts.plugin = resolvePluginEntry(pluginArg ?? opts.plugin, cwd);
  if (opts.rounds < 5) process.stderr.write(`note: --rounds ${opts.rounds} is below the 5 rounds the floors are quoted on\n`);
  return opts;
}
