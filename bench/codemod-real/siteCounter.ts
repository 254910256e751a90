/**
 * The bench's own counter of in-scope synchronous call sites, independent of the codemod: a
 * syntactic scan (TypeScript parser, no type checker) that follows how each file binds the core
 * modules (`require`, `import`, `import x = require`) and counts calls of their sync APIs.
 * It also records, for every function-like node, its names and line range, and for every call its
 * callee name, so that attribution.ts can walk up call chains by name.
 */
import ts from 'typescript';

type CoreModule = 'fs' | 'child_process' | 'zlib' | 'crypto';

const FS_SYNC = [
  'readFile', 'writeFile', 'appendFile', 'mkdir', 'mkdtemp', 'readdir', 'stat', 'lstat', 'unlink', 'rm', 'rmdir',
  'rename', 'copyFile', 'cp', 'access', 'realpath', 'readlink', 'symlink', 'link', 'chmod', 'chown', 'utimes',
  'truncate', 'opendir', 'exists',
].map((name) => `${name}Sync`);
const ZLIB_SYNC = ['gzip', 'gunzip', 'deflate', 'inflate', 'deflateRaw', 'inflateRaw', 'unzip', 'brotliCompress', 'brotliDecompress']
  .map((name) => `${name}Sync`);

/**
 * The benchmark's scope: the sync core-module APIs that have an async twin (the list the codemod's
 * src/shared/syncApis.ts knows, kept here on purpose so the judge does not move with the judged).
 */
export const IN_SCOPE: Readonly<Record<CoreModule, ReadonlySet<string>>> = {
  fs: new Set(FS_SYNC),
  child_process: new Set(['execSync', 'execFileSync']),
  zlib: new Set(ZLIB_SYNC),
  crypto: new Set(['pbkdf2Sync', 'scryptSync', 'generateKeyPairSync', 'randomBytes']),
};

export interface SyncSite {
  file: string;
  /** 1-based line of the call's start. */
  line: number;
  api: string;
  module: CoreModule;
  test: boolean;
  /** Function-likes enclosing the call, innermost first (indexes into FileScan.functions). */
  enclosing: number[];
}

export interface FunctionInfo {
  /** Names a caller would use: declaration name, variable/property it is assigned to. */
  names: string[];
  startLine: number;
  endLine: number;
  /** Set when the function is passed as an argument: the line of that call. */
  passedToCallLine?: number;
  /** Index of the function-like that encloses this one, if any. */
  parent?: number;
}

export interface CallInfo {
  name: string;
  line: number;
  /** Innermost enclosing function (index into functions), undefined at top level. */
  enclosing?: number;
}

export interface FileScan {
  file: string;
  test: boolean;
  sites: SyncSite[];
  functions: FunctionInfo[];
  calls: CallInfo[];
  /** Syntax errors the parser reported (a file that doesn't parse counts its sites anyway). */
  parseErrors: number;
}

const TEST_PATH = /(^|\/)(test|tests|__tests__|spec|specs|e2e)\/|\.(test|spec|e2e)\.[cm]?[jt]sx?$/;

export function isTestPath(file: string): boolean {
  return TEST_PATH.test(file);
}

export function scriptKindOf(file: string): ts.ScriptKind {
  if (/\.tsx$/.test(file)) return ts.ScriptKind.TSX;
  if (/\.[cm]?ts$/.test(file)) return ts.ScriptKind.TS;
  if (/\.jsx$/.test(file)) return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}

/** Parses `text` and returns the number of syntax errors the TypeScript parser reports. */
export function syntaxErrorCount(file: string, text: string): number {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, scriptKindOf(file));
  return (sf as unknown as { parseDiagnostics?: readonly unknown[] }).parseDiagnostics?.length ?? 0;
}

function coreModuleOf(specifier: string): CoreModule | undefined {
  const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  return bare === 'fs' || bare === 'child_process' || bare === 'zlib' || bare === 'crypto' ? bare : undefined;
}

