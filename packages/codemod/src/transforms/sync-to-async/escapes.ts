import { ts } from 'ts-morph';
import { skipParens } from './predicates.js';
import { rootName } from './testCallbacks.js';

/** Methods that the runtime or libraries call by name on objects handed to them. */
const PROTOCOL_METHODS = new Set([
  'toString', 'valueOf', 'toJSON', 'then', 'inspect', '_read', '_write', '_writev', '_transform', '_flush', '_final', '_destroy',
  'handleEvent',
]);

/**
 * Where a member's callers may be out of sight: it is a protocol method (`toJSON`, `then`, a
 * stream's `_transform`) called implicitly, or it belongs to an object literal that is handed
 * to other code (a call argument, an array element, a spread), directly, through the variable
 * holding it, or through the module it is exported as (`require`/`import` of its file).
 */
export class Escapes {
  private readonly requireCache = new Map<ts.SourceFile, ts.Node[]>();

  constructor(
    private readonly checker: ts.TypeChecker, private readonly program: ts.Program,
    private readonly index: () => Map<string, ts.Identifier[]>,
  ) {}

  /** The node where the member's object escapes (or the member itself for a protocol method), if any. */
  escapeOf(member: ts.NamedDeclaration): { at: ts.Node; why: string } | undefined {
    const name = member.name;
    if (name !== undefined && ts.isIdentifier(name) && PROTOCOL_METHODS.has(name.text) &&
      (ts.isMethodDeclaration(member) || ts.isPropertyDeclaration(member) || ts.isPropertyAssignment(member))) {
      return { at: name, why: `${name.text} is called implicitly by the runtime or libraries` };
    }
    const object = member.parent;
    if (!ts.isObjectLiteralExpression(object)) return undefined;
    const memberName = name !== undefined && ts.isIdentifier(name) ? name.text : undefined;
    const direct = this.escapingUse(object, memberName);
    if (direct !== undefined) return { at: direct.at, why: direct.why ?? 'its object is handed to other code' };
    return this.escapeThroughHolders(this.holders(object), 'its object', memberName);
  }

  /**
   * Where a CommonJS module's exports object is handed to other code (`sinon.stub(config, 'get')`,
   * `Object.assign({}, utils)`): a function exported as `exports.name = …` may then be called,
   * or replaced, out of sight.
   */
  moduleEscapeOf(sf: ts.SourceFile, member: string | undefined): { at: ts.Node; why: string } | undefined {
    return this.escapeThroughHolders(this.moduleHolders(sf), 'its module object', member);
  }

  /** The first place where one of these variables (by reference, not by name) is handed to other code. */
  private escapeThroughHolders(holders: readonly ts.Node[], what: string, member: string | undefined): { at: ts.Node; why: string } | undefined {
    for (const holder of holders) {
      const holderName = (holder as ts.NamedDeclaration).name;
      if (holderName === undefined || !ts.isIdentifier(holderName)) continue;
      for (const id of this.index().get(holderName.text) ?? []) {
        if (id === holderName) continue;
        const symbol = this.checker.getSymbolAtLocation(id);
        if (symbol === undefined || !(symbol.declarations ?? []).includes(holder as ts.Declaration)) continue;
        const use = this.escapingUse(id, member);
        if (use !== undefined) return { at: use.at, why: use.why ?? `${what} (${holderName.text}) is handed to other code` };
      }
    }
    return undefined;
  }

  /** The variables that hold `object`: its own declaration, and (when it is module.exports) those holding the module. */
  private holders(object: ts.ObjectLiteralExpression): ts.Node[] {
    const holders: ts.Node[] = [];
    let node: ts.Node = object;
    let exported = false;
    while (ts.isParenthesizedExpression(node.parent) || (ts.isBinaryExpression(node.parent) &&
      node.parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && node.parent.right === node)) {
      if (ts.isBinaryExpression(node.parent) && node.parent.left.getText() === 'module.exports') exported = true;
      node = node.parent;
    }
    if (ts.isVariableDeclaration(node.parent) && node.parent.initializer === node) holders.push(node.parent);
    if (ts.isExportAssignment(node.parent)) exported = true;
    if (exported) holders.push(...this.moduleHolders(object.getSourceFile()));
    return holders;
  }

