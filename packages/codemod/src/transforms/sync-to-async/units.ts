import type { ExecPlan } from './execOptions.js';
import type { SuiteMove } from './suiteHooks.js';
import { ts } from 'ts-morph';
import type { SyncApi } from '../../shared/syncApis.js';
import type { SearchMethod } from './searchLoops.js';
import { isFunctionWithBody, type FunctionNode } from './predicates.js';

export type { FunctionNode };

export type CallbackPlan =
  | { kind: 'for-of'; call: ts.CallExpression; statement: ts.ExpressionStatement }
  | { kind: 'map-loop'; call: ts.CallExpression; declaration: ts.VariableDeclaration | ts.ReturnStatement }
  /** `const x = list.flatMap(fn)` / `return list.flatMap(fn)` → a for…of whose inner loop pushes each element of the callback's array. */
  | { kind: 'flat-map-loop'; call: ts.CallExpression; declaration: ts.VariableDeclaration | ts.ReturnStatement }
  | { kind: 'promise-all'; call: ts.CallExpression; rename: boolean }
  /** find/findIndex/some/every/filter → an awaited async arrow holding a sequential for…of (searchLoops.ts). */
  | { kind: 'search-loop'; call: ts.CallExpression; method: SearchMethod }
  /** A callback left to its caller; `awaited` when that caller (a test framework) awaits the promise. */
  | { kind: 'leaf'; callee: string; awaited?: boolean }
  | { kind: 'iife'; call: ts.CallExpression }
  /** The function an assertion checks for a throw: the assertion becomes its awaited async twin (`twin`). */
  | { kind: 'assertion'; call: ts.CallExpression; name: ts.Identifier; twin: string }
  /** A suite body stays synchronous: the statements with awaited calls move into `hook` (`moves`, set once the calls are known). */
  | { kind: 'suite'; call: ts.CallExpression; name: string; hook: string; module: string; moves: SuiteMove[] };

export interface Unit {
  id: number;
  /** A function with a body, a signature (interface member, abstract method, function-typed property) or a source file. */
  node: ts.Node;
  sf: ts.SourceFile;
  kind: 'body' | 'signature' | 'top-level' | 'class-init';
  callees: Set<Unit>;
  callers: Set<Unit>;
  links: Set<Unit>;
  seeds: Seed[];
  explored: boolean;
  /** Already returns a promise: callers need not change. */
  alreadyAsync: boolean;
  /**
   * Returns a promise without being `async`: callers need not change, but an `await` inside it
   * needs the `async` keyword, which is sound only when the value is a native Promise already.
   */
  promiseReturning?: 'native' | 'other';
  block?: { reason: string; at: ts.Node };
  /** A CommonJS program entry's top level that becomes `async function main() {…}` (entryMain.ts). */
  entryMain?: boolean;
  poison?: string;
  plan?: CallbackPlan;
}

export interface Seed {
  call: ts.CallExpression;
  api: SyncApi;
  unit: Unit;
  /** exec/execFile: how the options carry over. */
  exec?: ExecPlan;
}

export interface CallSite {
  call: ts.CallExpression;
  caller: Unit;
  callee: Unit;
  /** Found by name through an untyped receiver (field-based rule), not by the type checker. */
  uncertain?: boolean;
  /** `call` is a no-throw assertion statement on this expression of the callee (see noThrowAssertion): it becomes `await callee()`. */
  noThrowSubject?: ts.Expression;
}

/** The units of the analysis and the call edges between them. */
export class CallGraph {
  readonly units = new Map<ts.Node, Unit>();
  readonly callSites: CallSite[] = [];
  private nextId = 0;

  unitOf(node: ts.Node, kind: Unit['kind']): Unit {
    let unit = this.units.get(node);
    if (unit === undefined) {
      unit = {
        id: this.nextId++, node, sf: node.getSourceFile(), kind, callees: new Set(), callers: new Set(), links: new Set(),
        seeds: [], explored: false, alreadyAsync: false,
      };
      this.units.set(node, unit);
    }
    return unit;
  }

