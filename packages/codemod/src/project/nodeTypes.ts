import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ts } from 'ts-morph';

/** Where the project's view of Node's core modules (`fs`, `node:child_process`, …) comes from. */
export type NodeTypesSource =
  | { from: 'project'; path: string }
  | { from: 'codemod'; path: string }
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