  /** Variables initialised with `require(<file>)` or imported as the whole module/default from it. */
  private moduleHolders(sf: ts.SourceFile): ts.Node[] {
    const cached = this.requireCache.get(sf);
    if (cached !== undefined) return cached;
    const found: ts.Node[] = [];
    for (const other of this.program.getSourceFiles()) {
      if (other.isDeclarationFile || /[\\/]node_modules[\\/]/.test(other.fileName)) continue;
      const visit = (node: ts.Node): void => {
        if (ts.isVariableDeclaration(node) && node.initializer !== undefined) {
          const init = skipParens(node.initializer);
          if (ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require' &&
            init.arguments.length === 1 && this.resolvesTo(init.arguments[0]!, sf)) found.push(node);
        }
        if (ts.isImportDeclaration(node) && node.importClause !== undefined && this.resolvesTo(node.moduleSpecifier, sf)) {
          const clause = node.importClause;
          if (clause.name !== undefined) found.push(clause);
          if (clause.namedBindings !== undefined && ts.isNamespaceImport(clause.namedBindings)) found.push(clause.namedBindings);
        }
        ts.forEachChild(node, visit);
      };
      visit(other);
    }
    this.requireCache.set(sf, found);
    return found;
  }

  /**
   * `x` handed on: a call/new argument, an array element, a spread. A mocking call is not an
   * escape for the members it doesn't name: node:test's `mock.method(obj, 'name', …)`, sinon's
   * `stub/spy/replace(obj, 'name', …)`, jest/vitest's `spyOn(obj, 'name')` replace that one
   * property and call none of the object's other methods. The mocked member itself stays a stop:
   * the test's stub keeps the old synchronous contract (typed mocks such as
   * `mockReturnValue('x')` no longer fit, a spy's recorded results become promises).
   */
  private escapingUse(expression: ts.Node, member: string | undefined): { at: ts.Node; why?: string } | undefined {
    const use = escapingUse(expression);
    if (use === undefined || !ts.isCallExpression(use)) return use === undefined ? undefined : { at: use };
    const mock = mockingCall(this.checker, use, expression);
    if (mock === undefined) return { at: use };
    if (mock.mocked !== undefined && mock.mocked !== member) return undefined;
    return {
      at: use,
      why: mock.mocked === undefined ? `its object is mocked as a whole (${mock.api})`
        : `it is replaced by a mock (${mock.api}), which keeps its synchronous contract in the tests`,
    };
  }

  private resolvesTo(specifier: ts.Expression, sf: ts.SourceFile): boolean {
    if (!ts.isStringLiteralLike(specifier)) return false;
    return this.checker.getSymbolAtLocation(specifier)?.valueDeclaration === sf;
  }
}

/** `x` handed on: a call/new argument, an array element, a spread. Returns the using expression. */
function escapingUse(expression: ts.Node): ts.Node | undefined {
  let node = expression;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(node as ts.Expression)) return parent;
  if (ts.isArrayLiteralExpression(parent) || ts.isSpreadElement(parent) || ts.isSpreadAssignment(parent)) return parent;
  return undefined;
}

const NODE_TEST = new Set(['node:test', 'test']);
const NODE_TEST_TYPES = /[\\/]@types[\\/]node[\\/]test\.d\.ts$/;
const SINON_METHODS = new Set(['stub', 'spy', 'replace', 'replaceGetter', 'replaceSetter']);

/**
 * A mocking API called with `object` as its first argument: node:test's `mock.method/getter/setter`
 * (`t.mock` or `mock` from node:test), sinon's `stub/spy/replace…` (on `sinon` or a sandbox it
 * created), jest's or vitest's `spyOn`. `mocked` is the member named by a string literal second
 * argument (none: the whole object, or a name the codemod can't read).
 */
