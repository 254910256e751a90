import { ts } from 'ts-morph';
import { insertion, prefixRank, replacement, suffixRank, type TextEdit } from '../textEdit.js';

/**
 * Where `await` goes, right by construction. `await` is a unary operator: it binds tighter than
 * `?:`, `||`, `&&`, `??`, `,`, assignment, `as`/`satisfies` and every binary operator, and looser
 * than member access, calls, `new`, tagged templates and `!`. So `awaitEdits(e)` writes
 * `await e` when `e` is itself unary-level (a call always is) and `await (e)` otherwise, and puts
 * parentheses around the whole `await` only where its position asks for more than a unary
 * expression (`(await f()).x`, `(await f())()`, `(await f()) ** 2`, `new (await f())()`, ...).
 */

/** Nodes that only assert a type: `await (f() as T)` and `await f()!` still await `f()`. */
export function isTypeOnlyWrapper(node: ts.Node): node is ts.AsExpression | ts.SatisfiesExpression | ts.NonNullExpression | ts.TypeAssertion {
  return ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isNonNullExpression(node) || ts.isTypeAssertionExpression(node);
}

/** The outermost expression that is `expr` up to parentheses and type-only wrappers. */
function outerOperand(expr: ts.Expression): ts.Expression {
  let node: ts.Expression = expr;
  while (ts.isParenthesizedExpression(node.parent) || isTypeOnlyWrapper(node.parent)) node = node.parent;
  return node;
}

/** `await f()`, `await (f())`, `await (f() as T)`: the value of `expr` is awaited already. */
export function isAwaited(expr: ts.Expression): boolean {
  return ts.isAwaitExpression(outerOperand(expr).parent);
}

const PROMISE_METHODS = new Set(['then', 'catch', 'finally']);

/**
 * `f().then(...)`, `f().catch(...)`, `(f()).finally(...)`: the value of `expr` is used as a
 * promise. Awaiting it would hand the resolved value to `.then`, so `awaitEdits` leaves it alone
 * (with or without an `await` in front of the chain: `await f().then(g)` awaits the chain).
 */
export function isPromiseReceiver(expr: ts.Expression): boolean {
  const outer = outerOperand(expr);
  const access = outer.parent;
  return ts.isPropertyAccessExpression(access) && access.expression === outer && PROMISE_METHODS.has(access.name.text) &&
    ts.isCallExpression(access.parent) && access.parent.expression === access;
}

/** True when `expr` is not a unary-level expression, so `await expr` would await only part of it. */
export function needsParensAsAwaitOperand(expr: ts.Expression): boolean {
  return ts.isConditionalExpression(expr) || ts.isBinaryExpression(expr) || ts.isArrowFunction(expr) ||
    ts.isYieldExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr) ||
    ts.isCommaListExpression(expr) || ts.isSpreadElement(expr);
}

/**
 * Whether a unary expression (`await expr`, `typeof expr`, ...) standing where `expr` stands needs
 * parentheses: the position takes only a left-hand-side expression (member access, call and
 * `new` callee, tag, `!`, `extends`/instantiation, decorator, postfix `++`) or, left of `**`, no
 * unary expression at all.
 */
export function needsParensAsOperand(expr: ts.Expression): boolean {
  const parent = expr.parent;
  if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === expr) return true;
  if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.expression === expr) return true;
  if (ts.isTaggedTemplateExpression(parent) && parent.tag === expr) return true;
  if (ts.isNonNullExpression(parent) || ts.isPostfixUnaryExpression(parent) || ts.isDecorator(parent)) return true;
  if (ts.isExpressionWithTypeArguments(parent) && parent.expression === expr) return true;
  if (ts.isBinaryExpression(parent) && parent.left === expr && parent.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskToken) return true;
  return false;
}

/**
 * Why `await` may not stand at `expr` even inside an async function (undefined when it may): a
 * default parameter value, a class field initializer or a class static block. Callers report a
 * stop there instead of calling `awaitEdits`.
 */
