import { dirname, join } from 'node:path';
import { ts } from 'ts-morph';

/**
 * Compiler options for a project without a tsconfig: plain JavaScript checked as Node runs it
 * (package.json `type` and the file extension decide ESM or CommonJS under nodenext), with
 * TypeScript files beside it when there are any. Nothing is emitted.
 */
export function inferredCompilerOptions(root: string): ts.CompilerOptions {
  return {
    // What tsc would use for a tsconfig in `root` (without one, the default is the working directory's).
    typeRoots: typeRootsFrom(root),
    allowJs: true,
    checkJs: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts'],
    jsx: ts.JsxEmit.Preserve,
    esModuleInterop: true,
    resolveJsonModule: true,
    skipLibCheck: true,
    noEmit: true,
    strict: false,
    maxNodeModuleJsDepth: 0,
  };
}

/** `node_modules/@types` in `root` and every directory above it, nearest first. */
function typeRootsFrom(root: string): string[] {
  const roots: string[] = [];
  for (let dir = root; ; dir = dirname(dir)) {
    roots.push(join(dir, 'node_modules', '@types'));
    if (dirname(dir) === dir) return roots;
  }
}