/** `require('fs')` (or `require("node:fs")`): the module it loads. */
function requiredModule(node: ts.Node | undefined): CoreModule | undefined {
  if (node === undefined) return undefined;
  while (ts.isParenthesizedExpression(node)) node = node.expression;
  if (!ts.isCallExpression(node) || !ts.isIdentifier(node.expression) || node.expression.text !== 'require') return undefined;
  const arg = node.arguments[0];
  return arg !== undefined && ts.isStringLiteralLike(arg) ? coreModuleOf(arg.text) : undefined;
}

function isFunctionLike(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node) || ts.isMethodDeclaration(node)
    || ts.isConstructorDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node);
}

function propertyNameText(name: ts.PropertyName | ts.BindingName | undefined): string | undefined {
  if (name === undefined) return undefined;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteralLike(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
}

/** The names by which code may call `fn`. */
function functionNames(fn: ts.FunctionLikeDeclaration): string[] {
  const names: string[] = [];
  if (ts.isConstructorDeclaration(fn)) {
    const cls = fn.parent;
    if (cls.name) names.push(cls.name.text);
  }
  const own = fn.name !== undefined ? propertyNameText(fn.name) : undefined;
  if (own !== undefined) names.push(own);
  let parent = fn.parent;
  while (ts.isParenthesizedExpression(parent)) parent = parent.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
    const n = propertyNameText(parent.name);
    if (n !== undefined) names.push(n);
  } else if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const left = parent.left;
    if (ts.isIdentifier(left)) names.push(left.text);
    else if (ts.isPropertyAccessExpression(left)) names.push(left.name.text);
    else if (ts.isElementAccessExpression(left) && ts.isStringLiteralLike(left.argumentExpression)) names.push(left.argumentExpression.text);
  }
  return [...new Set(names)];
}

function calleeName(call: ts.CallExpression | ts.NewExpression): string | undefined {
  let callee: ts.Expression = call.expression;
  while (ts.isParenthesizedExpression(callee) || ts.isNonNullExpression(callee)) callee = callee.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) {
    // f.call(...) / f.apply(...) / f.bind(...) call f.
    if (['call', 'apply', 'bind'].includes(callee.name.text)) {
      const target = callee.expression;
      if (ts.isIdentifier(target)) return target.text;
      if (ts.isPropertyAccessExpression(target)) return target.name.text;
    }
    return callee.name.text;
  }
  if (ts.isElementAccessExpression(callee) && ts.isStringLiteralLike(callee.argumentExpression)) return callee.argumentExpression.text;
  return undefined;
}

