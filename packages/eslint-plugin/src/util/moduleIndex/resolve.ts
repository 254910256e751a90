import { statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.d.ts'];
/** TypeScript's ESM convention: `./x.js` in the source names `./x.ts` on disk. */
const JS_TO_TS: Readonly<Record<string, readonly string[]>> = {
  '.js': ['.ts', '.tsx', '.d.ts'],
  '.jsx': ['.tsx'],
  '.mjs': ['.mts'],
  '.cjs': ['.cts'],
};

/** True for `./x`, `../x` and absolute paths: the only specifiers the index follows (no packages, no tsconfig paths). */
export function isRelativeSpecifier(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..' || isAbsolute(specifier);
}

const isFile = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;

/**
 * The source file a relative specifier names, from the file that imports it: the path itself,
 * its TypeScript twin (`./x.js` → `./x.ts`), the path with a source extension, or its
 * `index` file. Null when nothing matches or the specifier is not relative.
 */
export function resolveSpecifier(fromFile: string, specifier: string): string | null {
  if (!isRelativeSpecifier(specifier)) return null;
  const base = resolve(dirname(fromFile), specifier);
  const ext = extname(base);
  for (const twin of JS_TO_TS[ext] ?? []) {
    const candidate = base.slice(0, -ext.length) + twin;
    if (isFile(candidate)) return candidate;
  }
  if (ext !== '' && isFile(base)) return base;
  for (const e of SOURCE_EXTENSIONS) if (isFile(base + e)) return base + e;
  for (const e of SOURCE_EXTENSIONS) {
    const index = join(base, `index${e}`);
    if (isFile(index)) return index;
  }
  return null;
}