export function awaitBlocker(expr: ts.Node): string | undefined {
  let child: ts.Node = expr;
  for (let current = expr.parent; current !== undefined; child = current, current = current.parent) {
    if (ts.isParameter(current) && current.initializer === child) return 'a default parameter value (await is not allowed in a parameter initializer)';
    if (ts.isPropertyDeclaration(current) && current.initializer === child) return 'a class field initializer (await is not allowed there)';
    if (ts.isClassStaticBlockDeclaration(current)) return 'a class static block (await is not allowed there)';
    if (ts.isFunctionLike(current)) return undefined;
  }
  return undefined;
}

/** Edits between the closing parenthesis of an inner node and the opening of an outer one. */
const BETWEEN_RANK = prefixRank(Number.MAX_SAFE_INTEGER) - 1;

/**
 * `a?.f().g`: if `a` is nullish the whole chain is `undefined`. Once `a?.f()` is parenthesised
 * (`(await a?.f())`) the chain ends there, so the next link must become optional itself
 * (`(await a?.f())?.g`), or a nullish `a` would throw. Through `!` links (`a?.f()!.g`) too.
 */
function chainContinuationEdits(expr: ts.Expression, sf: ts.SourceFile): TextEdit[] {
  if (!ts.isOptionalChain(expr)) return [];
  let previous: ts.Node = expr;
  let link = expr.parent;
  while (ts.isNonNullChain(link)) {
    previous = link;
    link = link.parent;
  }
  if (!(ts.isPropertyAccessExpression(link) || ts.isElementAccessExpression(link) || ts.isCallExpression(link))) return [];
  if (link.expression !== previous || !ts.isOptionalChain(link) || link.questionDotToken !== undefined) return [];
  const children = link.getChildren(sf);
  const next = children[children.indexOf(previous) + 1];
  if (next === undefined) return [];
  const pos = next.getStart(sf);
  if (next.kind === ts.SyntaxKind.DotToken) return [replacement(sf.fileName, pos, next.end, '?.')];
  return [insertion(sf.fileName, pos, '?.', BETWEEN_RANK)];
}

/** Edits turning `expr` into `open + expr + close` as one unary-level expression where `expr` stood. */
function prefixEdits(expr: ts.Expression, sf: ts.SourceFile, open: string, close: string, operandParens: boolean): TextEdit[] {
  const file = sf.fileName;
  const start = expr.getStart(sf);
  const outer = needsParensAsOperand(expr);
  const inner = operandParens && needsParensAsAwaitOperand(expr);
  const before = `${outer ? '(' : ''}${open}${inner ? '(' : ''}`;
  const after = `${inner ? ')' : ''}${close}${outer ? ')' : ''}`;
  const guard = before.startsWith('(') && needsAsiGuard(expr, sf) ? ';' : '';
  const edits = [insertion(file, start, guard + before, prefixRank(expr.end))];
  if (after !== '') edits.push(insertion(file, expr.end, after, suffixRank(start)));
  if (outer) edits.push(...chainContinuationEdits(expr, sf));
  return edits;
}

/**
 * Edits turning `expr` into `await expr` where it stands, with the parentheses the grammar needs
 * (around `expr` when it is not unary-level, around the `await` when its position needs more) and
 * a `;` where a leading `(` would continue the previous statement. No edits when `expr` is awaited
 * already (`await f()`, `await (f())`, `await (f() as T)`) or is the receiver of
 * `.then`/`.catch`/`.finally` (its value is used as a promise). Callers check `awaitBlocker` first.
 */
export function awaitEdits(expr: ts.Expression, sf: ts.SourceFile, keyword = 'await'): TextEdit[] {
  if (isAwaited(expr) || isPromiseReceiver(expr)) return [];
  return prefixEdits(expr, sf, `${keyword} `, '', true);
}

/**
 * Wraps `expr` as `open + expr + close`. With `unary`, the result is a unary-level expression
 * (`await Promise.all(x)`), parenthesised where its position needs more and ASI-guarded.
 */
