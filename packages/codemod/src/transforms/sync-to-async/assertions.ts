import { ts } from 'ts-morph';
import type { TransformContext } from '../Transform.js';
import { lineOf, skipParens } from './predicates.js';
import { frameworkOf, rootName } from './testCallbacks.js';
import type { CallGraph, Unit } from './units.js';

/**
 * Assertions that call a function and check whether it throws, with their async twins. A twin
 * validates the rejection exactly as the original validates the throw (node:assert's throws and
 * rejects share one matcher implementation: RegExp, class, validation function, object, message;
 * ava's expectations object is the same for throws and throwsAsync) and returns the same thing
 * (ava: the error) once awaited. Given an async function, a twin never sees a synchronous throw
 * or a non-promise return: a throw inside it becomes the rejection the twin checks.
 */
const NODE_ASSERT = new Map([['throws', 'rejects'], ['doesNotThrow', 'doesNotReject']]);
const AVA = new Map([['throws', 'throwsAsync'], ['notThrows', 'notThrowsAsync']]);
const NODE_ASSERT_MODULES = new Set(['assert', 'node:assert', 'assert/strict', 'node:assert/strict']);
const NODE_ASSERT_TYPES = /[\\/]@types[\\/]node[\\/](assert([\\/]strict)?|test)\.d\.ts$/;
const AVA_TYPES = /[\\/]node_modules[\\/]ava[\\/]/;

export interface AssertionTwin {
  /** The method name to replace (`throws` in `assert.throws`). */
  name: ts.Identifier;
  twin: string;
  api: 'node:assert' | 'ava';
}

/**
 * `assert.throws(fn, …)` (node:assert, node:assert/strict, `assert.strict`, node:test's
 * `t.assert`) or ava's `t.throws(fn, …)` with `fn` its first argument, when the assertion API is
 * identified: by the declaration the checker resolves the method to, or by the import/require
 * of node:assert, or `t` being the first parameter of a test callback of ava.
 */
export function assertionTwinOf(checker: ts.TypeChecker, call: ts.CallExpression, fn: ts.Node): AssertionTwin | undefined {
  if (call.arguments[0] !== fn) return undefined;
  const callee = skipParens(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.name)) return undefined;
  const name = callee.name;
  const declarationFiles = (checker.getSymbolAtLocation(name)?.declarations ?? []).map((d) => d.getSourceFile().fileName);
  const nodeTwin = NODE_ASSERT.get(name.text);
  if (nodeTwin !== undefined && (declarationFiles.some((f) => NODE_ASSERT_TYPES.test(f)) || isNodeAssertModule(checker, callee.expression))) {
    return { name, twin: nodeTwin, api: 'node:assert' };
  }
  const avaTwin = AVA.get(name.text);
  if (avaTwin !== undefined && (declarationFiles.some((f) => AVA_TYPES.test(f)) || isAvaContext(checker, callee.expression))) {
    return { name, twin: avaTwin, api: 'ava' };
  }
  return undefined;
}

/** `assert` imported/required from node:assert (or its `.strict`). */
function isNodeAssertModule(checker: ts.TypeChecker, expression: ts.Expression): boolean {
  let node = skipParens(expression);
  if (ts.isPropertyAccessExpression(node) && node.name.text === 'strict') node = skipParens(node.expression);
  if (!ts.isIdentifier(node)) return false;
  const framework = frameworkOf(checker, node);
  return framework !== undefined && NODE_ASSERT_MODULES.has(framework);
}

