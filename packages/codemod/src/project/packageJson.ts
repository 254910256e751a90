import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CodemodInputError } from '../CodemodInputError.js';

/** The fields of package.json the project model reads; anything else is ignored. */
export interface PackageJson {
  name?: string;
  private?: boolean;
  main?: string;
  bin?: string | Record<string, string>;
  exports?: unknown;
  files?: string[];
  type?: 'module' | 'commonjs';
  workspaces?: string[] | { packages?: string[] };
  /** package.json holds a `tsup` or `tsdown` key (build options read from there). */
  bundlerOptions?: boolean;
}

/** Reads `dir/package.json`: undefined when there is none, a CodemodInputError when it is not valid JSON. */
export async function readPackageJson(dir: string): Promise<PackageJson | undefined> {
  const path = join(dir, 'package.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CodemodInputError('project', `${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CodemodInputError('project', `${path} does not hold a JSON object`);
  }
  const raw = value as Record<string, unknown>;
  const pkg: PackageJson = {};
  if (typeof raw.name === 'string') pkg.name = raw.name;
  if (raw.private === true) pkg.private = true;
  if (typeof raw.main === 'string' && raw.main !== '') pkg.main = raw.main;
  if (typeof raw.bin === 'string') pkg.bin = raw.bin;
  else if (typeof raw.bin === 'object' && raw.bin !== null) {
    pkg.bin = Object.fromEntries(Object.entries(raw.bin).filter((e): e is [string, string] => typeof e[1] === 'string'));
  }
  if (raw.exports !== undefined && raw.exports !== null) pkg.exports = raw.exports;
  if (Array.isArray(raw.files)) pkg.files = raw.files.filter((f): f is string => typeof f === 'string');
  if ('tsup' in raw || 'tsdown' in raw) pkg.bundlerOptions = true;
  if (raw.type === 'module' || raw.type === 'commonjs') pkg.type = raw.type;
  if (Array.isArray(raw.workspaces)) pkg.workspaces = raw.workspaces.filter((w): w is string => typeof w === 'string');
  else if (typeof raw.workspaces === 'object' && raw.workspaces !== null) {
    const packages = (raw.workspaces as { packages?: unknown }).packages;
    pkg.workspaces = { packages: Array.isArray(packages) ? packages.filter((w): w is string => typeof w === 'string') : [] };
  }
  return pkg;
}

/** The bin entries as relative paths (a string `bin` is one entry). */
export function binPaths(pkg: PackageJson): string[] {
  if (pkg.bin === undefined) return [];
  return typeof pkg.bin === 'string' ? [pkg.bin] : Object.values(pkg.bin);
}

/** Every file path named by `exports` (conditions and subpaths flattened; patterns kept as written). */
export function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (Array.isArray(exports)) return exports.flatMap(exportTargets);
  if (typeof exports === 'object' && exports !== null) return Object.values(exports).flatMap(exportTargets);
  return [];
}

/**
 * The `exports` map as subpaths, each with the file paths of its conditions (`{ ".": { import,
 * require } }` is one subpath with two targets; a string or array is the "." subpath).
 */
export function exportSubpaths(exports: unknown): string[][] {
  if (typeof exports === 'object' && exports !== null && !Array.isArray(exports)) {
    const keys = Object.keys(exports);
    if (keys.length > 0 && keys.every((k) => k.startsWith('.'))) return Object.values(exports).map(exportTargets);
  }
  return [exportTargets(exports)];
}
