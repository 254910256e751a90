import { ts } from 'ts-morph';
import { skipParens, usesThisOrArguments } from './predicates.js';
import { SUITE_NAMES, TEST_NAMES, frameworkOf, rootName, testCallbackOf } from './testCallbacks.js';

/** The hook that runs once before a suite's first test, by the framework its `describe` comes from. */
const SUITE_HOOKS = new Map([
  ['node:test', { module: 'test', hook: 'before' }], ['test', { module: 'test', hook: 'before' }],
  ['vitest', { module: 'vitest', hook: 'beforeAll' }], ['@jest/globals', { module: '@jest/globals', hook: 'beforeAll' }],
  ['bun:test', { module: 'bun:test', hook: 'beforeAll' }],
]);

/** A statement of a suite body moved into a hook: `const` bindings become `let`s assigned there. */
export interface SuiteMove {
  statement: ts.ExpressionStatement | ts.VariableStatement;
  /** For a `const`: the names it binds, declared with `let` where the statement was. */
  names: string[];
}

export interface SuiteHook {
  module: string;
  hook: string;
}

/**
 * The hook a suite body's statements can move into: node:test's `before`, vitest/jest/bun's
 * `beforeAll`, imported by name in the file (the import gains the hook). A global `describe`
 * (mocha or jest: can't tell) or mocha's stays a stop: mocha loads every test file before it runs
 * any test, so a hook runs after other files' tests where the statement ran before them.
 */
export function suiteHookOf(checker: ts.TypeChecker, call: ts.CallExpression): SuiteHook | string {
  const root = rootName(call.expression);
  if (root !== undefined && (root.id.text.startsWith('x') || /\.(skip|todo)\b/.test(call.expression.getText()))) {
    return 'a skipped suite runs no hooks, so the statement would no longer run';
  }
  const framework = root === undefined ? undefined : frameworkOf(checker, root.id);
  const hook = framework === undefined ? undefined : SUITE_HOOKS.get(framework);
  if (hook !== undefined && root !== undefined) {
    // The hook joins the suite function's named import (a new import of node:test needs its `node:` prefix kept).
    const declaration = checker.getSymbolAtLocation(root.id)?.declarations?.[0];
    if (declaration === undefined || !(ts.isImportSpecifier(declaration) || ts.isBindingElement(declaration))) {
      return `${root.id.text} is not imported by name from ${framework}, so the hook's import can't join it`;
    }
  }
  if (hook === undefined) {
    return framework === undefined || framework === 'mocha'
      ? 'with mocha (or a global describe) every test file loads before any test runs, so a hook would run later than this statement'
      : `the test framework (${framework}) is not known`;
  }
  return hook;
}

/** `it(…)`, `describe.only(…)`, `test.each(t)(…)`: a call that registers a test, hook or suite. */
function registration(node: ts.Node): { kind: 'suite' | 'test'; fn: ts.Node | undefined } | undefined {
  if (!ts.isCallExpression(node)) return undefined;
  const root = rootName(node.expression);
  if (root === undefined) return undefined;
  const last = node.arguments[node.arguments.length - 1];
  if (SUITE_NAMES.has(root.id.text)) return { kind: 'suite', fn: last };
  if (TEST_NAMES.has(root.id.text) || root.method === 'test') return { kind: 'test', fn: last };
  return undefined;
}

/** Code that does nothing observable while the tests are collected (literals, functions, plain reads). */
function isPure(node: ts.Expression): boolean {
  const e = skipParens(node);
  if (ts.isArrowFunction(e) || ts.isFunctionExpression(e) || ts.isIdentifier(e) || ts.isLiteralExpression(e) ||
    ts.isNoSubstitutionTemplateLiteral(e)) return true;
  const kind = e.kind;
  if (kind === ts.SyntaxKind.TrueKeyword || kind === ts.SyntaxKind.FalseKeyword || kind === ts.SyntaxKind.NullKeyword) return true;
  if (ts.isArrayLiteralExpression(e)) return e.elements.every((x) => !ts.isSpreadElement(x) && isPure(x));
  if (ts.isObjectLiteralExpression(e)) {
    return e.properties.every((p) => (ts.isPropertyAssignment(p) && !ts.isComputedPropertyName(p.name) && isPure(p.initializer)) ||
      ts.isShorthandPropertyAssignment(p) || ts.isMethodDeclaration(p));
  }
  return false;
}

/** A statement that runs nothing at collection time but registrations (whose tests and hooks run later). */
function isInert(statement: ts.Statement): boolean {
  if (ts.isFunctionDeclaration(statement) || ts.isImportDeclaration(statement) || ts.isInterfaceDeclaration(statement) ||
    ts.isTypeAliasDeclaration(statement) || ts.isEmptyStatement(statement)) return true;
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.every((d) => d.initializer === undefined || isPure(d.initializer));
  }
  if (!ts.isExpressionStatement(statement)) return false;
  const found = registration(statement.expression);
  if (found === undefined) return false;
  const call = statement.expression as ts.CallExpression;
  if (!ts.isCallExpression(call) || !call.arguments.every((a) => a === found.fn || isPure(a))) return false;
  if (found.kind === 'test') return found.fn !== undefined && (ts.isArrowFunction(found.fn) || ts.isFunctionExpression(found.fn));
  const fn = found.fn;
  return fn !== undefined && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) &&
    (!ts.isBlock(fn.body) || fn.body.statements.every(isInert));
}

/**
 * The moves that take the suite body's awaited calls (`calls`) into hooks, or why they can't. A
 * hook runs after the whole file is collected, just before the suite's first test; the statement
 * ran while the file was collected. So the move keeps the order of everything observable: no
 * test, hook or suite is registered before it (in this body or around it), and what is collected
 * after it (in this body and around it) is inert: declarations, functions, registrations.
 */
