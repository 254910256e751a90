import type { ParserServicesWithTypeInformation, TSESLint, TSESTree } from '@typescript-eslint/utils';
import type * as ts from 'typescript';

/*
 * Type information is optional: the rules never import `typescript` at run time, so the plugin
 * loads for projects that lint without it. The few `ts.TypeFlags` values needed are stable across
 * TypeScript 4.8–6.x.
 */
const TYPE_FLAG_ANY = 1;
const TYPE_FLAG_UNKNOWN = 2;

/** The type checker of the file being linted, when the parser was given a project. */
export interface TypeServices {
  readonly program: ts.Program;
  readonly checker: ts.TypeChecker;
  /** The type of an ESTree node, or null when TypeScript has none for it. */
  typeAt(node: TSESTree.Node): ts.Type | null;
  /** The symbol a node refers to (aliases resolved), or null. */
  symbolAt(node: TSESTree.Node): ts.Symbol | null;
  /** True for the built-in `Promise` (or a subclass), possibly in a union or intersection. */
  isPromise(type: ts.Type): boolean;
  /** `any` or `unknown` (including unresolved imports): nothing can be concluded. */
  isUnknown(type: ts.Type): boolean;
  /** File names of the declarations of the type's symbol (and of each union member). */
  declarationFiles(type: ts.Type): string[];
}

const cache = new WeakMap<TSESTree.Program, TypeServices | null>();

export function getTypeServices(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>): TypeServices | null {
  const ast = context.sourceCode.ast;
  const cached = cache.get(ast);
  if (cached !== undefined) return cached;
  const services = context.sourceCode.parserServices as Partial<ParserServicesWithTypeInformation> | undefined;
  const result = services?.program && services.esTreeNodeToTSNodeMap ? makeServices(services as ParserServicesWithTypeInformation) : null;
  cache.set(ast, result);
  return result;
}

function makeServices(services: ParserServicesWithTypeInformation): TypeServices {
  const program = services.program;
  const checker = program.getTypeChecker();
  const map = services.esTreeNodeToTSNodeMap;
  const promiseCache = new WeakMap<ts.Type, boolean>();

  const isBuiltinPromise = (type: ts.Type, depth: number): boolean => {
    if (depth > 8) return false;
    if (type.isUnion() || type.isIntersection()) return type.types.some((t) => isBuiltinPromise(t, depth + 1));
    const symbol = type.getSymbol();
    if (!symbol) return false;
    if (symbol.getName() === 'Promise' && (symbol.declarations ?? []).some((d) => program.isSourceFileDefaultLibrary(d.getSourceFile()))) {
      return true;
    }
    const declared = checker.getDeclaredTypeOfSymbol(symbol);
    if (declared.isClassOrInterface()) {
      for (const base of checker.getBaseTypes(declared)) if (isBuiltinPromise(base, depth + 1)) return true;
    }
    return false;
  };

  return {
    program,
    checker,
    typeAt(node) {
      const tsNode = map.get(node);
      if (!tsNode) return null;
      try {
        return checker.getTypeAtLocation(tsNode);
      } catch {
        return null;
      }
    },
    symbolAt(node) {
      const tsNode = map.get(node);
      if (!tsNode) return null;
      try {
        let symbol = checker.getSymbolAtLocation(tsNode);
        if (symbol && symbol.flags & 2097152 /* ts.SymbolFlags.Alias */) symbol = checker.getAliasedSymbol(symbol);
        return symbol ?? null;
      } catch {
        return null;
      }
    },
    isPromise(type) {
      let known = promiseCache.get(type);
      if (known === undefined) {
        known = isBuiltinPromise(checker.getApparentType(type), 0) || isBuiltinPromise(type, 0);
        promiseCache.set(type, known);
      }
      return known;
    },
    isUnknown(type) {
      return (type.flags & (TYPE_FLAG_ANY | TYPE_FLAG_UNKNOWN)) !== 0;
    },
    declarationFiles(type) {
      const out: string[] = [];
      const parts = type.isUnion() || type.isIntersection() ? type.types : [type];
      for (const part of parts) {
        const symbol = part.getSymbol() ?? part.aliasSymbol;
        for (const d of symbol?.declarations ?? []) out.push(d.getSourceFile().fileName);
      }
      return out;
    },
  };
}

/** True when any of the files belongs to the package (`node_modules/<name>/` or a workspace link). */
export function fromPackage(files: readonly string[], test: (path: string) => boolean): boolean {
  return files.some((f) => test(f.replace(/\\/g, '/')));
}

export const isIoredisFile = (path: string): boolean => /\/ioredis\/(built|dist)\//.test(path) || /\/node_modules\/ioredis\//.test(path);
export const isLlamaIndexFile = (path: string): boolean => /\/node_modules\/(llamaindex|@llamaindex\/[^/]+)\//.test(path);
export const isNodeTypesFile = (path: string): boolean => /\/@types\/node\//.test(path);
export const isAsyncguardRuntimeFile = (path: string): boolean =>
  /\/@asyncguard\/runtime\//.test(path) || /\/packages\/runtime\/(src|dist)\//.test(path);
