import { ts } from 'ts-morph';

/** Tests and hooks: mocha, jest, vitest, node:test, ava and tap all await a promise-returning callback. */
export const TEST_NAMES = new Set([
  'it', 'test', 'specify', 'before', 'after', 'beforeEach', 'afterEach', 'beforeAll', 'afterAll', 'xit', 'fit', 'xtest',
  'xspecify',
]);
/** Suites: their bodies run synchronously while the tests are collected. */
export const SUITE_NAMES = new Set(['describe', 'context', 'suite', 'xdescribe', 'fdescribe', 'xcontext']);
/** Where imported test functions come from, and whether the callback's first parameter is mocha/jest's `done`. */
const FRAMEWORKS = new Map<string, 'done-first' | 'context-first' | 'done-second' | 'no-done'>([
  ['mocha', 'done-first'], ['@jest/globals', 'done-first'], ['vitest', 'context-first'], ['bun:test', 'done-first'],
  ['node:test', 'done-second'], ['test', 'done-second'], ['ava', 'no-done'], ['tap', 'no-done'],
]);
const TEST_FILE = /(^|[\\/])(tests?|specs?|__tests__)[\\/]|\.(test|spec)\.[cm]?[jt]sx?$/;

export type TestCallback =
  | { kind: 'test'; name: string; doneParameter: ts.ParameterDeclaration | undefined }
  | { kind: 'suite'; name: string };

/**
 * Whether `fn`, an argument of `call`, is a test-framework callback: a test or hook (may become
 * async unless it takes mocha/jest's `done`) or a suite body (must stay synchronous). Globals
 * (mocha/jest, no import) count in test files; imports count from the known frameworks.
 */
export function testCallbackOf(checker: ts.TypeChecker, call: ts.CallExpression, fn: ts.ArrowFunction | ts.FunctionExpression): TestCallback | undefined {
  if (call.arguments[call.arguments.length - 1] !== fn) return undefined;
  const root = rootName(call.expression);
  if (root === undefined) return undefined;
  const { id, method, table } = root;
  const sf = call.getSourceFile();
  let style: 'done-first' | 'context-first' | 'done-second' | 'no-done' | undefined;
  let name = id.text;
  if (method === 'test' && id !== call.expression) {
    // tap's t.test(name, fn) on the test object of an enclosing test.
    if (!TEST_FILE.test(sf.fileName) && frameworkOf(checker, id) === undefined) return undefined;
    return { kind: 'test', name: `${id.text}.test`, doneParameter: undefined };
  }
  if (!TEST_NAMES.has(name) && !SUITE_NAMES.has(name)) return undefined;
  const framework = frameworkOf(checker, id);
  if (framework === 'local') return undefined;
  if (framework === undefined) {
    if (!TEST_FILE.test(sf.fileName)) return undefined;
    style = 'done-first';
  } else {
    style = FRAMEWORKS.get(framework);
    if (style === undefined) return undefined;
  }
  name = call.expression.getText().replace(/\s+/g, '').slice(0, 40);
  if (SUITE_NAMES.has(id.text)) return { kind: 'suite', name };
  const doneIndex = style === 'done-first' ? 0 : style === 'done-second' ? 1 : -1;
  // test.each(table)(name, fn): the parameters are the table's columns.
  return { kind: 'test', name, doneParameter: doneIndex >= 0 && !table ? fn.parameters[doneIndex] : undefined };
}

/** `it`, `it.only`, `test.each(table)`, `t.test`: the identifier the callee starts from, and the last member name. */
export function rootName(callee: ts.Expression): { id: ts.Identifier; method: string | undefined; table: boolean } | undefined {
  let current = callee;
  let method: string | undefined;
  let table = false;
  for (;;) {
    if (ts.isIdentifier(current)) return { id: current, method, table };
    if (ts.isPropertyAccessExpression(current)) {
      method ??= current.name.text;
      current = current.expression;
    } else if (ts.isCallExpression(current)) {
      table = true;
      current = current.expression;
    } else {
      return undefined;
    }
  }
}

/** The framework module an identifier is imported from; undefined for a global; 'local' for a local declaration. */
export function frameworkOf(checker: ts.TypeChecker, id: ts.Identifier): string | undefined {
  const symbol = checker.getSymbolAtLocation(id);
  const declaration = symbol?.declarations?.[0];
  if (declaration === undefined) return undefined;
  // Globals declared by a types package (@types/mocha, @types/jest, vitest/globals).
  if (/[\\/]node_modules[\\/]/.test(declaration.getSourceFile().fileName)) return undefined;
  let node: ts.Node | undefined = declaration;
  while (node !== undefined && !ts.isImportDeclaration(node) && !ts.isVariableDeclaration(node)) node = node.parent;
  if (node !== undefined && ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) return node.moduleSpecifier.text;
  if (node !== undefined && ts.isVariableDeclaration(node) && node.initializer !== undefined) {
    // const { it } = require('node:test') / const test = require('ava')
    const init = node.initializer;
    if (ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require' &&
      init.arguments.length === 1 && ts.isStringLiteral(init.arguments[0]!)) return init.arguments[0].text;
  }
  return 'local';
}
