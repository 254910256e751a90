import { stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CodemodInputError, isCodemodInputError } from './CodemodInputError.js';
import { TRANSFORM_IDS, type CodemodReport, type TransformId } from './report.js';
import { runCodemod, type ProgressEvent } from './runCodemod.js';
import { unifiedDiff } from './unifiedDiff.js';

export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  cwd: string;
}

export const EXIT_OK = 0;
export const EXIT_CHANGES = 1;
export const EXIT_INPUT = 2;
export const EXIT_INTERNAL = 3;

const HELP = `Usage: asyncguard-codemod [paths...] [options]

Converts synchronous Node.js code to async/await and propagates it through callers, wraps raw
ioredis calls in timeouts, replaces per-call Redis clients, adds missing awaits and turns
promise chains into async functions. Dry run by default: prints a unified diff.

Options:
  --write                 apply the changes (atomic writes, only after the edited program type-checks)
  --check                 change nothing; exit 1 if anything would change (for CI)
  --json <file>           write the report (changes, stops, skipped files, rollbacks) as JSON
  --transform <id>        run only this transform (repeatable); default: all of
                          ${TRANSFORM_IDS.join(', ')}
  --project <dir>         the project directory or its tsconfig.json (default: the nearest tsconfig.json
                          above the first path, else the nearest package.json; without a tsconfig the
                          configuration is inferred from package.json and the files git lists)
  --parallel-callbacks    forEach/map callbacks become Promise.all instead of a sequential for…of
  --include-exports       also convert exported functions and members of a library (an application's
                          exports always convert: nothing outside it imports them)
  --allow-dirty           write even when the git working tree has uncommitted changes
  --verify "<command>"    the behaviour gate: run the project's own tests (e.g. "npm test") before and
                          after the edits on a temporary copy of the project (offline), find the change
                          chains that make them regress by bisection and roll those back
  --verify-timeout <t>    time limit per test run: seconds, or with a unit (90s, 10m, 500ms); default 10m;
                          the run's whole process group is killed at the limit
  -h, --help              show this help

Exit codes: 0 done, 1 --check found changes, 2 unusable input, 3 internal error.
`;

interface CliOptions {
  paths: string[];
  write: boolean;
  check: boolean;
  json?: string;
  transforms: TransformId[];
  project?: string;
  parallelCallbacks: boolean;
  includeExports: boolean;
  allowDirty: boolean;
  verify?: string;
  verifyTimeoutMs?: number;
  help: boolean;
}

export function parseArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = {
    paths: [], write: false, check: false, transforms: [], parallelCallbacks: false, includeExports: false, allowDirty: false, help: false,
  };
  const value = (flag: string, index: number): string => {
    const next = argv[index];
    if (next === undefined || next.startsWith('--')) throw new CodemodInputError(flag, 'needs a value');
    return next;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const take = (): string => inline ?? value(flag, ++i);
    switch (flag) {
      case '--write': options.write = true; break;
      case '--check': options.check = true; break;
      case '--json': options.json = take(); break;
      case '--transform': {
        const id = take();
        if (!(TRANSFORM_IDS as readonly string[]).includes(id)) {
          throw new CodemodInputError('--transform', `unknown transform "${id}" (known: ${TRANSFORM_IDS.join(', ')})`);
        }
        options.transforms.push(id as TransformId);
        break;
      }
      case '--project': case '-p': options.project = take(); break;
      case '--parallel-callbacks': options.parallelCallbacks = true; break;
      case '--include-exports': options.includeExports = true; break;
      case '--allow-dirty': options.allowDirty = true; break;
      case '--verify': options.verify = take(); break;
      case '--verify-timeout': options.verifyTimeoutMs = parseDuration(take()); break;
      case '--help': case '-h': options.help = true; break;
      default:
        if (arg.startsWith('-')) throw new CodemodInputError(arg, 'unknown option (see --help)');
        options.paths.push(arg);
    }
  }
  if (options.check && options.write) throw new CodemodInputError('--check', 'cannot be combined with --write');
  if (options.verifyTimeoutMs !== undefined && options.verify === undefined) throw new CodemodInputError('--verify-timeout', 'needs --verify');
  return options;
}

