import { ts } from 'ts-morph';
import { isInsideTry } from '../../shared/syntax.js';

export type FunctionNode =
  | ts.FunctionDeclaration | ts.MethodDeclaration | ts.ArrowFunction | ts.FunctionExpression | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration | ts.SetAccessorDeclaration;

/** Array methods whose callback result is used synchronously: an async callback would break them. */
export const SYNC_ONLY_CALLBACKS = new Set([
  'filter', 'find', 'findIndex', 'findLast', 'findLastIndex', 'some', 'every', 'sort', 'toSorted', 'reduce',
  'reduceRight', 'flatMap',
]);

export function isFunctionWithBody(node: ts.Node): node is FunctionNode {
  return (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node) ||
    ts.isConstructorDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) && node.body !== undefined;
}

export function isMemberDeclaration(node: ts.Node): boolean {
  return ts.isMethodDeclaration(node) || ts.isPropertyDeclaration(node) || ts.isMethodSignature(node) || ts.isPropertySignature(node) ||
    ts.isPropertyAssignment(node);
}

export function skipParens(node: ts.Expression): ts.Expression {
  let current = node;
  while (ts.isParenthesizedExpression(current)) current = current.expression;
  return current;
}

export function isCommonJsExport(id: ts.Identifier): boolean {
  let node: ts.Node = id;
  while (ts.isShorthandPropertyAssignment(node.parent) || ts.isPropertyAssignment(node.parent) || ts.isObjectLiteralExpression(node.parent)) {
    node = node.parent;
  }
  const parent = node.parent;
  if (!ts.isBinaryExpression(parent) || parent.operatorToken.kind !== ts.SyntaxKind.EqualsToken || parent.right !== node) return false;
  const left = parent.left.getText();
  return left === 'module.exports' || left.startsWith('exports.') || left.startsWith('module.exports.');
}

export function acceptsAnything(type: ts.Type): boolean {
  return (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Void | ts.TypeFlags.Undefined)) !== 0;
}

