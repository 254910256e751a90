import { ts } from 'ts-morph';

/**
 * Compiler options for a project without a tsconfig: plain JavaScript checked as Node runs it
 * (package.json `type` and the file extension decide ESM or CommonJS under nodenext), with
 * TypeScript files beside it when there are any. Nothing is emitted.
 */
export function inferredCompilerOptions(): ts.CompilerOptions {
  return {
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
