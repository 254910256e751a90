import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize, relative, sep } from 'node:path';
import { ts } from 'ts-morph';
import type { PackageJson } from './packageJson.js';

const CONFIG_NAMES = ['tsdown', 'tsup'].flatMap((tool) => ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs'].map((ext) => `${tool}.config.${ext}`));
/** Options that rename or relocate entry chunks: with any of them the names below can't be trusted. */
const RENAMING = new Set(['outputOptions', 'entryFileNames', 'outbase', 'workspace', 'hash']);

/**
 * The entry modules of a package built by tsdown or tsup, by the name of their output chunk
 * (relative to the build's outDir, without extension: `index`, `cli/main`), for a package whose
 * tsconfig emits nothing of its own, so its `exports` targets can't be mapped back through outDir.
 * Read only from one config file that is a plain object literal (optionally in defineConfig(…))
 * whose `entry` is string literals (files or simple globs, named by their path below the deepest
 * folder holding them all) or an object of names to string literals. Anything else (a function, an
 * array of configs, a spread, a computed entry, an option that renames chunks, a second config
 * file, a `tsup`/`tsdown` key in package.json) gives undefined: then nothing maps, and every
 * export stays public.
 */
export async function bundlerEntries(dir: string, files: readonly string[], pkg: PackageJson): Promise<{ outDir: string; byName: Map<string, string> } | undefined> {
  if (pkg.bundlerOptions === true) return undefined;
  const found: Array<{ name: string; text: string }> = [];
  for (const name of CONFIG_NAMES) {
    const text = await readFile(join(dir, name), 'utf8').catch(() => undefined);
    if (text !== undefined) found.push({ name, text });
  }
  if (found.length !== 1) return undefined;
  const config = configObject(ts.createSourceFile(found[0]!.name, found[0]!.text, ts.ScriptTarget.Latest, true));
  if (config === undefined) return undefined;
  const entry = config.get('entry');
  const outDir = config.get('outDir') ?? ts.factory.createStringLiteral('dist');
  if (entry === undefined || !ts.isStringLiteralLike(outDir)) return undefined;
  const byName = new Map<string, string>();
  if (ts.isObjectLiteralExpression(entry)) {
    for (const p of entry.properties) {
      if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteralLike(p.name)) || !ts.isStringLiteralLike(p.initializer)) return undefined;
      if (/[*?{[!]/.test(p.initializer.text)) return undefined;
      byName.set(p.name.text, normalize(join(dir, p.initializer.text)));
    }
  } else {
    const patterns = ts.isArrayLiteralExpression(entry) ? [...entry.elements] : [entry];
    if (!patterns.every((e): e is ts.StringLiteralLike => ts.isStringLiteralLike(e))) return undefined;
    const matched = new Set<string>();
    for (const pattern of patterns) {
      const regex = globRegex(pattern.text);
      if (regex === undefined) return undefined;
      for (const file of files) if (!/\.d\.[cm]?ts$/.test(file) && regex.test(relative(dir, file).split(sep).join('/'))) matched.add(normalize(file));
    }
    if (matched.size === 0) return undefined;
    const base = commonDir([...matched]);
    for (const file of matched) {
      const name = relative(base, file).split(sep).join('/');
      const stem = name.slice(0, name.length - extname(name).length);
      if (byName.has(stem)) return undefined;
      byName.set(stem, file);
    }
  }
  return { outDir: normalize(join(dir, outDir.text)), byName };
}

/** The config's top-level options, or undefined when the default export isn't one plain object literal. */
function configObject(sf: ts.SourceFile): Map<string, ts.Expression> | undefined {
  const exported = sf.statements.filter((s): s is ts.ExportAssignment => ts.isExportAssignment(s) && !s.isExportEquals);
  if (exported.length !== 1) return undefined;
  let expression = unwrap(exported[0]!.expression);
  if (ts.isCallExpression(expression)) {
    if (!ts.isIdentifier(expression.expression) || expression.expression.text !== 'defineConfig' || expression.arguments.length !== 1) return undefined;
    expression = unwrap(expression.arguments[0]!);
  }
  if (!ts.isObjectLiteralExpression(expression)) return undefined;
  const options = new Map<string, ts.Expression>();
  for (const p of expression.properties) {
    if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteralLike(p.name))) return undefined;
    if (RENAMING.has(p.name.text) || options.has(p.name.text)) return undefined;
    options.set(p.name.text, unwrap(p.initializer));
  }
  return options;
}

function unwrap(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return e;
}

/** A glob of path segments with `*`, `**` and `?` only (relative to the package); undefined for anything richer. */
function globRegex(glob: string): RegExp | undefined {
  const path = glob.replace(/^\.\//, '');
  if (/[{}[\]!]/.test(path) || path.startsWith('/') || path.split('/').includes('..')) return undefined;
  let source = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '*' && path[i + 1] === '*') {
      source += path[i + 2] === '/' ? '(?:[^/]+/)*' : '.*';
      i += path[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** The deepest folder holding every file (the base tsdown and tsup name array entries from). */
function commonDir(files: string[]): string {
  let common = dirname(files[0]!).split(sep);
  for (const file of files.slice(1)) {
    const parts = dirname(file).split(sep);
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  return common.join(sep) || sep;
}
