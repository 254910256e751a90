import { readFile, stat } from 'node:fs/promises';
import { join, normalize, relative, resolve, sep } from 'node:path';
import { ts, type Project } from 'ts-morph';
import { SOURCE_EXTENSIONS } from './listProjectFiles.js';
import { binPaths, exportTargets, type PackageJson } from './packageJson.js';

/**
 * An entry script without an extension (`bin/cli` with a `#!/usr/bin/env node` line) is loaded
 * under this suffix: TypeScript reads no file without a known extension, and a call from a script
 * nobody reads is a caller nobody updates. It is read only: a chain that needs to edit it stops.
 */
export const ENTRY_SCRIPT_SUFFIX = '.asyncguard-entry.js';

/** The script's own path (relative to the root) for a file loaded under the suffix; undefined for any other file. */
export function entryScriptOf(fileName: string, root: string): string | undefined {
  if (!fileName.endsWith(ENTRY_SCRIPT_SUFFIX)) return undefined;
  return relative(root, fileName.slice(0, -ENTRY_SCRIPT_SUFFIX.length)).split(sep).join('/');
}

/** Adds package.json's extensionless node scripts (`main`, `bin`) to the project, read only. Returns their relative paths. */
export async function addEntryScripts(project: Project, root: string, pkg: PackageJson | undefined): Promise<string[]> {
  if (pkg === undefined) return [];
  const added: string[] = [];
  const entries = new Set([pkg.main, ...binPaths(pkg)].filter((p): p is string => p !== undefined).map((p) => normalize(join(root, p))));
  for (const path of entries) {
    if (SOURCE_EXTENSIONS.test(path) || relative(root, path).startsWith('..')) continue;
    if ((await stat(path).catch(() => undefined))?.isFile() !== true) continue;
    const text = await readFile(path, 'utf8');
    if (!/^#!.*\bnode\b/.test(text)) continue;
    project.createSourceFile(path + ENTRY_SCRIPT_SUFFIX, text, { overwrite: true, scriptKind: ts.ScriptKind.JS });
    added.push(relative(root, path).split(sep).join('/'));
  }
  return added;
}

/**
 * package.json's `bin` scripts with a JavaScript extension that nothing else names as a module:
 * not its `main` (nor index.js, Node's default main, when there is none), not an `exports`
 * target. Absolute paths. Another package can only run them, not require them.
 */
export function programEntries(root: string, pkg: PackageJson | undefined): Set<string> {
  if (pkg === undefined) return new Set();
  const modules = new Set<string>();
  const main = pkg.main === undefined ? 'index.js' : pkg.main;
  for (const path of [main, ...exportTargets(pkg.exports)]) {
    const base = resolve(root, path);
    for (const candidate of [base, `${base}.js`, `${base}.cjs`, join(base, 'index.js')]) modules.add(candidate);
  }
  return new Set(binPaths(pkg).map((p) => resolve(root, p)).filter((p) => /\.c?js$/.test(p) && !modules.has(p)));
}