export function usesThisOrArguments(node: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (n.kind === ts.SyntaxKind.ThisKeyword || (ts.isIdentifier(n) && n.text === 'arguments')) {
      found = true;
      return;
    }
    if (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isClassLike(n)) return;
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

export function ownReturns(body: ts.Block): ts.ReturnStatement[] {
  const found: ts.ReturnStatement[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isReturnStatement(n)) found.push(n);
    if (ts.isFunctionLike(n) || ts.isClassLike(n)) return;
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
  return found;
}

export function returnsWithValue(body: ts.Block): boolean {
  return ownReturns(body).some((r) => r.expression !== undefined);
}

export function isPlainReference(node: ts.Expression): boolean {
  if (ts.isIdentifier(node) || node.kind === ts.SyntaxKind.ThisKeyword) return true;
  return ts.isPropertyAccessExpression(node) && isPlainReference(node.expression);
}

/** `return f()` outside a try returns the promise itself; every other use needs `await`. */
export function needsAwait(call: ts.CallExpression, loopBodies: ReadonlySet<ts.Node>): boolean {
  const parent = call.parent;
  if (ts.isAwaitExpression(parent)) return false;
  // A loop body's `return` no longer returns the callback's value (searchLoops.ts tests it): await it.
  if (ts.isReturnStatement(parent)) {
    const fn = enclosingFunction(parent);
    return isInsideTry(parent) || (fn !== undefined && loopBodies.has(fn));
  }
  if (ts.isArrowFunction(parent) && parent.body === call) return loopBodies.has(parent);
  return true;
}

function enclosingFunction(node: ts.Node): ts.Node | undefined {
  let current = node.parent;
  while (current !== undefined && !ts.isFunctionLike(current)) current = current.parent;
  return current;
}

export function declarationName(declaration: ts.NamedDeclaration): string {
  const name = declaration.name?.getText() ?? '(anonymous)';
  const owner = declaration.parent;
  if (owner && (ts.isClassLike(owner) || ts.isInterfaceDeclaration(owner)) && owner.name) return `${owner.name.text}.${name}`;
  return name;
}

/** How a report names a unit: its declaration's name, or `callback`. */
export function unitLabel(unit: { readonly node: ts.Node }): string {
  const node = unit.node;
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
    const parent = node.parent;
    if ((ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.name) {
      return declarationName(parent);
    }
    return 'callback';
  }
  return declarationName(node as ts.NamedDeclaration);
}

export function calleeLabel(call: ts.CallExpression): string {
  const callee = call.expression;
  if (ts.isPropertyAccessExpression(callee)) return `${callee.name.getText()}()`;
  return `${callee.getText().slice(0, 40)}()`;
}

export function lineOf(node: ts.Node): number {
  const sf = node.getSourceFile();
  return sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
}

export function calleeText(call: ts.CallExpression): string {
  const text = call.expression.getText().replace(/\s+/g, ' ');
  return `${text.length > 60 ? `${text.slice(0, 57)}...` : text}()`;
}

/** `f.call(…)`, `f.apply(…)`, `f.bind(…)`: the name of the Function method used on `callee`. */
export function dynamicUse(callee: ts.Expression): 'call' | 'apply' | 'bind' | undefined {
  const parent = callee.parent;
  if (!ts.isPropertyAccessExpression(parent) || parent.expression !== callee) return undefined;
  const name = parent.name.text;
  return name === 'call' || name === 'apply' || name === 'bind' ? name : undefined;
}

/**
 * A read of a function-valued member that can't call it or hand it on: an assignment target,
 * `typeof`/`!`/`delete`, a read of parsed JSON, a truth test (`if (x.m)`, `x.m && …`), a comparison.
 */
export function isHarmlessRead(callee: ts.Expression): boolean {
  // Data parsed from JSON holds no functions.
  if (ts.isPropertyAccessExpression(callee) && isJsonParse(skipParens(callee.expression))) return true;
  let node: ts.Node = callee;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if (ts.isBinaryExpression(parent)) {
    const op = parent.operatorToken.kind;
    if (parent.left === node && op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment) return true;
    if (parent.left === node && op === ts.SyntaxKind.AmpersandAmpersandToken) return true;
    if (op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsEqualsToken ||
      op === ts.SyntaxKind.EqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken) return true;
    return false;
  }
  if (ts.isTypeOfExpression(parent) || ts.isDeleteExpression(parent)) return true;
  if (ts.isPrefixUnaryExpression(parent) && parent.operator === ts.SyntaxKind.ExclamationToken) return true;
  if ((ts.isIfStatement(parent) || ts.isWhileStatement(parent) || ts.isDoStatement(parent)) && parent.expression === node) return true;
  if (ts.isConditionalExpression(parent) && parent.condition === node) return true;
  // `f.name` and `f.length`: own data properties of every function, the same on an async one. Any
  // other name may reach a getter on Object.prototype that calls the function (should.js's
  // `f.should.not.throw()`), so it stays a use as a value.
  if (ts.isPropertyAccessExpression(parent) && parent.expression === node && ts.isIdentifier(parent.name) &&
    (parent.name.text === 'name' || parent.name.text === 'length') && !isAssignedOrCalled(parent)) return true;
  return false;
}

function isAssignedOrCalled(access: ts.PropertyAccessExpression): boolean {
  let node: ts.Node = access;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if (ts.isCallExpression(parent) && parent.expression === node) return true;
  if (ts.isBinaryExpression(parent) && parent.left === node &&
    parent.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && parent.operatorToken.kind <= ts.SyntaxKind.LastAssignment) return true;
  return false;
}

function isJsonParse(node: ts.Expression): boolean {
  return ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'parse' &&
    ts.isIdentifier(node.expression.expression) && node.expression.expression.text === 'JSON';
}

/**
 * The module a variable holds whole: `const x = require('m')`, `import x from 'm'`,
 * `import * as x from 'm'`; `constant` is false for a `let`/`var` (which may be reassigned).
 */
export function moduleObjectOf(checker: ts.TypeChecker, id: ts.Identifier):
  { specifier: string; declaration: ts.Declaration; constant: boolean } | undefined {
  const declaration = checker.getSymbolAtLocation(id)?.declarations?.[0];
  if (declaration === undefined) return undefined;
  let specifier: ts.Expression | undefined;
  let constant = true;
  if (ts.isVariableDeclaration(declaration) && ts.isIdentifier(declaration.name) && declaration.initializer !== undefined) {
    const init = declaration.initializer;
    if (ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require' && init.arguments.length === 1) {
      specifier = init.arguments[0];
    }
    const list = declaration.parent;
    constant = !ts.isVariableDeclarationList(list) || (list.flags & ts.NodeFlags.Const) !== 0;
  } else if (ts.isImportClause(declaration) || ts.isNamespaceImport(declaration)) {
    specifier = (ts.isImportClause(declaration) ? declaration.parent : declaration.parent.parent).moduleSpecifier;
  }
  if (specifier === undefined || !ts.isStringLiteralLike(specifier)) return undefined;
  return { specifier: specifier.text, declaration, constant };
}

/**
 * Whether the key of a computed access `x[key]` may be the property name `name`. A key whose type
 * is a (union of) string or number literal types can only be one of them; a template literal
 * (`format_${kind}`) can only be a name that starts with its fixed head and ends with its fixed
 * tail. Anything else (a plain string, a symbol, any) may be every name.
 */
export function keyMayBe(checker: ts.TypeChecker, key: ts.Expression, name: string): boolean {
  const type = checker.getTypeAtLocation(key);
  const parts = type.isUnion() ? type.types : [type];
  if (parts.length > 0 && parts.every((t) => t.isStringLiteral() || t.isNumberLiteral())) {
    return parts.some((t) => String((t as ts.LiteralType).value) === name);
  }
  const expression = skipParens(key);
  if (ts.isTemplateExpression(expression)) {
    const head = expression.head.text;
    const tail = expression.templateSpans[expression.templateSpans.length - 1]!.literal.text;
    return name.length >= head.length + tail.length && name.startsWith(head) && name.endsWith(tail);
  }
  return true;
}

const LISTENER_METHODS = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener']);

/** `'finish'` in `x.on('finish', fn)` (and once/addListener/prepend…): `fn` registered as an event listener by the EventEmitter method names. */
export function listenerEvent(call: ts.CallExpression, fn: ts.Expression): string | undefined {
  const callee = skipParens(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !LISTENER_METHODS.has(callee.name.text)) return undefined;
  const [event, listener] = call.arguments;
  if (call.arguments.length !== 2 || listener !== fn || event === undefined || !ts.isStringLiteralLike(event)) return undefined;
  return `'${event.text}'`;
}
