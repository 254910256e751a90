import { mkdir, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseArgs as parseArgv } from 'node:util';
import { CodemodInputError, isCodemodInputError } from './CodemodInputError.js';
import { colorDiff, useColor } from './colorDiff.js';
import { REPORT_SCHEMA_VERSION, TRANSFORM_IDS, type CodemodReport, type TransformId } from './report.js';
import { runCodemod, type ProgressEvent } from './runCodemod.js';
import { unifiedDiff } from './unifiedDiff.js';

export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  cwd: string;
  /** Read for NO_COLOR, FORCE_COLOR and TERM (default: process.env). */
  env: Readonly<Record<string, string | undefined>>;
}

export const EXIT_OK = 0;
export const EXIT_CHANGES = 1;
export const EXIT_INPUT = 2;
export const EXIT_INTERNAL = 3;
const HELP = `Usage: asyncguard-codemod [options] [--] [paths...]

Converts synchronous Node.js code to async/await and propagates it through callers, wraps raw
ioredis calls in timeouts, replaces per-call Redis clients, adds missing awaits and turns
promise chains into async functions. Dry run by default: prints a unified diff.

Options:
  --write                 apply the changes (atomic writes, only after the edited program type-checks)
  --check                 change nothing; exit 1 if anything would change (for CI)
  --json <file>           write the report (changes, stops, skipped files, rollbacks) as JSON; see the
                          README for its schema (schemaVersion ${REPORT_SCHEMA_VERSION})
  --transform <id>        run only this transform (repeatable); default: all of
                          ${TRANSFORM_IDS.join(', ')}
  -p, --project <path>    the project directory or its tsconfig.json (default: the nearest tsconfig.json
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
  -v, --version           print the version

Paths and the project are relative to the current directory; so are the paths it prints. "--" ends
the options: every argument after it is a path, even one starting with "-".
The diff is coloured on a terminal (NO_COLOR or TERM=dumb turn it off, FORCE_COLOR=1 forces it).

Exit codes: 0 done, 1 --check found changes, 2 unusable input, 3 internal error.
`;

/** The CLI's options, as node:util parseArgs reads them. */
const OPTIONS = {
  write: { type: 'boolean' },
  check: { type: 'boolean' },
  json: { type: 'string' },
  transform: { type: 'string', multiple: true },
  project: { type: 'string', short: 'p' },
  'parallel-callbacks': { type: 'boolean' },
  'include-exports': { type: 'boolean' },
  'allow-dirty': { type: 'boolean' },
  verify: { type: 'string' },
  'verify-timeout': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** The flag that stands for a `runCodemod` option in the errors the CLI prints. */
const FLAG_OF: Record<string, string> = {
  allowDirty: '--allow-dirty', transforms: '--transform', project: '--project', includeExports: '--include-exports',
  parallelCallbacks: '--parallel-callbacks', verify: '--verify',
};

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
  version: boolean;
}

/**
 * Reads the command line with node:util `parseArgs` (`--flag value`, `--flag=value`, `-p dir`,
 * `-pdir`, `--` ending the options). Throws `CodemodInputError` naming the option at fault.
 */
