import { ts } from 'ts-morph';
import { isThenable } from '../../shared/syntax.js';
import type { TransformContext } from '../Transform.js';
import {
  SYNC_ONLY_CALLBACKS, acceptsAnything, isPlainReference, lineOf, listenerEvent, moduleObjectOf, returnsWithValue, skipParens,
} from './predicates.js';
import { assertionTwinOf, linkNoThrowAssertion, noThrowAssertion } from './assertions.js';
import { suiteHookOf, suiteMoves } from './suiteHooks.js';
import { SEARCH_METHODS, assignsAny, boundNames, searchLoopProblem, type SearchMethod } from './searchLoops.js';
import { callbackShapeProblem, flatMapProblem, loopResultOf, mapBlockLoops, returnsFromLoopCallback, returnsInsideOwnLoop } from './loops.js';
import { testCallbackOf } from './testCallbacks.js';
import type { CallGraph, Unit } from './units.js';

/** Methods whose result is a new array whatever they are called on (for an untyped receiver: String#split too). */
const ARRAY_RESULTS = new Set(['map', 'filter', 'slice', 'concat', 'split', 'flat', 'flatMap', 'toSorted', 'toReversed']);

/** Whether a `let`/`var` is assigned anywhere after its declaration. */
function isReassigned(declaration: ts.VariableDeclaration): boolean {
  const name = declaration.name;
  if (!ts.isIdentifier(name)) return true;
  let scope: ts.Node = declaration;
  while (!ts.isSourceFile(scope) && !ts.isFunctionLike(scope)) scope = scope.parent;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      node.operatorToken.kind <= ts.SyntaxKind.LastAssignment && ts.isIdentifier(node.left) && node.left.text === name.text) found = true;
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return found;
}

/**
 * What the API that `call` hands `arg` to does with a promise the function returns. It waits for
 * it when every signature the argument is typed by returns a thenable, or a union with one
 * (`T | PromiseLike<T>` of `.then/.catch`, `void | Promise<void>`): such an API adopts the promise,
 * the reasoning of typescript-eslint's no-misused-promises. A plain `void`, `any` or `unknown`
 * return (an event emitter's .on, setTimeout, commander's .action under parse()) would drop it:
 * a rejection becomes unhandled and what runs after the callback no longer waits for its I/O.
 * Promise#finally waits too. The contextual type is instantiated (`TResult` inferred from the callback itself, `any` in
 * untyped JavaScript), so the declared parameter type of the resolved signature is asked too.
 */
export function callbackReturn(checker: ts.TypeChecker, call: ts.CallExpression, arg: ts.Expression):
  { kind: 'awaits' } | { kind: 'drops'; returned: string } | { kind: 'unknown' } {
  const accepts = (signature: ts.Signature): boolean => {
    const returned = checker.getReturnTypeOfSignature(signature);
    return !acceptsAnything(returned) && isThenable(checker, returned);
  };
  // Promise.prototype.finally waits for a thenable its callback returns (and rejects with its
  // reason), though lib.es2018.promise.d.ts types the callback `() => void`.
  const callee = skipParens(call.expression);
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'finally' && call.arguments[0] === arg &&
    isThenable(checker, checker.getTypeAtLocation(callee.expression))) return { kind: 'awaits' };
  const contextual = checker.getContextualType(arg);
  const signatures = contextual === undefined ? [] : callSignatures(checker, contextual);
  if (signatures.length > 0 && signatures.every(accepts)) return { kind: 'awaits' };
  const declared = declaredParameterType(checker, call, arg);
  const declaredSignatures = declared === undefined ? [] : callSignatures(checker, declared);
  if (declaredSignatures.length > 0 && declaredSignatures.every(accepts)) return { kind: 'awaits' };
  const first = signatures[0] ?? declaredSignatures[0];
  if (first === undefined) return { kind: 'unknown' };
  return { kind: 'drops', returned: checker.typeToString(checker.getReturnTypeOfSignature(first)) };
}

