import { dirname, resolve } from 'node:path';
import { ts } from 'ts-morph';
import { insertion, prefixRank, type TextEdit } from '../../textEdit.js';
import type { TransformContext } from '../Transform.js';
import { lineOf, moduleObjectOf, skipParens } from './predicates.js';

/** Global functions that only compute a value (no I/O, nothing scheduled). */
const PURE_GLOBALS = new Set(['parseInt', 'parseFloat', 'String', 'Number', 'Boolean', 'isNaN', 'isFinite', 'encodeURIComponent', 'decodeURIComponent']);
const PURE_STATICS: Record<string, ReadonlySet<string> | 'all'> = {
  JSON: new Set(['parse', 'stringify']),
  Object: new Set(['assign', 'keys', 'values', 'entries', 'freeze', 'create', 'fromEntries']),
  Array: new Set(['isArray', 'from', 'of']),
  Math: 'all',
  // Writes to stdout/stderr: no callback of the script's runs from them.
  console: new Set(['log', 'info', 'warn', 'error', 'debug']),
};
/** Core modules whose functions (the ones named) only compute a value. */
const PURE_MODULES: Record<string, ReadonlySet<string> | 'all'> = {
  path: 'all',
  os: new Set(['homedir', 'platform', 'tmpdir', 'type', 'arch', 'hostname', 'release', 'endianness']),
  util: new Set(['format', 'inspect', 'promisify', 'isDeepStrictEqual']),
};
export const NOT_AN_ENTRY = 'not a bin script of package.json';
/** Methods of strings and arrays that take no callback and only compute a value. */
const PURE_VALUE_METHODS = new Set([
  'slice', 'concat', 'indexOf', 'lastIndexOf', 'includes', 'join', 'split', 'substring', 'substr', 'trim', 'trimStart', 'trimEnd',
  'toLowerCase', 'toUpperCase', 'startsWith', 'endsWith', 'padStart', 'padEnd', 'at', 'charAt', 'repeat',
]);
const PLAIN_CONSTRUCTORS = new Set(['RegExp', 'Map', 'Set', 'Date', 'Error', 'WeakMap', 'WeakSet']);

/**
 * A CommonJS program entry whose top level calls into a chain: a `bin` script of package.json
 * (not its main) that no project file requires and that exports nothing. Its whole body moves
 * into `async function main() {…}`, called at the end; a rejection is thrown again on the next
 * tick, so it ends the process as the uncaught exception it was (exit code 1, the error printed,
 * `uncaughtException` listeners called). The body keeps its order and its scope: the CommonJS
 * wrapper is a function too, so `var`s and function declarations hoist as before. What changes
 * is that the statements after an await run once the I/O is done: sound only when nothing the
 * script did before it can run in between (see prefixProblem).
 */
export class EntryMain {
  private readonly requiredBy = new Map<string, ts.Node>();
  private indexed = false;

  constructor(private readonly context: TransformContext, private readonly syncCalls: ReadonlySet<ts.CallExpression>) {}

  /** Why the top level of `sf` can't become an async main (undefined: it can). */
  problem(sf: ts.SourceFile): string | undefined {
    const entries = this.context.options.programEntries;
    if (entries === undefined || !entries.has(resolve(sf.fileName))) return NOT_AN_ENTRY;
    if (!/\.c?js$/.test(sf.fileName)) return 'the entry is not a JavaScript file';
    if (sf.statements.some((s) => ts.isImportDeclaration(s) || ts.isExportDeclaration(s) || ts.isExportAssignment(s))) return 'the entry has import/export declarations';
    const by = this.requirer(sf);
    if (by !== undefined) return `${this.where(by)} requires this bin script: that require would return before the rest of its body ran`;
    const own = topLevelHazard(sf);
    if (own !== undefined) return `${own.what} at ${this.where(own.at)} would no longer be the module's own once the body is inside a function`;
    return undefined;
  }

  /**
   * What may run before one of `awaited` (the calls main awaits) and start asynchronous work: a
   * callback it scheduled could run while main waits, before the rest of the script, where it
   * used to run after all of it. Any await may be the first one to run (the earlier ones sit in
   * branches not taken, or in a loop's later rounds), so the code checked is everything before
   * the last awaited call, and the whole of a loop that holds one; the calls themselves and what
   * encloses them run after their await. Calls are allowed when they only compute (path,
   * os.homedir, JSON, …), are synchronous core-module I/O, or load a module (`require('x')`): a
   * package is taken to start nothing when loaded, and a project file is checked the same way, whole.
   */
  prefixProblem(sf: ts.SourceFile, awaited: readonly ts.CallExpression[]): ts.Node | undefined {
    const calls = new Set(awaited);
    const enclosing = new Set<ts.Node>();
    let limit = 0;
    for (const call of awaited) {
      limit = Math.max(limit, call.getStart(sf));
      for (let node: ts.Node = call.parent; !ts.isSourceFile(node); node = node.parent) {
        enclosing.add(node);
        if (ts.isIterationStatement(node, false)) limit = Math.max(limit, node.end);
      }
    }
    const seen = new Set<ts.SourceFile>([sf]);
    return this.firstHazard(sf.statements, seen, (node, visit) => {
      if (node.getStart(sf) >= limit) return true;
      if (calls.has(node as ts.CallExpression)) {
        const call = node as ts.CallExpression;
        call.arguments.forEach(visit);
        ts.forEachChild(call.expression, visit);
        return true;
      }
      // Around an awaited call (its statement, an outer call): runs after its await; only the parts before it run first.
      if (enclosing.has(node)) {
        ts.forEachChild(node, visit);
        return true;
      }
      return false;
    });
  }