/** `t`, the first parameter of a callback passed to ava's `test` (`test.serial`, `test.only`, …). */
function isAvaContext(checker: ts.TypeChecker, expression: ts.Expression): boolean {
  const node = skipParens(expression);
  if (!ts.isIdentifier(node)) return false;
  const declaration = checker.getSymbolAtLocation(node)?.valueDeclaration;
  if (declaration === undefined || !ts.isParameter(declaration) || !ts.isIdentifier(declaration.name)) return false;
  const fn = declaration.parent;
  if (!(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || fn.parameters[0] !== declaration) return false;
  const call = fn.parent;
  if (!ts.isCallExpression(call) || call.arguments[call.arguments.length - 1] !== fn) return false;
  const root = rootName(call.expression);
  return root !== undefined && frameworkOf(checker, root.id) === 'ava';
}

/** chai's language chains, which change nothing between `expect(f)`/`f.should` and the assertion. */
const CHAI_CHAINS = new Set(['to', 'be', 'been', 'is', 'that', 'which', 'and', 'has', 'have', 'with', 'at', 'of', 'same', 'but', 'does', 'still', 'also']);
const CHAI_THROW = new Set(['throw', 'throws', 'Throw']);
const JEST_THROW = new Set(['toThrow', 'toThrowError']);

export interface NoThrowAssertion {
  /** The assertion's call, a whole statement. */
  call: ts.CallExpression;
  /** `f` as written there, with any parentheses around it. */
  subject: ts.Expression;
  /** jest/vitest's `toThrow`: an `expect` that `expect.assertions(n)`/`hasAssertions()` count. */
  counted: boolean;
}

/**
 * `f.should.not.throw()`, `expect(f).to.not.throw()` / `expect(f, message)…` (chai) or
 * `expect(f).not.toThrow()` (jest, vitest) as a whole statement, with `reference` as `f`: an
 * assertion that calls `f` with no arguments and no `this` and only checks that the call doesn't
 * throw. Once `f` is async, `await f()` in its place checks the same thing, since a test fails
 * with `f`'s error either way (while the assertion itself would pass on the promise and check
 * nothing). `f` must be a plain name or a function written there: `obj.m` would be called with
 * `obj` as `this`, and `o?.m` would no longer fail when `o` is nullish.
 */
export function noThrowAssertion(reference: ts.Expression): NoThrowAssertion | undefined {
  if (!(ts.isIdentifier(reference) || ts.isArrowFunction(reference) || ts.isFunctionExpression(reference))) return undefined;
  let subject: ts.Expression = reference;
  while (ts.isParenthesizedExpression(subject.parent)) subject = subject.parent;
  const start = subject.parent;
  let node: ts.Node;
  let expectArguments = 0;
  if (ts.isPropertyAccessExpression(start) && start.expression === subject && start.name.text === 'should') {
    node = start;
  } else if (ts.isCallExpression(start) && start.arguments[0] === subject && ts.isIdentifier(start.expression) && start.expression.text === 'expect') {
    node = start;
    expectArguments = start.arguments.length;
  } else {
    return undefined;
  }
  let negations = 0;
  for (;;) {
    const access = node.parent;
    if (!ts.isPropertyAccessExpression(access) || access.expression !== node) return undefined;
    const word = access.name.text;
    const call = access.parent;
    if (ts.isCallExpression(call) && call.expression === access) {
      const chai = CHAI_THROW.has(word) && expectArguments <= 2;
      const jest = JEST_THROW.has(word) && expectArguments <= 1;
      const statement = ts.isExpressionStatement(call.parent) && call.parent.expression === call;
      return (chai || jest) && negations === 1 && call.arguments.length === 0 && statement ? { call, subject, counted: jest } : undefined;
    }
    if (word === 'not') negations++;
    else if (!CHAI_CHAINS.has(word)) return undefined;
    node = access;
  }
}

const counting = new WeakMap<ts.Program, string | null>();

/**
 * Where the project counts assertions (`expect.assertions(n)`, `expect.hasAssertions()`, also in
 * a setup file that runs before every test): `file:line`, or undefined. Replacing an `expect`
 * there would change the count a test checks.
 */
function assertionCounting(context: TransformContext): string | undefined {
  const program = context.program;
  let found = counting.get(program);
  if (found === undefined) {
    found = null;
    for (const sf of program.getSourceFiles()) {
      if (sf.isDeclarationFile || /[\\/]node_modules[\\/]/.test(sf.fileName)) continue;
      const at = sf.text.search(/\bexpect\s*\.\s*(assertions|hasAssertions)\s*\(/);
      if (at < 0) continue;
      found = `${context.relative(sf.fileName)}:${sf.getLineAndCharacterOfPosition(at).line + 1}`;
      break;
    }
    counting.set(program, found);
  }
  return found ?? undefined;
}

/**
 * Makes the no-throw assertion on `unit` (named `name` in a stop) its call site, which becomes
 * `await f()`; or stops `unit` there when the assertion is an `expect` the project counts.
 * Returns whether it linked.
 */
export function linkNoThrowAssertion(graph: CallGraph, context: TransformContext, unit: Unit, name: string, assertion: NoThrowAssertion, queue: Unit[]): boolean {
  const countedAt = assertion.counted ? assertionCounting(context) : undefined;
  if (countedAt !== undefined) {
    const call = assertion.call;
    const where = `${context.relative(call.getSourceFile().fileName)}:${lineOf(call)}`;
    graph.block(unit, `${name} is checked by ${call.getText().replace(/\s+/g, '').slice(0, 60)} at ${where}, and the project counts assertions (expect.assertions/hasAssertions at ${countedAt}): calling it there instead would change the count; convert it by hand`);
    return false;
  }
  graph.addEdge(graph.containerUnit(assertion.call), unit, assertion.call, queue, assertion.subject);
  return true;
}