export function suiteMoves(checker: ts.TypeChecker, fn: ts.ArrowFunction | ts.FunctionExpression, calls: readonly ts.Node[]):
  SuiteMove[] | { reason: string; at: ts.Node } {
  if (!ts.isBlock(fn.body)) return { reason: 'the suite body is an expression', at: fn };
  const body = fn.body;
  const moves = new Map<ts.Statement, SuiteMove>();
  for (const call of calls) {
    let statement: ts.Node = call;
    while (statement.parent !== body) statement = statement.parent;
    if (moves.has(statement as ts.Statement)) continue;
    const problem = moveProblem(checker, fn, statement as ts.Statement);
    if (typeof problem === 'string') return { reason: problem, at: call };
    moves.set(statement as ts.Statement, problem);
  }
  // The order of what runs at collection time around the suite.
  for (const statement of moves.keys()) {
    const index = body.statements.indexOf(statement);
    const before = body.statements.slice(0, index).find((s) => containsRegistration(s));
    if (before !== undefined) return { reason: `a test, hook or suite is registered before it (line ${lineOf(before)}), which would then run before the hook`, at: statement };
    const after = body.statements.slice(index + 1).find((s) => !moves.has(s) && !isInert(s));
    if (after !== undefined) return { reason: `line ${lineOf(after)} runs after it while the tests are collected, and would then run before the hook`, at: statement };
  }
  const around = aroundProblem(fn);
  if (around !== undefined) return { reason: around, at: [...moves.keys()][0]! };
  return [...moves.values()];
}

function lineOf(node: ts.Node): number {
  const sf = node.getSourceFile();
  return sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
}

function containsRegistration(node: ts.Node): boolean {
  if (registration(node) !== undefined) return true;
  if (ts.isFunctionLike(node)) return false;
  return ts.forEachChild(node, (child) => containsRegistration(child) || undefined) === true;
}

/** The suite's own `describe(…)` statement and the ones around it, up to the file: the same order rules. */
function aroundProblem(fn: ts.ArrowFunction | ts.FunctionExpression): string | undefined {
  let inner: ts.Node = fn;
  for (;;) {
    const call = inner.parent;
    if (!ts.isCallExpression(call) || !ts.isExpressionStatement(call.parent)) return 'the suite is not a plain describe(…) statement';
    const statement = call.parent;
    const list = statement.parent;
    const statements = ts.isSourceFile(list) || ts.isBlock(list) ? list.statements : undefined;
    if (statements === undefined) return 'the suite is not a plain describe(…) statement';
    const index = statements.indexOf(statement);
    const before = statements.slice(0, index).find((s) => containsRegistration(s));
    if (before !== undefined) return `a test, hook or suite is registered before this suite (line ${lineOf(before)}), which would then run before the hook`;
    const after = statements.slice(index + 1).find((s) => !isInert(s));
    if (after !== undefined) return `line ${lineOf(after)} runs after this suite is collected, and would then run before the hook`;
    if (ts.isSourceFile(list)) return undefined;
    const outer = list.parent;
    if (!(ts.isArrowFunction(outer) || ts.isFunctionExpression(outer))) return 'the suite is not a plain describe(…) statement';
    inner = outer;
  }
}

/** The move of one statement: an expression statement, or a `const` used only by tests and hooks (JavaScript). */
function moveProblem(checker: ts.TypeChecker, suite: ts.ArrowFunction | ts.FunctionExpression, statement: ts.Statement): SuiteMove | string {
  if (usesThisOrArguments(statement)) return 'it uses this/arguments, which a hook\'s arrow function would change';
  if (containsRegistration(statement)) return 'it registers tests while they are collected';
  if (ts.isExpressionStatement(statement)) return { statement, names: [] };
  if (!ts.isVariableStatement(statement)) return 'only an expression statement or a `const` moves into a hook';
  const list = statement.declarationList;
  if ((list.flags & ts.NodeFlags.Const) === 0 || list.declarations.length !== 1) return 'only a single `const` declaration moves into a hook';
  if (!/\.(c|m)?jsx?$/.test(statement.getSourceFile().fileName)) return 'in TypeScript the `let` it would become needs a type annotation';
  if (statement.modifiers !== undefined && statement.modifiers.length > 0) return 'the declaration has modifiers';
  const declaration = list.declarations[0]!;
  const names: ts.Identifier[] = [];
  const collect = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.push(name);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) collect(element.name);
  };
  collect(declaration.name);
  for (const name of names) {
    const symbol = checker.getSymbolAtLocation(name);
    if (symbol === undefined) return `can't resolve ${name.text}`;
    const early = findEarlyUse(checker, suite.body, symbol, name);
    if (early !== undefined) return `${name.text} is used at line ${lineOf(early)} while the tests are collected (outside a test or hook), before a hook could set it`;
  }
  return { statement, names: names.map((n) => n.text) };
}

/** A reference to `symbol` not inside a test or hook callback (so it may run at collection time). */
function findEarlyUse(checker: ts.TypeChecker, root: ts.Node, symbol: ts.Symbol, declared: ts.Identifier): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (found !== undefined) return;
    if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && ts.isCallExpression(node.parent) &&
      testCallbackOf(checker, node.parent, node)?.kind === 'test') return;
    if (ts.isIdentifier(node) && node !== declared) {
      const s = checker.getSymbolAtLocation(node);
      const target = s !== undefined && ts.isShorthandPropertyAssignment(node.parent) && node.parent.name === node
        ? checker.getShorthandAssignmentValueSymbol(node.parent) : s;
      if (target === symbol) found = node;
    }
    ts.forEachChild(node, visit);
  };
  visit(root);
  return found;
}