  /** The edits that wrap the body of `sf` into `async function main() {…}` and call it. */
  edits(sf: ts.SourceFile): TextEdit[] {
    const statements = sf.statements.filter((s, i) => !(ts.isExpressionStatement(s) && ts.isStringLiteral(s.expression) &&
      sf.statements.slice(0, i).every((p) => ts.isExpressionStatement(p) && ts.isStringLiteral(p.expression))));
    const first = statements[0];
    const last = statements[statements.length - 1];
    if (first === undefined || last === undefined) return [];
    const style = this.context.planner.style(sf);
    const nl = style.newline;
    const semi = style.semi;
    const name = this.context.planner.freeName(sf, 'main', 'entry:main');
    const indent = /^\t/m.test(sf.text) && !/^ {2}\S/m.test(sf.text) ? '\t' : '  ';
    const close = [
      '}', `${name}().catch((error) => {`,
      `${indent}// As before the body became async: the error ends the process as an uncaught exception.`,
      `${indent}process.nextTick(() => {`, `${indent}${indent}throw error${semi}`, `${indent}})${semi}`, `})${semi}`,
    ].join(nl);
    return [
      insertion(sf.fileName, first.getStart(sf), `async function ${name}() {${nl}`, prefixRank(sf.end + 1)),
      insertion(sf.fileName, last.end, `${nl}${close}`, 0),
    ];
  }

