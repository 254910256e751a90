import { ts } from 'ts-morph';
import { replacement, type TextEdit } from '../../textEdit.js';
import { isPlainReference, ownReturns, skipParens, usesThisOrArguments } from './predicates.js';
import { hasOwnVarOrFunction, insideLoopOrLabel } from './searchLoops.js';

/*
 * Callbacks that become for…of loops: the shape every such callback needs, and Array#flatMap's
 * loop (the check and its text; Edits.flatMapLoopEdits places it).
 */

/** Array methods whose callback may become a loop body, where its `return` statements are rewritten. */
const LOOP_CALLBACK_METHODS = new Set(['forEach', 'map', 'flatMap', 'find', 'findIndex', 'findLast', 'findLastIndex', 'some', 'every', 'filter', 'each']);

/**
 * `return list.map(…)` in a callback of such a method: made a loop, that callback's returns are
 * rewritten around their value, so this return can't also become `const results = …; return results`.
 */
export function returnsFromLoopCallback(ret: ts.ReturnStatement): boolean {
  let fn: ts.Node = ret.parent;
  while (!ts.isFunctionLike(fn) && !ts.isSourceFile(fn)) fn = fn.parent;
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return false;
  let outer: ts.Node = fn.parent;
  while (ts.isParenthesizedExpression(outer)) outer = outer.parent;
  return ts.isCallExpression(outer) && ts.isPropertyAccessExpression(outer.expression) && LOOP_CALLBACK_METHODS.has(outer.expression.name.text);
}

/** Why a callback's shape (a thisArg, this/arguments, its parameters) can't become a for…of over the list. */
export function callbackShapeProblem(fn: ts.ArrowFunction | ts.FunctionExpression, call: ts.CallExpression, method: string, collection?: ts.Expression):
  { reason: string; parallelOk: boolean } | undefined {
  if (call.arguments.length !== (collection === undefined ? 1 : 2)) return { reason: `${method} with a thisArg: convert it by hand`, parallelOk: false };
  if (ts.isFunctionExpression(fn) && usesThisOrArguments(fn.body)) {
    return { reason: `${method} callback uses this/arguments: convert it by hand`, parallelOk: false };
  }
  if (fn.parameters.length > 2 || fn.parameters.some((p) => p.initializer || p.dotDotDotToken)) {
    return { reason: `${method} callback parameters can't become a for…of binding; convert it by hand`, parallelOk: true };
  }
  return undefined;
}

/**
 * Where a map/flatMap's result goes when the call can become a loop that fills an array: the only
 * initializer of a `const x = …` statement (the array is `x`), or a plain `return …` of a block
 * (the loop fills a fresh array it then returns). Undefined when the result feeds anything else.
 */
export function loopResultOf(call: ts.CallExpression): { kind: 'const'; name: string } | { kind: 'return'; statement: ts.ReturnStatement } | undefined {
  const parent = call.parent;
  if (ts.isVariableDeclaration(parent) && parent.initializer === call && ts.isIdentifier(parent.name) &&
    ts.isVariableDeclarationList(parent.parent) && parent.parent.declarations.length === 1 && ts.isVariableStatement(parent.parent.parent)) {
    return { kind: 'const', name: parent.name.text };
  }
  if (ts.isReturnStatement(parent) && parent.expression === call && (ts.isBlock(parent.parent) || ts.isSourceFile(parent.parent))) {
    return { kind: 'return', statement: parent };
  }
  return undefined;
}

/** A `return` of the callback's own inside a loop or label of its own (as a `continue` it would resume that loop). */
export function returnsInsideOwnLoop(body: ts.Block): boolean {
  return ownReturns(body).some((ret) => insideLoopOrLabel(ret, body));
}

/**
 * A block-bodied map callback that becomes a loop body pushing each returned value: it must end in
 * `return value` (so no element is left out where map would give undefined), every return of its
 * own carries a value and none sits in a loop or label of the callback (there `continue` would
 * resume that inner loop), and the body never names the array being built (in the callback it is
 * still unassigned; in the loop it would be the half-built array).
 */
export function mapBlockLoops(body: ts.Block, target: string | undefined): boolean {
  const last = body.statements[body.statements.length - 1];
  if (last === undefined || !ts.isReturnStatement(last)) return false;
  const comma = (e: ts.Expression): boolean => ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.CommaToken;
  if (ownReturns(body).some((ret) => ret.expression === undefined || comma(ret.expression)) || returnsInsideOwnLoop(body)) return false;
  if (target === undefined) return true;
  let named = false;
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && n.text === target) named = true;
    else if (!named) ts.forEachChild(n, visit);
  };
  visit(body);
  return !named;
}

/**
 * Why `const x = list.flatMap(v => …)` (or `return list.flatMap(…)`) can't become
 * `for (const v of list) for (const item of …) x.push(item)`. flatMap spreads a result only when
 * it is an array (anything else, a string too, is appended whole), so every result the callback
 * can return must be typed an array or tuple; with a block body each `return e` becomes that
 * inner loop and `continue`, so no return may sit inside a loop or label of the callback's own.
 */