  /** The unit whose body holds `node`: the nearest function, class field initializer or the file. */
  containerUnit(node: ts.Node): Unit {
    for (let current = node.parent; current !== undefined; current = current.parent) {
      if (isFunctionWithBody(current)) return this.unitOf(current, 'body');
      if (ts.isPropertyDeclaration(current) || ts.isClassStaticBlockDeclaration(current)) return this.unitOf(current, 'class-init');
      if (ts.isSourceFile(current)) return this.unitOf(current, 'top-level');
    }
    throw new Error('node outside a source file');
  }

  /** The unit for a member/function declaration found by symbol lookup. */
  unitForDeclaration(declaration: ts.Node): Unit | undefined {
    if (ts.isFunctionDeclaration(declaration) || ts.isMethodDeclaration(declaration)) {
      return this.unitOf(declaration, declaration.body ? 'body' : 'signature');
    }
    if (ts.isMethodSignature(declaration) || ts.isPropertySignature(declaration)) return this.unitOf(declaration, 'signature');
    if (ts.isPropertyDeclaration(declaration) || ts.isPropertyAssignment(declaration) || ts.isVariableDeclaration(declaration)) {
      const init = declaration.initializer;
      if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) return this.unitOf(init, 'body');
      if (!ts.isPropertyAssignment(declaration) && declaration.type) return this.unitOf(declaration, 'signature');
      return undefined;
    }
    if (ts.isShorthandPropertyAssignment(declaration)) return undefined;
    return undefined;
  }

  /** The declaration that names a unit (what references resolve to). */
  namingDeclaration(unit: Unit): ts.NamedDeclaration | undefined {
    const node = unit.node;
    if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
      const parent = node.parent;
      if ((ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.initializer === node) {
        return parent;
      }
      // CommonJS: `exports.name = () => …` / `module.exports.name = function () {…}`. The checker
      // declares the export at the left-hand side, which carries the name.
      const target = commonJsExportTarget(node);
      if (target !== undefined) return target as unknown as ts.NamedDeclaration;
      return undefined;
    }
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isMethodSignature(node) ||
      ts.isPropertySignature(node) || ts.isPropertyDeclaration(node) || ts.isVariableDeclaration(node)) {
      return node;
    }
    return undefined;
  }

  block(unit: Unit, reason: string, at: ts.Node = unit.node): void {
    unit.block ??= { reason, at };
  }

  /** For function-typed properties and variables: the `() => T` annotation. */
  annotatedFunctionType(unit: Unit): ts.FunctionTypeNode | undefined {
    const naming = ts.isArrowFunction(unit.node) || ts.isFunctionExpression(unit.node) ? unit.node.parent : unit.node;
    if ((ts.isVariableDeclaration(naming) || ts.isPropertyDeclaration(naming) || ts.isPropertySignature(naming)) && naming.type &&
      ts.isFunctionTypeNode(naming.type)) {
      return naming.type;
    }
    return undefined;
  }

  addEdge(caller: Unit, callee: Unit, call: ts.CallExpression | undefined, queue: Unit[], noThrowSubject?: ts.Expression): void {
    caller.callees.add(callee);
    callee.callers.add(caller);
    if (call) this.callSites.push(noThrowSubject === undefined ? { call, caller, callee } : { call, caller, callee, noThrowSubject });
    queue.push(caller);
  }
}

/** `exports.name` / `module.exports.name` when `fn` is the value assigned to it at a module's top level. */
export function commonJsExportTarget(fn: ts.Node): ts.PropertyAccessExpression | undefined {
  let node = fn;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const assignment = node.parent;
  if (!ts.isBinaryExpression(assignment) || assignment.operatorToken.kind !== ts.SyntaxKind.EqualsToken || assignment.right !== node) return undefined;
  const left = assignment.left;
  if (!ts.isPropertyAccessExpression(left) || !ts.isIdentifier(left.name)) return undefined;
  const owner = left.expression.getText();
  if (owner !== 'exports' && owner !== 'module.exports') return undefined;
  if (!ts.isExpressionStatement(assignment.parent) || !ts.isSourceFile(assignment.parent.parent)) return undefined;
  return left;
}
