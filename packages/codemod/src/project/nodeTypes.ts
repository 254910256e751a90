import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ts } from 'ts-morph';

/** Where the project's view of Node's core modules (`fs`, `node:child_process`, …) comes from. */
export type NodeTypesSource =
  | { from: 'project'; path: string }
  /** `instead`: the project's own, older @types/node, set aside for a JavaScript project (see preferOwnNodeTypes). */
  | { from: 'codemod'; path: string; instead?: { path: string; version: string; ownVersion: string } }
  | { from: 'none'; reason: string };

/**
 * Whether `@types/node` resolves for the project as configured (from its root, through its
 * typeRoots or node_modules/@types up the tree).
 */
export function projectNodeTypes(root: string, options: ts.CompilerOptions): string | undefined {
  const resolved = ts.resolveTypeReferenceDirective('node', join(root, '__asyncguard__.ts'), options, ts.sys);
  return resolved.resolvedTypeReferenceDirective?.resolvedFileName;
}

/**
 * The codemod's own `@types/node` entry file (a dependency of @asyncguard/codemod), resolved from
 * this module's location, never from the working directory.
 */
export function ownNodeTypes(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve('@types/node/package.json')), 'index.d.ts');
  } catch {
    return undefined;
  }
}

/** A tsconfig whose `types` list leaves `node` out asked for no Node types: respect it. */
export function wantsNodeTypes(options: ts.CompilerOptions): boolean {
  return options.types === undefined || options.types.includes('node');
}

/**
 * The `version` of the @types/node package an entry file belongs to (the entry may sit in a
 * `typesVersions` folder such as `ts3.2/index.d.ts`).
 */
export function nodeTypesVersion(indexFile: string): string | undefined {
  for (let dir = dirname(indexFile); dirname(dir) !== dir; dir = dirname(dir)) {
    let pkg: { name?: unknown; version?: unknown };
    try {
      pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
    } catch {
      continue;
    }
    return pkg.name === '@types/node' && typeof pkg.version === 'string' ? pkg.version : undefined;
  }
  return undefined;
}

/**
 * For a JavaScript project whose types only guide the codemod's analysis (nothing type-checks
 * its code against them), the codemod's own @types/node when the project's is an older major:
 * an old copy lacks APIs the code calls (`fs.rmSync` is missing before @types/node 14), which
 * then look unresolvable. Returns the project's copy and both versions, or undefined to keep it.
 */
export function preferOwnNodeTypes(projectTypes: string, own: string | undefined): { path: string; version: string; ownVersion: string } | undefined {
  if (own === undefined) return undefined;
  const version = nodeTypesVersion(projectTypes);
  const ownVersion = nodeTypesVersion(own);
  if (version === undefined || ownVersion === undefined) return undefined;
  return Number.parseInt(version, 10) < Number.parseInt(ownVersion, 10) ? { path: projectTypes, version, ownVersion } : undefined;
}

/**
 * A ts-morph resolution host that resolves every `node` type reference (automatic inclusion,
 * `/// <reference types="node" />` in other @types packages) to `own`, so exactly one copy of
 * Node's declarations is in the program; everything else resolves as TypeScript would.
 */
export function nodeTypesRedirect(own: string): (host: ts.ModuleResolutionHost, options: () => ts.CompilerOptions) => {
  resolveTypeReferenceDirectives: NonNullable<ts.LanguageServiceHost['resolveTypeReferenceDirectives']>;
} {
  return (host, getOptions) => ({
    resolveTypeReferenceDirectives: (names, containingFile, redirected, options, mode) => names.map((entry) => {
      const name = typeof entry === 'string' ? entry : entry.fileName;
      if (name.toLowerCase() === 'node') return { primary: true, resolvedFileName: own, isExternalLibraryImport: true };
      const entryMode = typeof entry === 'string' ? mode : entry.resolutionMode ?? mode;
      return ts.resolveTypeReferenceDirective(name, containingFile, options ?? getOptions(), host, redirected, undefined, entryMode).resolvedTypeReferenceDirective;
    }),
  });
}
