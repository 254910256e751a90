import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const cache = new Map<string, number | undefined>();

/**
 * The major version of `pkg` as the project at `fromFile` would load it: the installed copy in the
 * nearest node_modules, else the lowest version the nearest package.json's range allows
 * (`^5.0.0`, `~8.1`, `>=3`, `5.x`). Undefined when neither says.
 */
export function installedMajor(fromFile: string, pkg: string): number | undefined {
  const key = `${dirname(fromFile)}\0${pkg}`;
  if (cache.has(key)) return cache.get(key);
  const result = lookUp(dirname(fromFile), pkg);
  cache.set(key, result);
  return result;
}

function lookUp(start: string, pkg: string): number | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const installed = join(dir, 'node_modules', pkg, 'package.json');
    if (existsSync(installed)) {
      const version = readJson(installed)?.['version'];
      const major = typeof version === 'string' ? /^(\d+)\./.exec(version)?.[1] : undefined;
      if (major !== undefined) return Number(major);
    }
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      // The package that declares it decides: a copy further up belongs to someone else.
      const json = readJson(manifest);
      for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
        const range = (json?.[field] as Record<string, unknown> | undefined)?.[pkg];
        if (typeof range === 'string') {
          const major = /^\s*(?:\^|~|>=|=)?\s*v?(\d+)(?:[.\s]|$)/.exec(range)?.[1];
          return major === undefined ? undefined : Number(major);
        }
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof value === 'object' && value !== null ? value as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}