export function mockingCall(checker: ts.TypeChecker, call: ts.CallExpression, object: ts.Node): { api: string; mocked: string | undefined } | undefined {
  let node = object;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  if (call.arguments[0] !== node) return undefined;
  const callee = skipParens(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  const receiver = skipParens(callee.expression);
  const second = call.arguments[1];
  const mocked = second !== undefined && ts.isStringLiteralLike(second) ? second.text : undefined;
  const api = `${callee.getText().replace(/\s+/g, '')}(…)`;
  if (['method', 'getter', 'setter'].includes(method) && isNodeTestMock(checker, receiver)) return { api, mocked };
  if (SINON_METHODS.has(method) && isSinon(checker, receiver)) return { api, mocked };
  if (method === 'spyOn' && ts.isIdentifier(receiver) && isFrameworkGlobal(checker, receiver, receiver.text === 'vi' ? 'vitest' : receiver.text === 'jest' ? '@jest/globals' : undefined)) {
    return { api, mocked };
  }
  return undefined;
}

/** `t.mock` (a test context's MockTracker) or `mock` imported from node:test. */
function isNodeTestMock(checker: ts.TypeChecker, receiver: ts.Expression): boolean {
  const symbol = checker.getTypeAtLocation(receiver).getSymbol();
  if (symbol?.getName() === 'MockTracker' && (symbol.declarations ?? []).some((d) => NODE_TEST_TYPES.test(d.getSourceFile().fileName))) return true;
  if (ts.isIdentifier(receiver)) return receiver.text === 'mock' && NODE_TEST.has(importedFrom(checker, receiver) ?? '');
  return ts.isPropertyAccessExpression(receiver) && receiver.name.text === 'mock' && ts.isIdentifier(receiver.expression) &&
    isTestContextParameter(checker, receiver.expression);
}

/** `t` in `test('…', (t) => …)` with `test` (or `it`, `describe`, …) from node:test: the test context. */
function isTestContextParameter(checker: ts.TypeChecker, id: ts.Identifier): boolean {
  let scope: ts.Node | undefined = id.parent;
  while (scope !== undefined) {
    if ((ts.isArrowFunction(scope) || ts.isFunctionExpression(scope)) && scope.parameters[0] !== undefined &&
      ts.isIdentifier(scope.parameters[0].name) && scope.parameters[0].name.text === id.text) {
      const call = scope.parent;
      if (!ts.isCallExpression(call) || call.arguments[call.arguments.length - 1] !== scope) return false;
      const root = rootName(call.expression);
      return root !== undefined && NODE_TEST.has(importedFrom(checker, root.id) ?? '');
    }
    scope = scope.parent;
  }
  return false;
}

/** `sinon` imported/required from sinon, or a sandbox made by its createSandbox(). */
function isSinon(checker: ts.TypeChecker, receiver: ts.Expression): boolean {
  if (!ts.isIdentifier(receiver)) return false;
  if (importedFrom(checker, receiver) === 'sinon') return true;
  const declaration = checker.getSymbolAtLocation(receiver)?.valueDeclaration;
  if (declaration === undefined || !ts.isVariableDeclaration(declaration) || declaration.initializer === undefined) return false;
  const init = skipParens(declaration.initializer);
  return ts.isCallExpression(init) && ts.isPropertyAccessExpression(init.expression) && init.expression.name.text === 'createSandbox' &&
    ts.isIdentifier(init.expression.expression) && importedFrom(checker, init.expression.expression) === 'sinon';
}

/** `jest`/`vi`: a global (declared by a types package, or not at all) or imported from the framework. */
function isFrameworkGlobal(checker: ts.TypeChecker, id: ts.Identifier, module: string | undefined): boolean {
  if (module === undefined) return false;
  const declaration = checker.getSymbolAtLocation(id)?.declarations?.[0];
  if (declaration === undefined || /[\\/]node_modules[\\/]/.test(declaration.getSourceFile().fileName)) return true;
  return importedFrom(checker, id) === module;
}

/** The module an identifier is imported or required from (`import x from 'm'`, `const x = require('m')`). */
export function importedFrom(checker: ts.TypeChecker, id: ts.Identifier): string | undefined {
  const declaration = checker.getSymbolAtLocation(id)?.declarations?.[0];
  let node: ts.Node | undefined = declaration;
  while (node !== undefined && !ts.isImportDeclaration(node) && !ts.isVariableDeclaration(node) && !ts.isSourceFile(node)) node = node.parent;
  if (node === undefined || ts.isSourceFile(node)) return undefined;
  if (ts.isImportDeclaration(node)) return ts.isStringLiteral(node.moduleSpecifier) ? node.moduleSpecifier.text : undefined;
  const init = node.initializer === undefined ? undefined : skipParens(node.initializer);
  if (init !== undefined && ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require' &&
    init.arguments.length === 1 && ts.isStringLiteral(init.arguments[0]!)) return init.arguments[0].text;
  return undefined;
}