/** The call signatures of a function type, of each function in a union, leaving out null/undefined. */
function callSignatures(checker: ts.TypeChecker, type: ts.Type): readonly ts.Signature[] {
  const nonNullable = checker.getNonNullableType(type);
  if (nonNullable.isUnion()) {
    const members = nonNullable.types.map((t) => t.getCallSignatures());
    return members.some((m) => m.length === 0) ? [] : members.flat();
  }
  return nonNullable.getCallSignatures();
}

/** The parameter type `arg` meets in the declaration of the signature `call` resolves to (type parameters uninstantiated). */
function declaredParameterType(checker: ts.TypeChecker, call: ts.CallExpression, arg: ts.Expression): ts.Type | undefined {
  const index = call.arguments.indexOf(arg);
  if (index < 0 || call.arguments.slice(0, index).some(ts.isSpreadElement)) return undefined;
  const declaration = checker.getResolvedSignature(call)?.getDeclaration();
  if (declaration === undefined || !ts.isFunctionLike(declaration)) return undefined;
  const parameter = declaration.parameters[index];
  if (parameter === undefined || parameter.dotDotDotToken !== undefined || parameter.type === undefined) return undefined;
  return checker.getTypeFromTypeNode(parameter.type);
}

const COLLECTION_LIBRARIES = new Set(['lodash', 'lodash-es', 'underscore']);

/**
 * `_` in `_.each(…)` when it is the lodash or underscore module object: `const _ = require('lodash')`
 * (or a `let`/`var` never reassigned), `import _ from 'underscore'`, `import * as _ from 'lodash'`.
 */
function collectionLibrary(checker: ts.TypeChecker, receiver: ts.Expression): string | undefined {
  if (!ts.isIdentifier(receiver)) return undefined;
  const module = moduleObjectOf(checker, receiver);
  if (module === undefined || !COLLECTION_LIBRARIES.has(module.specifier)) return undefined;
  return module.constant || !isReassigned(module.declaration as ts.VariableDeclaration) ? module.specifier : undefined;
}

/** `arguments` read in a function's own body (nested non-arrow functions have their own). */
function usesArguments(body: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && n.text === 'arguments') found = true;
    if (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isMethodDeclaration(n) || ts.isClassLike(n)) return;
    ts.forEachChild(n, visit);
  };
  visit(body);
  return found;
}

/** Decides what happens to a function passed as an argument (a callback) when it must become async. */
export class Callbacks {
  private readonly checker: ts.TypeChecker;

  constructor(
    private readonly context: TransformContext, private readonly graph: CallGraph,
    /** What every call of a function passes at a position (undefined when not every call is known): see Callers.argumentsAt. */
    private readonly argumentsAt: (fn: ts.FunctionLikeDeclaration, position: number) => ts.Expression[] | undefined = () => undefined,
  ) {
    this.checker = context.checker;
  }

