import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Extensions the inferred project type-checks: JavaScript in every module flavour, and TypeScript when present. */
export const SOURCE_EXTENSIONS = /\.(?:[cm]?jsx?|[cm]?tsx?)$/;

/** Output folders skipped when there is no git to read `.gitignore` for us. */
const OUTPUT_FOLDERS = new Set(['dist', 'build', 'coverage', 'out', '.nyc_output']);

/** Larger files are generated or vendored (bundles, minified builds): checked by nobody, edited by nobody. */
export const MAX_SOURCE_BYTES = 1024 * 1024;

export interface ProjectFileList {
  /** Absolute paths of the source files, sorted. */
  files: string[];
  /** How the list was made, for the report. */
  source: 'git' | 'walk';
  /** Files left out on purpose, relative to the root, with the reason. */
  excluded: Array<{ file: string; reason: string }>;
}

/**
 * The project's own source files under `root`: `git ls-files --cached --others --exclude-standard`
 * inside a git work tree (so `.gitignore` holds), otherwise a walk that skips node_modules, output
 * folders (dist, build, coverage, out) and dot-folders. node_modules is never part of it.
 */
export async function listProjectFiles(root: string): Promise<ProjectFileList> {
  const fromGit = await gitFiles(root);
  const relativeNames = fromGit ?? (await walk(root));
  const excluded: ProjectFileList['excluded'] = [];
  const files: string[] = [];
  for (const name of relativeNames) {
    if (!SOURCE_EXTENSIONS.test(name) || name.split('/').includes('node_modules')) continue;
    if (/\.min\.[cm]?js$/.test(name)) {
      excluded.push({ file: name, reason: 'minified build output' });
      continue;
    }
    const info = await stat(join(root, name)).catch(() => undefined);
    if (info === undefined || !info.isFile()) continue; // deleted in the work tree, or a directory named like a file
    if (info.size > MAX_SOURCE_BYTES) {
      excluded.push({ file: name, reason: `larger than ${MAX_SOURCE_BYTES / 1024} KiB: generated or vendored code` });
      continue;
    }
    files.push(join(root, ...name.split('/')));
  }
  files.sort();
  return { files, source: fromGit === undefined ? 'walk' : 'git', excluded };
}

async function gitFiles(root: string): Promise<string[] | undefined> {
  try {
    const inside = await execFileAsync('git', ['-C', root, 'rev-parse', '--is-inside-work-tree'], { timeout: 10_000 });
    if (inside.stdout.trim() !== 'true') return undefined;
    const { stdout } = await execFileAsync('git', ['-C', root, 'ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', '.'], {
      timeout: 60_000, maxBuffer: 256 * 1024 * 1024,
    });
    return [...new Set(stdout.split('\0').filter((name) => name !== ''))];
  } catch {
    return undefined;
  }
}

async function walk(root: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (dir: string, prefix: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const name = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name === 'node_modules' || entry.name.startsWith('.') || OUTPUT_FOLDERS.has(entry.name)) continue;
        await visit(join(dir, entry.name), name);
      } else if (entry.isFile()) {
        out.push(name);
      }
    }
  };
  await visit(root, '');
  return out.map((name) => name.split(sep).join('/'));
}