export function parseArgs(argv: readonly string[]): CliOptions {
  // strict: false, so that the errors name the option in this CLI's words; the tokens are checked here.
  const { values, positionals, tokens } = parseArgv({ args: [...argv], options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = (OPTIONS as Record<string, { type: 'string' | 'boolean' }>)[token.name];
    if (spec === undefined) throw new CodemodInputError(token.rawName, 'unknown option (see --help)');
    if (spec.type === 'boolean' && token.value !== undefined) throw new CodemodInputError(token.rawName, 'takes no value');
    if (spec.type === 'string' && (token.value === undefined || (!token.inlineValue && token.value.startsWith('-')))) {
      throw new CodemodInputError(token.rawName, `needs a value (write ${token.rawName}=<value> for one starting with "-")`);
    }
  }
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const transforms = (Array.isArray(values.transform) ? values.transform : []).map((id): TransformId => {
    if (typeof id !== 'string' || !(TRANSFORM_IDS as readonly string[]).includes(id)) {
      throw new CodemodInputError('--transform', `unknown transform "${String(id)}" (known: ${TRANSFORM_IDS.join(', ')})`);
    }
    return id as TransformId;
  });
  const options: CliOptions = {
    paths: positionals,
    write: values.write === true,
    check: values.check === true,
    transforms,
    parallelCallbacks: values['parallel-callbacks'] === true,
    includeExports: values['include-exports'] === true,
    allowDirty: values['allow-dirty'] === true,
    help: values.help === true,
    version: values.version === true,
  };
  const json = text(values.json);
  if (json !== undefined) options.json = json;
  const project = text(values.project);
  if (project !== undefined) options.project = project;
  const verify = text(values.verify);
  if (verify !== undefined) options.verify = verify;
  const verifyTimeout = text(values['verify-timeout']);
  if (verifyTimeout !== undefined) options.verifyTimeoutMs = parseDuration(verifyTimeout);
  if (options.check && options.write) throw new CodemodInputError('--check', 'cannot be combined with --write');
  if (options.verifyTimeoutMs !== undefined && options.verify === undefined) throw new CodemodInputError('--verify-timeout', 'needs --verify');
  return options;
}

/** This package's version, from its package.json (one level above both src/ and dist/). */
export async function codemodVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The `--json` report: the report without file texts, `schemaVersion` first. */
export function jsonReport(report: CodemodReport): Record<string, unknown> {
  const { files, ...rest } = report;
  return { schemaVersion: REPORT_SCHEMA_VERSION, ...rest, files: files.map((f) => f.file) };
}

/** The CLI: parses `argv`, runs the codemod, prints diff/summary, returns the exit code. */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const cwd = io.cwd ?? process.cwd();
  const env = io.env ?? process.env;
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
  if (options.version) {
    stdout.write(`${await codemodVersion()}\n`);
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
  // Every path printed is relative to the current directory, so a terminal can open it.
  const here = await realpath(cwd).catch(() => cwd);
  const show = (file: string): string => {
    const path = relative(here, resolve(report.root, file)).split(sep).join('/');
    return path === '' || isAbsolute(path) ? file : path;
  };
  const at = (place: { file: string; line: number; column: number }): string => `${show(place.file)}:${place.line}:${place.column}`;
  if (!options.write) {
    const color = useColor({ isTTY: stdout.isTTY, env });
    for (const file of report.files) {
      const diff = unifiedDiff(show(file.file), file.before, file.after);
      stdout.write(color ? colorDiff(diff) : diff);
    }
  }
  stderr.write(
    `project: ${report.project.kindReason}; exports ${report.project.exports}\n` +
      `project: ${report.project.files} source file(s), ${report.project.config}; core module types: ${report.project.nodeTypes}\n`,
  );
  for (const excluded of report.project.excluded) stderr.write(`left out ${show(excluded.file)}: ${excluded.reason}\n`);
  for (const readOnly of report.project.readOnly) stderr.write(`read only ${show(readOnly.file)}: ${readOnly.reason}\n`);
  for (const skipped of report.skipped) stderr.write(`skipped ${show(skipped.file)}: ${skipped.reason}\n`);
  for (const stop of report.stops) stderr.write(`${at(stop)}: stop (${stop.transform}): ${stop.reason}\n`);
  for (const rolled of report.diagnosticsRolledBack) {
    const first = rolled.diagnostics[0];
    const why = first ? ` — TS${first.code} at ${show(first.file)}:${first.line}: ${first.message}` : '';
    stderr.write(`${at(rolled)}: rolled back (${rolled.transform}) ${rolled.description}${why}\n`);
  }
  if (report.behaviour.checked === 'tests') {
    for (const rolled of report.behaviour.rolledBack) {
      const tests = rolled.failingTests.length > 0 ? `: ${rolled.failingTests.join('; ')}` : `; output ends with:\n${rolled.outputTail ?? ''}`;
      stderr.write(`${at(rolled)}: rolled back (${rolled.transform}, tests regressed) ${rolled.description} — ${rolled.why}${tests}\n`);
    }
  }
  stderr.write(`${report.behaviour.note}\n`);
  stderr.write(
    `${report.changes.length} change(s) in ${report.files.length} file(s), ${report.stops.length} stop(s), ` +
      `${report.diagnosticsRolledBack.length} rolled back, ${report.skipped.length} skipped` +
      (options.write ? `; wrote ${report.written.length} file(s)\n` : options.check ? '\n' : '; dry run (pass --write to apply)\n'),
  );
  if (options.json !== undefined) {
    try {
      const path = resolve(cwd, options.json);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, JSON.stringify(jsonReport(report), null, 2) + '\n');
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
    // runCodemod names its own options (allowDirty); on the command line they are flags.
    const flag = FLAG_OF[error.option];
    const message = flag !== undefined ? `${flag}: ${error.message.slice(error.option.length + 2)}` : error.message;
    stderr.write(`asyncguard-codemod: ${message}\n`);
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