export function wrapEdits(expr: ts.Expression, sf: ts.SourceFile, open: string, close: string, unary: boolean): TextEdit[] {
  if (unary) return prefixEdits(expr, sf, open, close, false);
  const file = sf.fileName;
  const start = expr.getStart(sf);
  const guard = open.startsWith('(') && needsAsiGuard(expr, sf) ? ';' : '';
  return [
    insertion(file, start, guard + open, prefixRank(expr.end)),
    insertion(file, expr.end, close, suffixRank(start)),
  ];
}

/**
 * True when text starting with `(` inserted at the start of `node` would continue the previous
 * statement: `node` starts an expression statement in a statement list and the statement before
 * it ends with an expression and no `;` (`x = y⏎(await f()).z` would call `y`).
 */
export function needsAsiGuard(node: ts.Node, sf: ts.SourceFile): boolean {
  const start = node.getStart(sf);
  let statement: ts.Node = node;
  while (!ts.isExpressionStatement(statement)) {
    const parent: ts.Node | undefined = statement.parent;
    if (parent === undefined || parent.getStart(sf) !== start || ts.isFunctionLike(parent)) return false;
    statement = parent;
  }
  const container = statement.parent;
  if (!(ts.isBlock(container) || ts.isSourceFile(container) || ts.isModuleBlock(container) || ts.isCaseOrDefaultClause(container))) return false;
  const index = statementIndex(container.statements, statement as ts.Statement);
  if (index <= 0) return false;
  return endsOpen(container.statements[index - 1]!, sf);
}

/** The index of `statement` in `statements` by binary search on positions (a file's top level may hold thousands). */
function statementIndex(statements: ts.NodeArray<ts.Statement>, statement: ts.Statement): number {
  let lo = 0;
  let hi = statements.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const candidate = statements[mid]!;
    if (candidate === statement) return mid;
    if (candidate.pos < statement.pos) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** A statement without a final `;` whose last piece is an expression (or type) that a `(` would continue. */
function endsOpen(statement: ts.Statement, sf: ts.SourceFile): boolean {
  if (statement.getText(sf).endsWith(';')) return false;
  let current: ts.Node = statement;
  for (;;) {
    let last: ts.Node | undefined;
    ts.forEachChild(current, (child) => {
      if (child.end === current.end) last = child;
    });
    if (last === undefined) return false;
    if (ts.isExpression(last) || ts.isTypeNode(last)) return true;
    current = last;
  }
}

/** True inside the try block of a try statement, without crossing a function boundary. */
export function isInsideTry(node: ts.Node): boolean {
  let child: ts.Node = node;
  for (let current = node.parent; current !== undefined; child = current, current = current.parent) {
    if (ts.isFunctionLike(current)) return false;
    if (ts.isTryStatement(current) && (current.tryBlock === child || current.catchClause === child)) return true;
  }
  return false;
}

export function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === kind) ?? false);
}

export function lineIndent(sf: ts.SourceFile, pos: number): string {
  const text = sf.text;
  const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
  let end = lineStart;
  while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  return text.slice(lineStart, end);
}

export function isPromiseTypeNode(node: ts.TypeNode | undefined): boolean {
  return node !== undefined && ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName) &&
    (node.typeName.text === 'Promise' || node.typeName.text === 'PromiseLike');
}

export function isThenable(checker: ts.TypeChecker, type: ts.Type): boolean {
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return false;
  if (type.isUnion()) return type.types.some((t) => isThenable(checker, t));
  const then = checker.getPropertyOfType(type, 'then');
  if (then === undefined) return false;
  const thenType = checker.getTypeOfSymbol(then);
  return thenType.getCallSignatures().length > 0;
}

/** Calls `visit` on every node of every file, children before their parent (the transforms' file loop). */
export function forEachNodeBottomUp(files: Iterable<ts.SourceFile>, visit: (node: ts.Node, sf: ts.SourceFile) => void): void {
  for (const sf of files) {
    const walk = (node: ts.Node): void => {
      ts.forEachChild(node, walk);
      visit(node, sf);
    };
    walk(sf);
  }
}