export function flatMapProblem(checker: ts.TypeChecker, fn: ts.ArrowFunction | ts.FunctionExpression, call: ts.CallExpression): string | undefined {
  const shape = callbackShapeProblem(fn, call, 'flatMap');
  if (shape !== undefined) return shape.reason;
  const receiver = (call.expression as ts.PropertyAccessExpression).expression;
  const result = loopResultOf(call);
  if (result === undefined || !isPlainReference(receiver)) {
    return 'its result feeds an expression (a sequential for…of needs a plain `const x = list.flatMap(v => …)` or `return list.flatMap(v => …)`)';
  }
  const signature = checker.getSignatureFromDeclaration(fn);
  const returned = signature === undefined ? undefined : checker.getReturnTypeOfSignature(signature);
  const typed = checker as ts.TypeChecker & { isArrayType?(t: ts.Type): boolean; isTupleType?(t: ts.Type): boolean };
  const isArray = (t: ts.Type): boolean => (typed.isArrayType?.(t) ?? false) || (typed.isTupleType?.(t) ?? false);
  if (returned === undefined || !(returned.isUnion() ? returned.types.every(isArray) : isArray(returned))) {
    return `the callback returns ${returned === undefined ? 'an unknown type' : checker.typeToString(returned)}, not always an array (flatMap appends a non-array result whole)`;
  }
  const body = fn.body;
  if (ts.isBlock(body) && returnsInsideOwnLoop(body)) {
    return 'a return inside a loop of the callback\'s own (as a continue it would resume the inner loop)';
  }
  if (ts.isBlock(body) && hasOwnVarOrFunction(body)) return 'the callback declares a var or a function (its scope would span the loop)';
  if (result.kind === 'return' && returnsFromLoopCallback(result.statement)) {
    return 'it is what a callback that may itself become a loop returns (that return would no longer be one)';
  }
  return undefined;
}


/** Whether `name` is declared anywhere inside `fn` (parameters, variables, functions, classes, catch clauses). */
export function bindsName(fn: ts.Node, name: string): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if ((ts.isParameter(node) || ts.isVariableDeclaration(node) || ts.isBindingElement(node) || ts.isFunctionDeclaration(node) ||
      ts.isClassDeclaration(node)) && node.name !== undefined && ts.isIdentifier(node.name) && node.name.text === name) {
      found = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(fn, visit);
  return found;
}

/**
 * `const x = list.flatMap(v => f(v))` → `const x = []; for (const v of list) for (const item of await f(v)) x.push(item);`
 * A block body stays the loop body, each `return e` becoming `{ for (const item of e) x.push(item); continue; }`.
 * `return list.flatMap(…)` fills a fresh array and returns it after the loop.
 */
export function flatMapLoopText(
  fn: ts.ArrowFunction | ts.FunctionExpression, call: ts.CallExpression, target: string, item: string, style: { semi: string }, end: number,
): TextEdit[] {
  const sf = fn.getSourceFile();
  const file = sf.fileName;
  const { receiver } = loopSource(call, fn, sf);
  const binding = loopBinding(fn, sf);
  const entries = binding.entries ? '.entries()' : '';
  const push = `${target}.push(${item})`;
  const body = fn.body;
  if (!ts.isBlock(body)) {
    return [
      replacement(file, receiver.end, body.getStart(sf), `${entries}) for (const ${item} of `),
      replacement(file, body.end, call.end, `) ${push}`),
    ];
  }
  const edits: TextEdit[] = [
    replacement(file, receiver.end, body.getStart(sf), `${entries}) `),
    // The block closes the loop: the statement's own `;` goes with the call's `)`.
    replacement(file, body.end, end, ''),
  ];
  for (const ret of ownReturns(body)) {
    const value = ret.expression!;
    // `return []` adds nothing; `return [a, b]` adds a and b.
    const literal = skipParens(value);
    if (ts.isArrayLiteralExpression(literal) && literal.elements.every((e) => !ts.isSpreadElement(e) && !ts.isOmittedExpression(e))) {
      const elements = literal.elements;
      if (elements.length === 0) {
        edits.push(replacement(file, ret.getStart(sf), ret.end, `continue${style.semi}`));
        continue;
      }
      edits.push(replacement(file, ret.getStart(sf), elements[0]!.getStart(sf), `{ ${target}.push(`));
      edits.push(replacement(file, elements[elements.length - 1]!.end, ret.end, `)${style.semi} continue${style.semi} }`));
      continue;
    }
    edits.push(replacement(file, ret.getStart(sf), value.getStart(sf), `{ for (const ${item} of `));
    edits.push(replacement(file, value.end, ret.end, `) ${push}${style.semi} continue${style.semi} }`));
  }
  return edits;
}

/**
 * What the loop iterates: the receiver of `list.forEach(fn)`, or the collection of lodash's
 * `_.each(list, fn)`, whose `_.each(` goes (the edit removing it).
 */
export function loopSource(call: ts.CallExpression, fn: ts.Node, sf: ts.SourceFile): { receiver: ts.Expression; edits: TextEdit[] } {
  if (call.arguments.length === 2 && call.arguments[1] === fn) {
    const collection = call.arguments[0]!;
    return { receiver: collection, edits: [replacement(sf.fileName, call.getStart(sf), collection.getStart(sf), '')] };
  }
  return { receiver: (call.expression as ts.PropertyAccessExpression).expression, edits: [] };
}

export function loopBinding(fn: ts.ArrowFunction | ts.FunctionExpression, sf: ts.SourceFile): { text: string; entries: boolean } {
  const [value, index] = fn.parameters;
  const valueText = value ? value.name.getText(sf) : '_';
  if (index === undefined) return { text: valueText, entries: false };
  return { text: `[${index.name.getText(sf)}, ${valueText}]`, entries: true };
}