/** The CLI: parses `argv`, runs the codemod, prints diff/summary, returns the exit code. */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const cwd = io.cwd ?? process.cwd();
  let options: CliOptions;
  try {
    options = parseArgs(argv);
  } catch (error) {
    return fail(stderr, error);
  }
  if (options.help) {
    stdout.write(HELP);
    return EXIT_OK;
  }
  const progress = stderr.isTTY === true ? progressPrinter(stderr) : undefined;
  let report: CodemodReport;
  try {
    const project = options.project ?? (await nearestProject(options.paths[0] !== undefined ? resolve(cwd, options.paths[0]) : cwd));
    report = await runCodemod({
      project,
      paths: options.paths,
      transforms: options.transforms,
      write: options.write,
      parallelCallbacks: options.parallelCallbacks,
      ...(options.includeExports ? { includeExports: true } : {}),
      allowDirty: options.allowDirty,
      ...(options.verify !== undefined ? { verify: { command: options.verify, ...(options.verifyTimeoutMs !== undefined ? { timeoutMs: options.verifyTimeoutMs } : {}) } } : {}),
      cwd,
      ...(progress ? { onProgress: progress.update } : {}),
    });
  } catch (error) {
    progress?.done();
    return fail(stderr, error);
  } finally {
    progress?.done();
  }
  if (!options.write) for (const file of report.files) stdout.write(unifiedDiff(file.file, file.before, file.after));
  stderr.write(
    `project: ${report.project.kindReason}; exports ${report.project.exports}\n` +
      `project: ${report.project.files} source file(s), ${report.project.config}; core module types: ${report.project.nodeTypes}\n`,
  );
  for (const excluded of report.project.excluded) stderr.write(`left out ${excluded.file}: ${excluded.reason}\n`);
  for (const readOnly of report.project.readOnly) stderr.write(`read only ${readOnly.file}: ${readOnly.reason}\n`);
  for (const skipped of report.skipped) stderr.write(`skipped ${skipped.file}: ${skipped.reason}\n`);
  for (const stop of report.stops) stderr.write(`${stop.file}:${stop.line}: stop (${stop.transform}): ${stop.reason}\n`);
  for (const rolled of report.diagnosticsRolledBack) {
    const first = rolled.diagnostics[0];
    const why = first ? ` — TS${first.code} at ${first.file}:${first.line}: ${first.message}` : '';
    stderr.write(`${rolled.file}:${rolled.line}: rolled back (${rolled.transform}) ${rolled.description}${why}\n`);
  }
  if (report.behaviour.checked === 'tests') {
    for (const rolled of report.behaviour.rolledBack) {
      const tests = rolled.failingTests.length > 0 ? `: ${rolled.failingTests.join('; ')}` : `; output ends with:\n${rolled.outputTail ?? ''}`;
      stderr.write(`${rolled.file}:${rolled.line}: rolled back (${rolled.transform}, tests regressed) ${rolled.description} — ${rolled.why}${tests}\n`);
    }
  }
  stderr.write(`${report.behaviour.note}\n`);
  stderr.write(
    `${report.changes.length} change(s) in ${report.files.length} file(s), ${report.stops.length} stop(s), ` +
      `${report.diagnosticsRolledBack.length} rolled back, ${report.skipped.length} skipped` +
      (options.write ? `; wrote ${report.written.length} file(s)\n` : options.check ? '\n' : '; dry run (pass --write to apply)\n'),
  );
  if (options.json !== undefined) {
    const { files, ...rest } = report;
    const json = { ...rest, files: files.map((f) => f.file) };
    try {
      await writeFile(resolve(cwd, options.json), JSON.stringify(json, null, 2) + '\n');
    } catch (error) {
      return fail(stderr, new CodemodInputError('--json', `can't write ${options.json}: ${(error as Error).message}`));
    }
  }
  if (options.check && report.files.length > 0) return EXIT_CHANGES;
  return EXIT_OK;
}

/** `90` (seconds), `90s`, `10m`, `500ms` → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const value = m ? Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'] : NaN;
  if (!(value > 0)) throw new CodemodInputError('--verify-timeout', `"${text}" is not a positive duration (e.g. 600, 90s, 10m, 500ms)`);
  return value;
}

function fail(stderr: CliIo['stderr'], error: unknown): number {
  if (isCodemodInputError(error)) {
    stderr.write(`asyncguard-codemod: ${error.message}\n`);
    return EXIT_INPUT;
  }
  stderr.write(`asyncguard-codemod: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT_INTERNAL;
}

/**
 * The project a path belongs to: the nearest tsconfig.json above it; without one, the nearest
 * directory holding a package.json; without either, the path's own directory.
 */
async function nearestProject(start: string): Promise<string> {
  const first = (await stat(start).catch(() => undefined))?.isDirectory() ? start : dirname(start);
  const tsconfig = await nearest(first, 'tsconfig.json');
  if (tsconfig !== undefined) return tsconfig;
  const pkg = await nearest(first, 'package.json');
  return pkg !== undefined ? dirname(pkg) : first;
}

async function nearest(from: string, name: string): Promise<string | undefined> {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, name);
    if ((await stat(candidate).catch(() => undefined))?.isFile() === true) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

function progressPrinter(stderr: CliIo['stderr']): { update(event: ProgressEvent): void; done(): void } {
  let shown = false;
  return {
    update(event) {
      const width = 20;
      const filled = event.total <= 0 ? width : Math.max(0, Math.min(width, Math.round((event.done / event.total) * width)));
      stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${event.phase}${event.transform ? ` ${event.transform}` : ''}\u001b[K`);
      shown = true;
    },
    done() {
      if (shown) stderr.write('\r\u001b[K');
      shown = false;
    },
  };
}
