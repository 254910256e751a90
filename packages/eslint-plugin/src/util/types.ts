import { AST_NODE_TYPES, type ParserServicesWithTypeInformation, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import type * as ts from 'typescript';

/*
 * Type information is optional: the rules never import `typescript` at run time, so the plugin
 * loads for projects that lint without it. The few `ts.TypeFlags` values needed are stable across
 * TypeScript 4.8–6.x.
 */
const TYPE_FLAG_ANY = 1;
const TYPE_FLAG_UNKNOWN = 2;
/** `ts.TypeFlags.TypeParameter`, and every type whose meaning depends on an instantiation (`T[K]`, conditional, substitution). */
const TYPE_FLAG_TYPE_PARAMETER = 524288;
const TYPE_FLAGS_GENERIC = TYPE_FLAG_TYPE_PARAMETER | 16777216 | 33554432 | 67108864;
const OBJECT_FLAG_MAPPED = 32;
const SIGNATURE_KIND_CALL = 0;
const SIGNATURE_KIND_CONSTRUCT = 1;

/** The type checker of the file being linted, when the parser was given a project. */
export interface TypeServices {
  readonly program: ts.Program;
  readonly checker: ts.TypeChecker;
  /** The type of an ESTree node, or null when TypeScript has none for it (asked once per node). */
  typeAt(node: TSESTree.Node): ts.Type | null;
  /**
   * What a call can return, judged from the callee's type and its signatures' declared return
   * types: much cheaper than typing the call, which resolves overloads and checks every argument.
   * `none`: no signature can return a promise or an array of promises; `any`: every signature
   * returns `any`/`unknown`, so the call does; `maybe`: type the call to know.
   */
  callReturns(call: TSESTree.CallExpression | TSESTree.NewExpression): 'none' | 'any' | 'maybe';
  /** An array or tuple type (or a union with one) with a promise element. */
  isPromiseArray(type: ts.Type): boolean;
  /** Every member of the type has call signatures (`any` and `unknown` excluded: ask `isUnknown` first). */
  isCallable(type: ts.Type): boolean;
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
  const maybePromiseCache = new WeakMap<ts.Type, boolean>();
  const typeCache = new Map<TSESTree.Node, ts.Type | null>();

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

  const typeAt = (node: TSESTree.Node): ts.Type | null => {
    let type = typeCache.get(node);
    if (type !== undefined) return type;
    const tsNode = map.get(node);
    type = null;
    if (tsNode) {
      try {
        type = checker.getTypeAtLocation(tsNode);
      } catch {
        type = null;
      }
    }
    typeCache.set(node, type);
    return type;
  };
  const isUnknown = (type: ts.Type): boolean => (type.flags & (TYPE_FLAG_ANY | TYPE_FLAG_UNKNOWN)) !== 0;
  const isPromise = (type: ts.Type): boolean => {
    let known = promiseCache.get(type);
    if (known === undefined) {
      known = isBuiltinPromise(checker.getApparentType(type), 0) || isBuiltinPromise(type, 0);
      promiseCache.set(type, known);
    }
    return known;
  };
  const arrayElements = (type: ts.Type): readonly ts.Type[] | null => {
    if (!checker.isArrayType(type) && !checker.isTupleType(type)) return null;
    return checker.getTypeArguments(type as ts.TypeReference);
  };

  /** Whether some instantiation of a declared return type can be a promise or an array of promises. */
  const mayBePromise = (type: ts.Type, depth: number): boolean => {
    if (depth > 6) return true;
    const known = maybePromiseCache.get(type);
    if (known !== undefined) return known;
    let result: boolean;
    if (isUnknown(type) || isPromise(type)) result = true;
    else if (type.flags & TYPE_FLAG_TYPE_PARAMETER && (type as { isThisType?: boolean }).isThisType) {
      // A method returning `this`: the receiver's class, whose subclasses cannot become promises.
      const constraint = (type as ts.TypeParameter).getConstraint();
      result = constraint === undefined || mayBePromise(constraint, depth + 1);
    } else if (type.flags & TYPE_FLAGS_GENERIC) result = true;
    else if (type.isUnionOrIntersection()) result = type.types.some((t) => mayBePromise(t, depth + 1));
    else if ((type as ts.ObjectType).objectFlags & OBJECT_FLAG_MAPPED) result = true;
    else {
      const elements = arrayElements(type);
      result = elements !== null && elements.some((t) => mayBePromise(t, depth + 1));
    }
    maybePromiseCache.set(type, result);
    return result;
  };

  return {
    program,
    checker,
    typeAt,
    callReturns(call) {
      const callee = call.callee;
      if (callee.type === AST_NODE_TYPES.Super) return 'none';
      const calleeType = typeAt(callee);
      if (!calleeType) return 'maybe';
      // Calling an `any` gives an `any`.
      if (isUnknown(calleeType)) return 'any';
      const kind = call.type === AST_NODE_TYPES.NewExpression ? SIGNATURE_KIND_CONSTRUCT : SIGNATURE_KIND_CALL;
      let signatures = 0;
      let untyped = 0;
      for (const part of calleeType.isUnion() ? calleeType.types : [calleeType]) {
        for (const signature of checker.getSignaturesOfType(checker.getApparentType(part), kind)) {
          signatures++;
          const returned = checker.getReturnTypeOfSignature(signature);
          if (isUnknown(returned)) untyped++;
          else if (mayBePromise(returned, 0)) return 'maybe';
        }
      }
      // No signature at all (an error, or something TypeScript resolves otherwise): type the call.
      if (signatures === 0) return 'maybe';
      return untyped === signatures ? 'any' : 'none';
    },
    isPromiseArray(type) {
      for (const part of type.isUnion() ? type.types : [type]) {
        const elements = arrayElements(checker.getApparentType(part));
        if (elements?.some(isPromise)) return true;
      }
      return false;
    },
    isCallable(type) {
      return (type.isUnion() ? type.types : [type]).every((t) => t.getCallSignatures().length > 0);
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
    isPromise,
    isUnknown,
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
