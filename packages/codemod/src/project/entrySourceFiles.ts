import { extname, isAbsolute, relative, resolve } from 'node:path';
import type { ts } from 'ts-morph';

const CODE = /\.(?:[cm]?[jt]sx?)$/;
const SOURCE_EXTENSIONS: Record<string, string[]> = {
  '.js': ['.ts', '.tsx', '.js', '.jsx'], '.jsx': ['.tsx', '.jsx'], '.mjs': ['.mts', '.mjs'], '.cjs': ['.cts', '.cjs'],
};

/**
 * The program's source files behind a library's entry modules (`exports` targets, per subpath).
 * A target that is a source file is itself; one in the build output (`outDir`) maps back to
 * `rootDir` with a source extension. Targets that are no code (`./package.json`, a stylesheet, a
 * `.d.ts`) are left out. Undefined when no target of some subpath can be found: then nothing says
 * which exports are internal, and every export counts as public.
 */
export function entrySourceFiles(entries: readonly (readonly string[])[] | undefined, program: ts.Program): Set<string> | undefined {
  if (entries === undefined) return undefined;
  const options = program.getCompilerOptions();
  const found = new Set<string>();
  for (const subpath of entries) {
    // Conditions of one subpath (`import`, `require`, `types`, a source condition) are the same
    // module built different ways: one target found in the program is enough.
    const code = subpath.filter((entry) => !/\.d\.[cm]?ts$/.test(entry) && CODE.test(entry));
    if (code.length === 0) continue;
    const files = code.map((entry) => sourceFileOf(entry, options, program)).filter((f): f is ts.SourceFile => f !== undefined);
    if (files.length === 0) return undefined;
    for (const file of files) found.add(file.fileName);
  }
  return found.size > 0 ? found : undefined;
}

function sourceFileOf(entry: string, options: ts.CompilerOptions, program: ts.Program): ts.SourceFile | undefined {
  const candidates = [entry];
  if (options.outDir !== undefined) {
    const fromOut = relative(options.outDir, entry);
    if (!fromOut.startsWith('..') && !isAbsolute(fromOut)) {
      const rootDir = options.rootDir ?? commonSourceDir(program);
      const ext = extname(fromOut);
      for (const sourceExt of SOURCE_EXTENSIONS[ext] ?? []) candidates.push(resolve(rootDir, fromOut.slice(0, -ext.length) + sourceExt));
    }
  }
  return candidates.map((c) => program.getSourceFile(c)).find((sf) => sf !== undefined);
}

/** The deepest folder holding every non-declaration root file (what tsc takes as rootDir by default). */
function commonSourceDir(program: ts.Program): string {
  const dirs = program.getRootFileNames().filter((f) => !/\.d\.[cm]?ts$/.test(f)).map((f) => resolve(f, '..').split('/'));
  if (dirs.length === 0) return program.getCurrentDirectory();
  let common = dirs[0]!;
  for (const dir of dirs.slice(1)) {
    let i = 0;
    while (i < common.length && i < dir.length && common[i] === dir[i]) i++;
    common = common.slice(0, i);
  }
  return common.join('/') || '/';
}