  planCallback(unit: Unit, queue: Unit[]): void {
    const fn = unit.node as ts.ArrowFunction | ts.FunctionExpression;
    let outer: ts.Node = fn.parent;
    while (ts.isParenthesizedExpression(outer)) outer = outer.parent;
    if (ts.isCallExpression(outer) && skipParens(outer.expression) === fn) {
      unit.plan = { kind: 'iife', call: outer };
      this.graph.addEdge(this.graph.containerUnit(outer), unit, outer, queue);
      return;
    }
    const noThrow = noThrowAssertion(fn);
    if (noThrow !== undefined) {
      // expect(() => f()).not.toThrow() → await (async () => f())(): called in place, awaited there.
      if (linkNoThrowAssertion(this.graph, this.context, unit, 'callback', noThrow, queue)) unit.plan = { kind: 'iife', call: noThrow.call };
      return;
    }
    const call = fn.parent;
    if (ts.isNewExpression(call) && ts.isIdentifier(call.expression) && call.expression.text === 'Promise') {
      this.graph.block(unit, 'Promise executor must stay synchronous; await the work outside new Promise(...)');
      return;
    }
    if (!ts.isCallExpression(call) || !call.arguments.includes(fn)) {
      this.graph.block(unit, 'function value escapes (returned, stored or passed on); its callers can\'t be followed');
      return;
    }
    const test = testCallbackOf(this.checker, call, fn);
    if (test?.kind === 'suite') {
      const hook = suiteHookOf(this.checker, call);
      if (typeof hook !== 'string') {
        // Checked once every awaited call in the body is known (Callbacks.planSuites).
        unit.plan = { kind: 'suite', call, name: test.name, hook: hook.hook, module: hook.module, moves: [] };
        return;
      }
      const at = unit.seeds[0]?.call ?? this.graph.callSites.find((site) => site.caller === unit)?.call ?? fn;
      this.graph.block(unit, `${test.name} body runs synchronously while the tests are collected: move this call into a before/beforeEach hook (or into the test that needs it); ${hook}`, at);
      return;
    }
    if (test?.kind === 'test') {
      if (test.doneParameter !== undefined) {
        this.graph.block(unit, `${test.name} callback takes a done callback (${test.doneParameter.name.getText()}): made async it would both return a promise and call done, which mocha rejects ("resolution method is overspecified"); drop done and convert it by hand`, test.doneParameter);
        return;
      }
      unit.plan = { kind: 'leaf', callee: test.name, awaited: true };
      return;
    }
    const assertion = assertionTwinOf(this.checker, call, fn);
    if (assertion !== undefined) {
      // assert.throws(fn) → await assert.rejects(async fn): the function around the assertion awaits it.
      unit.plan = { kind: 'assertion', call, name: assertion.name, twin: assertion.twin };
      this.graph.addEdge(this.graph.containerUnit(call), unit, call, queue);
      return;
    }
    const callee = call.expression;
    const method = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name) ? callee.name.text : undefined;
    const receiver = ts.isPropertyAccessExpression(callee) ? callee.expression : undefined;
    const library = receiver !== undefined ? collectionLibrary(this.checker, receiver) : undefined;
    if (library !== undefined && (method === 'each' || method === 'forEach' || method === 'map') && call.arguments[1] === fn) {
      this.planCollectionHelper(unit, queue, fn, call, `${receiver!.getText()}.${method}`, method === 'map' ? 'map' : 'forEach');
      return;
    }
    const arrayReceiver = receiver !== undefined && this.isArrayLike(receiver);
    if (method !== undefined && arrayReceiver && SEARCH_METHODS.has(method)) {
      const problem = searchLoopProblem(fn, call, method as SearchMethod);
      if (problem !== undefined) {
        this.graph.block(unit, `sync-only callback: Array.prototype.${method} uses the callback's result synchronously (an async callback returns a promise), and it can't become a sequential loop here: ${problem}; load the data first, then ${method}`);
        return;
      }
      unit.plan = { kind: 'search-loop', call, method: method as SearchMethod };
      this.graph.addEdge(this.graph.containerUnit(call), unit, undefined, queue);
      return;
    }
    if (method === 'flatMap' && arrayReceiver && !this.context.options.parallelCallbacks) {
      const problem = flatMapProblem(this.checker, fn, call);
      if (problem !== undefined) {
        this.graph.block(unit, `sync-only callback: Array.prototype.flatMap uses the callback's result synchronously (an async callback returns a promise), and it can't become a sequential loop here: ${problem}; load the data first, then flatMap`);
        return;
      }
      unit.plan = { kind: 'flat-map-loop', call, declaration: call.parent as ts.VariableDeclaration | ts.ReturnStatement };
      this.graph.addEdge(this.graph.containerUnit(call), unit, undefined, queue);
      return;
    }
    if (method !== undefined && arrayReceiver && SYNC_ONLY_CALLBACKS.has(method)) {
      this.graph.block(unit, `sync-only callback: Array.prototype.${method} uses the callback's result synchronously (an async callback returns a promise); load the data first, then ${method}`);
      return;
    }
    if ((method === 'forEach' || method === 'map') && arrayReceiver) {
      const problem = this.loopabilityProblem(fn, call, method);
      if (this.context.options.parallelCallbacks) {
        if (problem && !problem.parallelOk) {
          this.graph.block(unit, problem.reason);
          return;
        }
        unit.plan = { kind: 'promise-all', call, rename: method === 'forEach' };
      } else {
        if (problem) {
          this.graph.block(unit, problem.reason);
          return;
        }
        if (method === 'forEach') unit.plan = { kind: 'for-of', call, statement: call.parent as ts.ExpressionStatement };
        else unit.plan = { kind: 'map-loop', call, declaration: call.parent as ts.VariableDeclaration | ts.ReturnStatement };
      }
      this.graph.addEdge(this.graph.containerUnit(call), unit, undefined, queue);
      return;
    }
    if (method === 'forEach' || method === 'map') {
      const type = this.checker.getTypeAtLocation(receiver!);
      const owner = type.getSymbol()?.getName();
      const why = owner === 'Map' ? ' (Map#forEach passes (value, key); for…of over a Map yields [key, value] pairs)'
        : owner === 'Set' ? ' (Set#forEach passes (value, value, set))' : '';
      this.graph.block(unit, `${method} on a ${this.checker.typeToString(type)}, not an array${why}: its callbacks would run unawaited; convert it to a for…of loop by hand`);
      return;
    }
    const calleeText = callee.getText();
    const verdict = callbackReturn(this.checker, call, fn);
    if (verdict.kind === 'unknown') {
      // A project function that only calls the parameter: those calls are the callback's callers.
      const through = this.parameterCalls(call, fn);
      if (Array.isArray(through)) {
        for (const inner of through) this.graph.addEdge(this.graph.containerUnit(inner), unit, inner, queue);
        return;
      }
      const event = through === undefined ? listenerEvent(call, fn) : undefined;
      if (event !== undefined) {
        this.graph.block(unit, `callback passed to ${calleeText.replace(/\s+/g, ' ')} as the ${event} listener (the receiver has no declared type): an event emitter calls its listeners and ignores what they return, so made async its promise would float (errors become unhandled rejections, code after the emit stops waiting for its I/O); convert it by hand`);
        return;
      }
      this.graph.block(unit, through ?? `callback passed to ${calleeText}: can't tell whether it may return a promise; convert it by hand`);
      return;
    }
    if (verdict.kind === 'drops') {
      const api = ts.isPropertyAccessExpression(callee) && /\s|.{41}/.test(callee.expression.getText())
        ? `….${callee.name.getText()}` : calleeText.replace(/\s+/g, ' ');
      this.graph.block(unit, `callback passed to ${api}, which is not known to await it (it expects ${verdict.returned}): made async, its promise would float (errors become unhandled rejections, later code stops waiting for its I/O); convert it by hand`);
      return;
    }
    unit.plan = { kind: 'leaf', callee: calleeText };
  }

  /**
   * Suite bodies whose awaited calls move into a hook: each call's statement must move safely
   * (suiteMoves), else the suite stays synchronous as before, with the reason at the call.
   */
  planSuites(): void {
    for (const unit of this.graph.units.values()) {
      const plan = unit.plan;
      if (plan?.kind !== 'suite' || unit.block !== undefined) continue;
      const calls = [...unit.seeds.map((seed) => seed.call), ...this.graph.callSites.filter((site) => site.caller === unit).map((site) => site.call)];
      if (calls.length === 0) continue;
      const moves = suiteMoves(this.checker, unit.node as ts.ArrowFunction | ts.FunctionExpression, calls);
      if (Array.isArray(moves)) {
        plan.moves = moves;
        continue;
      }
      this.graph.block(unit, `${plan.name} body runs synchronously while the tests are collected, and this call can't move into a ${plan.hook} hook: ${moves.reason}; move it into a hook (or into the test that needs it) by hand`, moves.at);
    }
  }

  /**
   * When `call` passes `fn` to a function of this project (a declaration with a body in a file the
   * codemod edits) whose parameter in that position is only ever called directly in its body
   * (`cb(x)`) or handed on in the same position of a recursive call, the calls `cb(…)`; they
   * become the callback's callers (awaited, the function async with the chain). A stop reason
   * when the parameter escapes; undefined when the callee is no such function.
   */
  private parameterCalls(call: ts.CallExpression, fn: ts.ArrowFunction | ts.FunctionExpression): ts.CallExpression[] | string | undefined {
    const index = call.arguments.indexOf(fn);
    if (call.arguments.slice(0, index + 1).some((argument) => ts.isSpreadElement(argument))) return undefined;
    const declaration = this.projectFunction(call.expression);
    if (declaration === undefined || declaration.body === undefined) return undefined;
    const parameter = declaration.parameters[index];
    const name = declaration.name?.getText() ?? 'the function';
    if (parameter === undefined || parameter.dotDotDotToken !== undefined || !ts.isIdentifier(parameter.name)) {
      return `callback passed to ${name}: it reaches no plain parameter there; convert it by hand`;
    }
    const parameterName = parameter.name;
    const symbol = this.checker.getSymbolAtLocation(parameterName);
    if (symbol === undefined) return undefined;
    const where = (node: ts.Node): string => `${this.context.relative(node.getSourceFile().fileName)}:${lineOf(node)}`;
    const calls: ts.CallExpression[] = [];
    let escape: string | undefined;
    const visit = (node: ts.Node): void => {
      if (escape !== undefined) return;
      if (ts.isIdentifier(node) && node.text === 'arguments' && !ts.isArrowFunction(declaration)) {
        escape = `callback passed to ${name}, which reads \`arguments\` (${where(node)}): the callback may be handed on; convert it by hand`;
        return;
      }
      if (ts.isIdentifier(node) && node.text === parameterName.text && node !== parameterName && this.checker.getSymbolAtLocation(node) === symbol) {
        let outer: ts.Node = node;
        while (ts.isParenthesizedExpression(outer.parent)) outer = outer.parent;
        const parent = outer.parent;
        if (ts.isCallExpression(parent) && parent.expression === outer) {
          calls.push(parent);
        } else if (!(ts.isCallExpression(parent) && parent.arguments.indexOf(outer as ts.Expression) === index &&
          !parent.arguments.slice(0, index).some((argument) => ts.isSpreadElement(argument)) &&
          this.projectFunction(parent.expression) === declaration)) {
          escape = `callback passed to ${name}: its parameter ${parameterName.text} is used as a value at ${where(node)} (not only called): calls through it can't be followed; convert it by hand`;
        }
        return;
      }
      ts.forEachChild(node, visit);
    };
    visit(declaration.body);
    return escape ?? calls;
  }

  /** The function of this project a callee names: a function declaration or a variable initialised with a function. */
  private projectFunction(callee: ts.Expression): ts.FunctionDeclaration | ts.FunctionExpression | ts.ArrowFunction | undefined {
    const target = skipParens(callee);
    if (!ts.isIdentifier(target)) return undefined;
    let symbol = this.checker.getSymbolAtLocation(target);
    if (symbol !== undefined && (symbol.flags & ts.SymbolFlags.Alias) !== 0) symbol = this.checker.getAliasedSymbol(symbol);
    const declarations = symbol?.declarations ?? [];
    if (declarations.length !== 1) return undefined;
    const declaration = declarations[0]!;
    const fn = ts.isFunctionDeclaration(declaration) ? declaration
      : ts.isVariableDeclaration(declaration) && declaration.initializer !== undefined &&
        (ts.isFunctionExpression(declaration.initializer) || ts.isArrowFunction(declaration.initializer)) &&
        ts.isVariableDeclarationList(declaration.parent) && (declaration.parent.flags & ts.NodeFlags.Const) !== 0
        ? declaration.initializer : undefined;
    if (fn === undefined || fn.body === undefined || (ts.isFunctionLike(fn) && (fn as ts.FunctionDeclaration).asteriskToken !== undefined)) return undefined;
    return this.context.files.includes(fn.getSourceFile()) ? fn : undefined;
  }

  /**
   * An array by its type (TypeScript, or JSDoc `@type`/`@param` in JavaScript), or, when the type
   * is unknown (any), by where it comes from: an array literal, Array.from/of, Object.keys/values/entries,
   * or the result of .map/.filter/.slice/.concat/.split/.flat, directly or through a variable that is
   * never reassigned. A Map, Set or array-like is not an array: its forEach is not a for…of.
   */
  private isArrayLike(expression: ts.Expression): boolean {
    return this.knownArray(expression, 0);
  }

  private flowsFromArray(expression: ts.Expression, depth: number): boolean {
    const node = skipParens(expression);
    if (ts.isArrayLiteralExpression(node)) return true;
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const owner = node.expression.expression;
      if (ts.isIdentifier(owner) && owner.text === 'Array' && (method === 'from' || method === 'of')) return true;
      if (ts.isIdentifier(owner) && owner.text === 'Object' && (method === 'keys' || method === 'values' || method === 'entries')) return true;
      if (ARRAY_RESULTS.has(method)) return true;
    }
    if (!ts.isIdentifier(node) || depth > 3) return false;
    const declaration = this.checker.getSymbolAtLocation(node)?.valueDeclaration;
    if (declaration !== undefined && ts.isParameter(declaration)) return this.parameterIsArray(declaration, depth);
    if (declaration === undefined || !ts.isVariableDeclaration(declaration) || declaration.initializer === undefined) return false;
    const list = declaration.parent;
    if (!ts.isVariableDeclarationList(list)) return false;
    if ((list.flags & ts.NodeFlags.Const) === 0 && isReassigned(declaration)) return false;
    return this.flowsFromArray(declaration.initializer, depth + 1);
  }

  /**
   * lodash/underscore `_.each(list, fn)` / `_.forEach` / `_.map(list, fn)`: on a known array, with a
   * function callback, they are forEach/map with the collection as first argument. An object
   * (its values are iterated), a string iteratee (a property map), a context argument or a
   * callback returning a value (lodash's each stops at `false`) stay stops.
   */
  private planCollectionHelper(
    unit: Unit, queue: Unit[], fn: ts.ArrowFunction | ts.FunctionExpression, call: ts.CallExpression, name: string, method: 'forEach' | 'map',
  ): void {
    const collection = call.arguments[0]!;
    if (!this.knownArray(collection, 0)) {
      this.graph.block(unit, `${name} on a ${this.checker.typeToString(this.checker.getTypeAtLocation(collection))}, not a known array (on an object it iterates the values): its callbacks would run unawaited; convert it to a for…of loop by hand`);
      return;
    }
    if (method === 'forEach' && !ts.isBlock(fn.body)) {
      this.graph.block(unit, `${name} callback returns a value (lodash's each stops when it is false); convert it by hand`);
      return;
    }
    const problem = this.loopabilityProblem(fn, call, method, collection);
    if (this.context.options.parallelCallbacks) {
      if (problem && !problem.parallelOk) {
        this.graph.block(unit, problem.reason.replace(method, name));
        return;
      }
      unit.plan = { kind: 'promise-all', call, rename: method === 'forEach' };
    } else {
      if (problem) {
        this.graph.block(unit, problem.reason.replace(method, name));
        return;
      }
      if (method === 'forEach') unit.plan = { kind: 'for-of', call, statement: call.parent as ts.ExpressionStatement };
      else unit.plan = { kind: 'map-loop', call, declaration: call.parent as ts.VariableDeclaration | ts.ReturnStatement };
    }
    this.graph.addEdge(this.graph.containerUnit(call), unit, undefined, queue);
  }

  /**
   * An untyped parameter is an array when every call of its function is known (see
   * Callers.argumentsAt) and passes an array (by type, or flowing from one, within the depth
   * limit), and the function never assigns the parameter (nor reads `arguments`, which aliases it).
   */
  private parameterIsArray(parameter: ts.ParameterDeclaration, depth: number): boolean {
    const fn = parameter.parent;
    if (!ts.isIdentifier(parameter.name) || parameter.initializer !== undefined || parameter.dotDotDotToken !== undefined ||
      parameter.questionToken !== undefined) return false;
    if (!(ts.isFunctionDeclaration(fn) || ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || fn.body === undefined) return false;
    if (!ts.isArrowFunction(fn) && usesArguments(fn.body)) return false;
    if (assignsAny(fn.body, new Set([parameter.name.text]))) return false;
    const passed = this.argumentsAt(fn, fn.parameters.indexOf(parameter));
    return passed !== undefined && passed.every((argument) => this.knownArray(argument, depth + 1));
  }

  private knownArray(expression: ts.Expression, depth: number): boolean {
    const type = this.checker.getTypeAtLocation(expression);
    const checker = this.checker as ts.TypeChecker & { isArrayType?(t: ts.Type): boolean; isTupleType?(t: ts.Type): boolean };
    if ((checker.isArrayType?.(type) ?? false) || (checker.isTupleType?.(type) ?? false)) return true;
    if ((type.flags & ts.TypeFlags.Any) === 0) return false;
    return this.flowsFromArray(expression, depth);
  }

  /** Why `list.method(fn)` (or `_.method(collection, fn)`) can't become a for…of. */
  private loopabilityProblem(fn: ts.ArrowFunction | ts.FunctionExpression, call: ts.CallExpression, method: string, collection?: ts.Expression):
    { reason: string; parallelOk: boolean } | undefined {
    const shape = callbackShapeProblem(fn, call, method, collection);
    if (shape !== undefined) return shape;
    if (method === 'forEach') {
      if (!ts.isExpressionStatement(call.parent)) return { reason: 'forEach result is used; convert it by hand', parallelOk: true };
      if (ts.isBlock(fn.body) && returnsWithValue(fn.body)) {
        return { reason: 'forEach callback returns a value; convert it by hand', parallelOk: true };
      }
      if (ts.isBlock(fn.body) && returnsInsideOwnLoop(fn.body)) {
        return { reason: 'forEach callback returns from inside a loop of its own (as a continue it would resume the inner loop); convert it by hand', parallelOk: true };
      }
      return undefined;
    }
    const receiver = collection ?? (call.expression as ts.PropertyAccessExpression).expression;
    const result = loopResultOf(call);
    if (result?.kind === 'const' && fn.parameters.some((p) => boundNames(p.name).includes(result.name))) {
      return { reason: `map callback parameter ${result.name} has the name of the array the loop would fill; rename one of them, or convert it by hand`, parallelOk: true };
    }
    if (result?.kind === 'return' && returnsFromLoopCallback(result.statement)) {
      return { reason: 'map returned by a callback that may itself become a loop (that return would no longer be one): convert it by hand', parallelOk: true };
    }
    if (result === undefined || (ts.isBlock(fn.body) && !mapBlockLoops(fn.body, result.kind === 'const' ? result.name : undefined)) || !isPlainReference(receiver)) {
      return {
        reason: 'map callback whose result feeds an expression: a sequential for…of needs a plain `const x = list.map(v => …)` or `return list.map(v => …)` ' +
          '(a block body must end in `return value;` and return a value everywhere, never from inside a loop of its own); re-run with --parallel-callbacks to use Promise.all, or convert it by hand',
        parallelOk: true,
      };
    }
    return undefined;
  }
}

