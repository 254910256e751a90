/**
 * Whole-process timings: spawned `eslint` CLI runs (untyped and typed, our configs) and oxlint runs
 * (our plugin's untyped rules as a JS plugin; `--type-aware` with its no-floating-promises through
 * oxlint-tsgolint). Each returns the wall time of the process and what it found.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import type { Project } from './projects.js';

export interface ProcessRun {
  wallMs: number;
  /** Findings by rule id (ESLint ids: `@asyncguard/x`, `typescript/no-floating-promises`). */
  counts: Record<string, number>;
  /** Why the run did not work (exit code, stderr), or null. */
  error: string | null;
}

export interface ToolPaths {
  repoRoot: string;
  plugin: string;
  tseslint: string;
}

const here = import.meta.dirname;

function timed(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): { wallMs: number; status: number | null; stdout: string; stderr: string } {
  const start = performance.now();
  const r = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { wallMs: performance.now() - start, status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** `eslint -c cliConfig.mjs <globs>`: exit 0 or 1 is a finished lint; 2 is a crash or config error. */
export function eslintCli(mode: 'typed' | 'untyped', dir: string, p: Project, tools: ToolPaths): ProcessRun {
  const eslintBin = join(tools.repoRoot, 'node_modules', 'eslint', 'bin', 'eslint.js');
  const env = { ASYNCGUARD_LINT_REAL: JSON.stringify({ mode, plugin: tools.plugin, tseslint: tools.tseslint, rootDir: dir, tsconfig: p.tsconfig, ignores: p.ignores }) };
  const r = timed(process.execPath, [eslintBin, '-c', join(here, 'cliConfig.mjs'), '--format', 'json', ...p.files], dir, env);
  if (r.status !== 0 && r.status !== 1) return { wallMs: r.wallMs, counts: {}, error: `eslint exited ${r.status}: ${r.stderr.trim().split('\n').slice(0, 6).join(' | ')}` };
  const counts: Record<string, number> = {};
  for (const file of JSON.parse(r.stdout) as { messages: { ruleId: string | null }[] }[]) {
    for (const m of file.messages) if (m.ruleId) counts[m.ruleId] = (counts[m.ruleId] ?? 0) + 1;
  }
  return { wallMs: r.wallMs, counts, error: null };
}

interface OxlintOutput {
  diagnostics: { code?: string; message: string; help?: string; filename: string }[];
}

/** oxlint's `code` is `plugin(rule)`; the report uses ESLint's `plugin/rule`. */
const ruleIdOf = (code: string): string => code.replace(/^(.*)\((.*)\)$/, '$1/$2');

function oxlint(args: string[], dir: string, tools: ToolPaths, env: NodeJS.ProcessEnv): ProcessRun & { raw: OxlintOutput | null } {
  const bin = join(tools.repoRoot, 'node_modules', '.bin', 'oxlint');
  const r = timed(bin, [...args, '--format', 'json'], dir, env);
  let out: OxlintOutput | null = null;
  try {
    out = JSON.parse(r.stdout) as OxlintOutput;
  } catch {
    out = null;
  }
  if (!out || (r.status !== 0 && r.status !== 1)) {
    const why = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(0, 6).join(' | ');
    return { wallMs: r.wallMs, counts: {}, error: `oxlint exited ${r.status}: ${why || '(no output)'}`, raw: out };
  }
  const counts: Record<string, number> = {};
  for (const d of out.diagnostics) {
    const id = d.code ? ruleIdOf(d.code) : '(no code)';
    counts[id] = (counts[id] ?? 0) + 1;
  }
  return { wallMs: r.wallMs, counts, error: null, raw: out };
}

/** Our plugin's untyped `recommended` rules under oxlint as a JS plugin, oxlint's own rules off. */
export function oxlintWithPlugin(dir: string, files: string[], ruleIds: string[], configPath: string, tools: ToolPaths): ProcessRun {
  const config = {
    plugins: [],
    categories: { correctness: 'off' },
    jsPlugins: [tools.plugin],
    rules: Object.fromEntries(ruleIds.map((id) => [id, 'error'])),
  };
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const { raw: _raw, ...run } = oxlint(['-c', configPath, ...files], dir, tools, {});
  return run;
}

export function tsgolintPath(repoRoot: string): string | null {
  const shim = join(repoRoot, 'node_modules', 'oxlint-tsgolint', 'bin', 'tsgolint.js');
  return existsSync(shim) ? shim : null;
}

/**
 * Applies `overrides` to the work copy's tsconfig (null deletes an option), runs `fn`, and restores
 * the file: TypeScript 7 (tsgolint) rejects options TypeScript 6 only deprecates.
 */
export function withPatchedTsconfig<T>(dir: string, p: Project, fn: () => T): T {
  if (!p.tsgolintCompilerOptions) return fn();
  const path = join(dir, p.tsconfig);
  const original = readFileSync(path, 'utf8');
  const parsed = ts.parseConfigFileTextToJson(path, original);
  if (parsed.error) throw new Error(`${p.name}: cannot read ${p.tsconfig}: ${ts.flattenDiagnosticMessageText(parsed.error.messageText, ' ')}`);
  const config = parsed.config as { compilerOptions?: Record<string, unknown> };
  const options = { ...(config.compilerOptions ?? {}) };
  for (const [key, value] of Object.entries(p.tsgolintCompilerOptions)) {
    if (value === null) delete options[key];
    else options[key] = value;
  }
  writeFileSync(path, JSON.stringify({ ...config, compilerOptions: options }, null, 2));
  try {
    return fn();
  } finally {
    writeFileSync(path, original);
  }
}

/** `oxlint --type-aware` with only typescript/no-floating-promises; tsconfig errors are reported as the error. */
export function oxlintTypeAware(dir: string, files: string[], configPath: string, tools: ToolPaths): ProcessRun {
  const tsgolint = tsgolintPath(tools.repoRoot);
  if (!tsgolint) return { wallMs: Number.NaN, counts: {}, error: 'oxlint-tsgolint is not installed (root devDependency)' };
  const config = { plugins: ['typescript'], categories: { correctness: 'off' }, rules: { 'typescript/no-floating-promises': 'error' } };
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  // oxlint looks for tsgolint next to the linted project; the work copy has none, so name it.
  const r = oxlint(['-c', configPath, '--type-aware', ...files], dir, tools, { OXLINT_TSGOLINT_PATH: tsgolint });
  const tsconfigErrors = r.raw?.diagnostics.filter((d) => d.code === 'typescript(tsconfig-error)') ?? [];
  if (tsconfigErrors.length) {
    return { wallMs: r.wallMs, counts: r.counts, error: `tsgolint rejects the tsconfig: ${tsconfigErrors.map((d) => d.help ?? d.message).join(' | ')}` };
  }
  const { raw: _raw, ...run } = r;
  return run;
}
