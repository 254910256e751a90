/**
 * The pinned projects (projects.json) and their work copies: each is cloned from the user's clone
 * into a work dir, checked out at the pinned commit and installed there, so the user's clone is
 * never touched. A work copy is reused when its commit and install marker match.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchUsageError } from './args.js';

export interface Project {
  name: string;
  /** Upstream URL (for the README's clone instructions). */
  repo: string;
  /** Directory name of the clone under --repos (defaults to name). */
  clone: string;
  commit: string;
  /** Globs (relative to the project root) of the source to lint. */
  files: string[];
  ignores: string[];
  tsconfig: string;
  /** npm arguments that install the dependencies its types need. */
  install: string[];
  /** compilerOptions to set (null: delete) for the oxlint --type-aware run, whose TypeScript 7 rejects some options. */
  tsgolintCompilerOptions: Record<string, unknown> | null;
  notes: string;
}

const isStringArray = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');

export function loadProjects(file: string): Project[] {
  const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(raw)) throw new BenchUsageError(`${file}: expected an array of projects`);
  return raw.map((entry: Record<string, unknown>, i): Project => {
    const where = `${file} [${i}]${typeof entry.name === 'string' ? ` (${entry.name})` : ''}`;
    for (const key of ['name', 'repo', 'commit', 'tsconfig', 'notes'] as const) {
      if (typeof entry[key] !== 'string' || !entry[key]) throw new BenchUsageError(`${where}: "${key}" must be a non-empty string`);
    }
    if (!/^[0-9a-f]{40}$/.test(entry.commit as string)) throw new BenchUsageError(`${where}: "commit" must be a full 40-hex commit hash`);
    if (!isStringArray(entry.files) || entry.files.length === 0) throw new BenchUsageError(`${where}: "files" must be a non-empty array of globs`);
    if (entry.ignores !== undefined && !isStringArray(entry.ignores)) throw new BenchUsageError(`${where}: "ignores" must be an array of globs`);
    if (!isStringArray(entry.install)) throw new BenchUsageError(`${where}: "install" must be an array of npm arguments`);
    const tsgo = entry.tsgolintCompilerOptions;
    if (tsgo !== undefined && (typeof tsgo !== 'object' || tsgo === null || Array.isArray(tsgo))) {
      throw new BenchUsageError(`${where}: "tsgolintCompilerOptions" must be an object`);
    }
    return {
      name: entry.name as string,
      repo: entry.repo as string,
      clone: typeof entry.clone === 'string' ? entry.clone : (entry.name as string),
      commit: entry.commit as string,
      files: entry.files,
      ignores: (entry.ignores as string[] | undefined) ?? [],
      tsconfig: entry.tsconfig as string,
      install: entry.install,
      tsgolintCompilerOptions: (tsgo as Record<string, unknown> | undefined) ?? null,
      notes: entry.notes as string,
    };
  });
}

export function selectProjects(all: Project[], only: string[]): Project[] {
  if (only.length === 0) return all;
  const unknown = only.filter((n) => !all.some((p) => p.name === n));
  if (unknown.length) throw new BenchUsageError(`--only: no project named ${unknown.join(', ')}; known: ${all.map((p) => p.name).join(', ')}`);
  return all.filter((p) => only.includes(p.name));
}

function git(cwd: string, args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync('git', ['-C', cwd, ...args], { encoding: 'utf8' });
  return { ok: r.status === 0, out: (r.stdout ?? '').trim(), err: (r.stderr ?? '').trim() };
}

/** Checks every selected clone before any work starts, so a missing one fails fast with a fix. */
export function checkClones(projects: Project[], repos: string): void {
  const problems: string[] = [];
  for (const p of projects) {
    const dir = join(repos, p.clone);
    const fix = `git clone ${p.repo} ${dir} && git -C ${dir} checkout ${p.commit}`;
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      problems.push(`${p.name}: no clone at ${dir} (get it with: ${fix})`);
      continue;
    }
    if (!git(dir, ['rev-parse', '--git-dir']).ok) {
      problems.push(`${p.name}: ${dir} is not a git repository (get it with: ${fix})`);
      continue;
    }
    if (!git(dir, ['cat-file', '-e', `${p.commit}^{commit}`]).ok) {
      const head = git(dir, ['rev-parse', 'HEAD']).out || '(none)';
      problems.push(`${p.name}: the clone at ${dir} lacks the pinned commit ${p.commit} (its HEAD is ${head}); run git -C ${dir} fetch origin and check again`);
    }
  }
  if (problems.length) throw new BenchUsageError(`projects not ready:\n  ${problems.join('\n  ')}`);
}

const MARKER = '.asyncguard-lint-real-installed';

/**
 * Prepares `<workRoot>/<name>` at the pinned commit with its dependencies installed; reuses it when
 * the marker says the same commit and install arguments were done. Returns the work dir.
 */
export function prepareWorkCopy(p: Project, repos: string, workRoot: string, log: (s: string) => void): string {
  const dir = join(workRoot, p.name);
  const stamp = JSON.stringify({ commit: p.commit, install: p.install });
  const marker = join(dir, MARKER);
  if (existsSync(marker) && readFileSync(marker, 'utf8') === stamp && git(dir, ['rev-parse', 'HEAD']).out === p.commit) {
    const dirty = git(dir, ['status', '--porcelain', '--untracked-files=no']).out;
    if (!dirty) {
      log(`${p.name}: reusing the work copy at ${dir}`);
      return dir;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const clone = join(repos, p.clone);
  const cloned = spawnSync('git', ['clone', '-q', '--no-checkout', clone, dir], { encoding: 'utf8' });
  if (cloned.status !== 0) throw new Error(`${p.name}: git clone ${clone} failed: ${cloned.stderr}`);
  const co = git(dir, ['-c', 'advice.detachedHead=false', 'checkout', '-q', p.commit]);
  if (!co.ok) throw new Error(`${p.name}: checkout ${p.commit} failed: ${co.err}`);
  log(`${p.name}: npm ${p.install.join(' ')} in ${dir} (once; reused with --cache)`);
  const started = performance.now();
  const npm = spawnSync('npm', p.install, { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (npm.status !== 0) throw new Error(`${p.name}: npm ${p.install.join(' ')} failed (exit ${npm.status}):\n${(npm.stderr ?? '').slice(-4000)}`);
  // npm may rewrite package-lock.json; keep the tree as pinned so the reuse check stays valid.
  git(dir, ['checkout', '-q', '--', '.']);
  writeFileSync(marker, stamp);
  log(`${p.name}: installed in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return dir;
}
