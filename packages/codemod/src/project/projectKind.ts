import { access } from 'node:fs/promises';
import { dirname, extname, join, normalize, relative, sep } from 'node:path';
import { bundlerEntries } from './bundlerEntries.js';
import { binPaths, exportSubpaths, readPackageJson, type PackageJson } from './packageJson.js';

export type ProjectKindName = 'application' | 'library';

/** Whether other code can import the package, and why the model thinks so. */
export interface PackageKind {
  /** The package's directory relative to the project root ('.' for the root). */
  dir: string;
  kind: ProjectKindName;
  reason: string;
  /**
   * A library with an `exports` map: the files that map makes importable, one list per subpath
   * (its conditions' targets; absolute paths as written there: they may name build output). Other files can't be imported from outside, so
   * only what these entry modules export is public API. Undefined when anything is importable
   * (no `exports` map, or a subpath pattern).
   */
  entries?: string[][];
}

export interface ProjectKind {
  kind: ProjectKindName;
  /** One line for the report, e.g. "application: package.json is private". */
  reason: string;
  /** Every package.json that owns a source file, nearest first per file. */
  packages: PackageKind[];
  /** Every library package's entry files, one list per subpath, when each has a closed `exports` map (see PackageKind.entries). */
  entries?: string[][];
}

/**
 * Applications are not libraries. A package is a library, whose exports are public API, only
 * when others can import it: package.json not `private`, and `exports`, a `main` that is not its
 * own bin script, or an `index.js` (Node's default main). Everything else (private, bin-only) is an
 * application. Each source file belongs to its nearest package.json inside the root; the
 * transforms take one setting, so one importable package makes the whole project a library.
 */
export async function classifyProject(root: string, files: readonly string[]): Promise<ProjectKind> {
  const owners = new Map<string, Promise<string | null>>();
  const ownerOf = (dir: string): Promise<string | null> => {
    let owner = owners.get(dir);
    if (owner === undefined) {
      owner = (async () => {
        if (await exists(join(dir, 'package.json'))) return dir;
        if (dir === root || relative(root, dir).startsWith('..')) return null;
        return ownerOf(dirname(dir));
      })();
      owners.set(dir, owner);
    }
    return owner;
  };
  const dirs = new Set<string>();
  let unowned = 0;
  for (const file of files) {
    if (relative(root, file).startsWith('..') || /[\\/]node_modules[\\/]/.test(file) || /\.d\.[cm]?ts$/.test(file)) continue;
    const owner = await ownerOf(dirname(file));
    if (owner === null) unowned++;
    else dirs.add(owner);
  }
  if (dirs.size === 0) {
    if (await exists(join(root, 'package.json'))) dirs.add(root);
    else return { kind: 'library', reason: 'library: no package.json, so exports are treated as public API', packages: [] };
  }
  const packages: PackageKind[] = [];
  for (const dir of [...dirs].sort()) {
    const pkg = (await readPackageJson(dir))!;
    const judged: { kind: ProjectKindName; reason: string; entries?: string[][] } = await classifyPackage(dir, pkg);
    if (judged.kind === 'library' && pkg.exports !== undefined) {
      const subpaths = exportSubpaths(pkg.exports);
      // A pattern (`./*`) opens a whole folder; a bare string or conditions name single files.
      if (subpaths.flat().length > 0 && subpaths.flat().every((t) => !t.includes('*'))) judged.entries = subpaths.map((targets) => targets.map((t) => join(dir, t)));
      if (judged.entries !== undefined) judged.entries = await withBundlerSources(dir, judged.entries, files, pkg);
    }
    packages.push({ dir: relative(root, dir).split(sep).join('/') || '.', ...judged });
  }
  if (unowned > 0) {
    packages.push({ dir: '.', kind: 'library', reason: `${unowned} source file(s) belong to no package.json inside the root, so their exports count as public API` });
  }
  const libraries = packages.filter((p) => p.kind === 'library');
  const entries = libraries.length > 0 && libraries.every((p) => p.entries !== undefined) ? libraries.flatMap((p) => p.entries!) : undefined;
  const withEntries = (kind: ProjectKind): ProjectKind => (entries === undefined || kind.kind !== 'library' ? kind : { ...kind, entries });
  const where = (p: PackageKind): string => (p.dir === '.' ? '' : ` (${p.dir})`);
  if (packages.length === 1) {
    const only = packages[0]!;
    return withEntries({ kind: only.kind, reason: `${only.kind}: ${only.reason}${where(only)}`, packages });
  }
  if (libraries.length > 0) {
    const first = libraries[0]!;
    return withEntries({
      kind: 'library',
      reason: `library: ${libraries.length} of ${packages.length} packages are importable, e.g. ${first.dir} (${first.reason}); ` +
        'exports are judged for the whole project at once, so they stay public API everywhere',
      packages,
    });
  }
  return { kind: 'application', reason: `application: none of its ${packages.length} packages is importable (${packages.map((p) => `${p.dir}: ${p.reason}`).join('; ')})`, packages };
}

export async function classifyPackage(dir: string, pkg: PackageJson): Promise<{ kind: ProjectKindName; reason: string }> {
  if (pkg.private === true) return { kind: 'application', reason: 'package.json is private' };
  if (pkg.exports !== undefined) return { kind: 'library', reason: 'package.json has exports' };
  const bins = binPaths(pkg).map((b) => normalize(join(dir, b)));
  if (pkg.main !== undefined) {
    const main = normalize(join(dir, pkg.main));
    const candidates = [main, `${main}.js`, join(main, 'index.js')];
    if (candidates.some((c) => bins.includes(c))) return { kind: 'application', reason: `its main (${pkg.main}) is its bin script` };
    return { kind: 'library', reason: `package.json has main (${pkg.main})` };
  }
  if (await exists(join(dir, 'index.js'))) return { kind: 'library', reason: 'importable through index.js (Node\'s default main)' };
  if (bins.length > 0) return { kind: 'application', reason: 'package.json has only bin, no main or exports' };
  return { kind: 'application', reason: 'package.json has no main or exports' };
}

/**
 * Adds to each subpath the source module a tsdown/tsup config builds its target from (an output
 * chunk in the config's outDir, named like one of its entries), as one more condition of that
 * subpath: the same module, found in the program when the tsconfig emits nothing to map back from.
 */
async function withBundlerSources(dir: string, entries: string[][], files: readonly string[], pkg: PackageJson): Promise<string[][]> {
  const built = await bundlerEntries(dir, files, pkg);
  if (built === undefined) return entries;
  return entries.map((targets) => {
    const sources = targets.flatMap((t) => {
      const name = relative(built.outDir, t).split(sep).join('/');
      if (name.startsWith('..') || /\.d\.[cm]?ts$/.test(name)) return [];
      const source = built.byName.get(name.slice(0, name.length - extname(name).length));
      return source === undefined ? [] : [source];
    });
    return [...targets, ...new Set(sources)];
  });
}

function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}