  /** A call that may start asynchronous work (or run unknown code) before `first`; undefined when `node` is no such call. */
  private effect(node: ts.Node, seen: Set<ts.SourceFile>): ts.Node | undefined {
    if (ts.isTaggedTemplateExpression(node) || ts.isAwaitExpression(node) || ts.isYieldExpression(node)) return node;
    if (ts.isNewExpression(node)) {
      const callee = skipParens(node.expression);
      return ts.isIdentifier(callee) && PLAIN_CONSTRUCTORS.has(callee.text) ? undefined : node;
    }
    if (!ts.isCallExpression(node)) return undefined;
    if (this.syncCalls.has(node)) return undefined;
    const callee = skipParens(node.expression);
    if (ts.isIdentifier(callee) && callee.text === 'require' && node.arguments.length === 1 && ts.isStringLiteralLike(node.arguments[0]!)) {
      const specifier = node.arguments[0]!;
      const target = this.resolveRequire(specifier);
      // A path the program doesn't hold (a build output, an .mjs) is project code nobody checked; JSON is data.
      if (target === undefined && /^[./]/.test(specifier.text) && !/\.json$/.test(specifier.text)) return node;
      if (target === undefined || seen.has(target)) return undefined;
      seen.add(target);
      return this.moduleProblem(target, seen);
    }
    if (ts.isIdentifier(callee)) return PURE_GLOBALS.has(callee.text) ? undefined : node;
    if (ts.isPropertyAccessExpression(callee) && PURE_VALUE_METHODS.has(callee.name.text) && this.isStringOrArray(callee.expression)) return undefined;
    if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)) {
      const owner = callee.expression;
      const method = callee.name.text;
      const module = moduleObjectOf(this.context.checker, owner)?.specifier.replace(/^node:/, '');
      const pure = module !== undefined ? PURE_MODULES[module] : this.context.checker.getSymbolAtLocation(owner)?.declarations?.some(
        (d) => d.getSourceFile().isDeclarationFile) === true ? PURE_STATICS[owner.text] : undefined;
      if (pure === 'all' || pure?.has(method) === true) return undefined;
    }
    return node;
  }

  /** A string or an array by its declared type (an untyped value's `slice` may be anything's). */
  private isStringOrArray(expression: ts.Expression): boolean {
    const checker = this.context.checker as ts.TypeChecker & { isArrayType?(t: ts.Type): boolean };
    const type = checker.getTypeAtLocation(expression);
    return (type.flags & ts.TypeFlags.StringLike) !== 0 || (checker.isArrayType?.(type) ?? false);
  }

  /** A required project file: its whole top level runs at the require, so it must start nothing either. */
  private moduleProblem(sf: ts.SourceFile, seen: Set<ts.SourceFile>): ts.Node | undefined {
    return this.firstHazard(sf.statements, seen);
  }

  /**
   * The first node under `roots`, in source order, that may start asynchronous work (see effect),
   * not looking into what runs later (function bodies, …). `own` may take a node over first: it
   * returns true when it has dealt with it (visiting what it wants of it through `visit`).
   */
  private firstHazard(roots: readonly ts.Node[], seen: Set<ts.SourceFile>, own?: (node: ts.Node, visit: (node: ts.Node) => void) => boolean): ts.Node | undefined {
    let found: ts.Node | undefined;
    const visit = (node: ts.Node): void => {
      if (found !== undefined || own?.(node, visit) === true) return;
      const hazard = this.effect(node, seen);
      if (hazard !== undefined) {
        found = hazard;
        return;
      }
      if (runsLater(node)) return;
      ts.forEachChild(node, visit);
    };
    roots.forEach(visit);
    return found;
  }

  /** The project file a `require('…')` / `import … from '…'` specifier loads (undefined: a package, or not found). */
  private resolveRequire(specifier: ts.StringLiteralLike): ts.SourceFile | undefined {
    const symbol = this.context.checker.getSymbolAtLocation(specifier);
    const declared = symbol?.declarations?.find(ts.isSourceFile);
    const program = this.context.program;
    const byPath = (): ts.SourceFile | undefined => {
      if (!specifier.text.startsWith('.')) return undefined;
      const base = resolve(dirname(specifier.getSourceFile().fileName), specifier.text);
      for (const candidate of [base, `${base}.js`, `${base}.cjs`, `${base}.ts`, `${base}/index.js`, `${base}/index.ts`]) {
        const found = program.getSourceFile(candidate);
        if (found !== undefined) return found;
      }
      return undefined;
    };
    const target = declared ?? byPath();
    if (target === undefined || target.isDeclarationFile || /[\\/]node_modules[\\/]/.test(target.fileName)) return undefined;
    return target;
  }

  /** The first `require`/`import` in a project file that loads `sf`. */
  private requirer(sf: ts.SourceFile): ts.Node | undefined {
    if (!this.indexed) {
      this.indexed = true;
      for (const file of this.context.program.getSourceFiles()) {
        if (file.isDeclarationFile || /[\\/]node_modules[\\/]/.test(file.fileName)) continue;
        const visit = (node: ts.Node): void => {
          const specifier = ts.isCallExpression(node) && node.arguments.length >= 1 && ts.isStringLiteralLike(node.arguments[0]!) &&
            ((ts.isIdentifier(node.expression) && node.expression.text === 'require') || node.expression.kind === ts.SyntaxKind.ImportKeyword)
            ? node.arguments[0] as ts.StringLiteralLike
            : (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined && ts.isStringLiteralLike(node.moduleSpecifier)
              ? node.moduleSpecifier : undefined;
          if (specifier !== undefined) {
            const target = this.resolveRequire(specifier);
            if (target !== undefined && target !== file && !this.requiredBy.has(target.fileName)) this.requiredBy.set(target.fileName, node);
          }
          ts.forEachChild(node, visit);
        };
        visit(file);
      }
    }
    return this.requiredBy.get(sf.fileName);
  }

  private where(node: ts.Node): string {
    return `${this.context.relative(node.getSourceFile().fileName)}:${lineOf(node)}`;
  }
}

/** Code that doesn't run where it is written: function bodies (an IIFE's call is the effect found). */
function runsLater(node: ts.Node): boolean {
  return ts.isFunctionLike(node);
}

/**
 * What would change meaning inside a function: `exports`/`module.exports` (what the module
 * exports), top-level `this` (module.exports) and `arguments` (the CommonJS wrapper's).
 */
function topLevelHazard(sf: ts.SourceFile): { what: string; at: ts.Node } | undefined {
  let found: { what: string; at: ts.Node } | undefined;
  const visit = (node: ts.Node, inFunction: boolean): void => {
    if (found !== undefined) return;
    if (ts.isIdentifier(node) && node.text === 'exports' && !(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node &&
      !(ts.isIdentifier(node.parent.expression) && node.parent.expression.text === 'module'))) {
      found = { what: 'an export', at: node };
      return;
    }
    if (!inFunction && node.kind === ts.SyntaxKind.ThisKeyword) {
      found = { what: 'top-level `this`', at: node };
      return;
    }
    if (!inFunction && ts.isIdentifier(node) && node.text === 'arguments') {
      found = { what: 'top-level `arguments`', at: node };
      return;
    }
    const own = inFunction || (ts.isFunctionLike(node) && !ts.isArrowFunction(node)) || ts.isClassLike(node);
    ts.forEachChild(node, (child) => visit(child, own));
  };
  sf.statements.forEach((s) => visit(s, false));
  return found;
}