/** Scans one file's text. `file` is the path relative to the project root (it decides src vs test). */
export function scanFile(file: string, text: string): FileScan {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKindOf(file));
  const test = isTestPath(file);
  const namespaces = new Map<string, CoreModule>();
  const named = new Map<string, { module: CoreModule; api: string }>();
  const lineOf = (node: ts.Node): number => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;

  const bindPattern = (pattern: ts.ObjectBindingPattern, module: CoreModule): void => {
    for (const element of pattern.elements) {
      const api = propertyNameText(element.propertyName ?? element.name);
      if (api !== undefined && ts.isIdentifier(element.name)) named.set(element.name.text, { module, api });
    }
  };
  const bindTarget = (target: ts.BindingName | ts.Expression, init: ts.Expression | undefined): void => {
    const module = requiredModule(init);
    if (module !== undefined) {
      if (ts.isIdentifier(target)) namespaces.set(target.text, module);
      else if (ts.isObjectBindingPattern(target)) bindPattern(target, module);
      return;
    }
    // const readFileSync = require('fs').readFileSync
    if (init !== undefined && ts.isPropertyAccessExpression(init) && ts.isIdentifier(target)) {
      const from = requiredModule(init.expression) ?? (ts.isIdentifier(init.expression) ? namespaces.get(init.expression.text) : undefined);
      if (from !== undefined) named.set(target.text, { module: from, api: init.name.text });
    } else if (init !== undefined && ts.isIdentifier(init) && namespaces.has(init.text)) {
      // const { readFileSync } = fs  /  const f = fs
      const module = namespaces.get(init.text)!;
      if (ts.isIdentifier(target)) namespaces.set(target.text, module);
      else if (ts.isObjectBindingPattern(target)) bindPattern(target, module);
    }
  };

  // Pass 1: bindings (anywhere in the file; shadowing is ignored on purpose: it is rare and the
  // attribution step reports any disagreement with the codemod).
  const bind = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteralLike(node.moduleSpecifier)) {
      const module = coreModuleOf(node.moduleSpecifier.text);
      const clause = node.importClause;
      if (module !== undefined && clause !== undefined && !clause.isTypeOnly) {
        if (clause.name) namespaces.set(clause.name.text, module);
        const bindings = clause.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) namespaces.set(bindings.name.text, module);
        if (bindings && ts.isNamedImports(bindings)) {
          for (const spec of bindings.elements) {
            if (!spec.isTypeOnly) named.set(spec.name.text, { module, api: (spec.propertyName ?? spec.name).text });
          }
        }
      }
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const ref = node.moduleReference.expression;
      const module = ts.isStringLiteralLike(ref) ? coreModuleOf(ref.text) : undefined;
      if (module !== undefined) namespaces.set(node.name.text, module);
    } else if (ts.isVariableDeclaration(node)) {
      bindTarget(node.name, node.initializer);
    } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(node.left)) {
      bindTarget(node.left, node.right);
    }
    ts.forEachChild(node, bind);
  };
  bind(sf);

  // Pass 2: functions, calls and sites.
  const functions: FunctionInfo[] = [];
  const calls: CallInfo[] = [];
  const sites: SyncSite[] = [];
  const stack: number[] = [];
  const visit = (node: ts.Node): void => {
    let pushed = false;
    if (isFunctionLike(node) && node.body !== undefined) {
      const info: FunctionInfo = {
        names: functionNames(node),
        startLine: lineOf(node),
        endLine: sf.getLineAndCharacterOfPosition(node.getEnd()).line + 1,
      };
      if (stack.length > 0) info.parent = stack[stack.length - 1]!;
      let parent = node.parent;
      while (ts.isParenthesizedExpression(parent)) parent = parent.parent;
      if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.some((a) => a === node || (ts.isParenthesizedExpression(a) && a.expression === node))) {
        info.passedToCallLine = lineOf(parent);
      }
      functions.push(info);
      stack.push(functions.length - 1);
      pushed = true;
    }
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const name = calleeName(node);
      if (name !== undefined) {
        const call: CallInfo = { name, line: lineOf(node) };
        if (stack.length > 0) call.enclosing = stack[stack.length - 1]!;
        calls.push(call);
      }
    }
    if (ts.isCallExpression(node)) {
      const site = syncApiOf(node);
      if (site !== undefined && (site.api !== 'randomBytes' || node.arguments.length === 1)) {
        sites.push({ file, line: lineOf(node), api: site.api, module: site.module, test, enclosing: [...stack].reverse() });
      }
    }
    ts.forEachChild(node, visit);
    if (pushed) stack.pop();
  };
  const syncApiOf = (call: ts.CallExpression): { module: CoreModule; api: string } | undefined => {
    let callee: ts.Expression = call.expression;
    while (ts.isParenthesizedExpression(callee)) callee = callee.expression;
    let candidate: { module: CoreModule; api: string } | undefined;
    if (ts.isIdentifier(callee)) candidate = named.get(callee.text);
    else if (ts.isPropertyAccessExpression(callee)) {
      const target = callee.expression;
      const module = ts.isIdentifier(target) ? namespaces.get(target.text) : requiredModule(target);
      if (module !== undefined) candidate = { module, api: callee.name.text };
    }
    return candidate !== undefined && IN_SCOPE[candidate.module].has(candidate.api) ? candidate : undefined;
  };
  visit(sf);
  const parseErrors = (sf as unknown as { parseDiagnostics?: readonly unknown[] }).parseDiagnostics?.length ?? 0;
  return { file, test, sites, functions, calls, parseErrors };
}
