import { ts } from 'ts-morph';
import { insertion, prefixRank, suffixRank, type TextEdit } from '../textEdit.js';

/** Whether `expr` needs parentheses once it becomes `await expr` (or any unary-prefixed form). */
export function needsParensAsOperand(expr: ts.Expression): boolean {
  const parent = expr.parent;
  if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === expr) return true;
  if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.expression === expr) return true;
  if (ts.isTaggedTemplateExpression(parent) && parent.tag === expr) return true;
  if (ts.isNonNullExpression(parent)) return true;
  if (ts.isBinaryExpression(parent) && parent.left === expr && parent.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskToken) return true;
  return false;
}

/**
 * True when text inserted at `pos` that starts with `(` would continue the previous statement
 * (no semicolon before it), so it needs a leading `;` guard.
 */
export function needsAsiGuard(node: ts.Node, sf: ts.SourceFile): boolean {
  let statement: ts.Node = node;
  while (!isStatementLike(statement)) {
    if (statement.parent === undefined) return false;
    statement = statement.parent;
  }
  if (statement.getStart(sf) !== node.getStart(sf)) return false;
  const container = statement.parent;
  if (container === undefined || !('statements' in container)) return false;
  const statements = (container as unknown as { statements: ts.NodeArray<ts.Statement> }).statements;
  const index = statements.indexOf(statement as ts.Statement);
  if (index <= 0) return false;
  const previous = statements[index - 1]!;
  if (!(ts.isExpressionStatement(previous) || ts.isVariableStatement(previous) || ts.isReturnStatement(previous) ||
    ts.isThrowStatement(previous) || ts.isDoStatement(previous))) return false;
  return !previous.getText(sf).trimEnd().endsWith(';');
}

function isStatementLike(node: ts.Node): boolean {
  return ts.isExpressionStatement(node) || ts.isVariableStatement(node) || ts.isReturnStatement(node) ||
    ts.isIfStatement(node) || ts.isThrowStatement(node) || ts.isSourceFile(node) || ts.isBlock(node);
}

/** Edits turning `expr` into `await expr`, with parentheses and an ASI guard where needed. */
export function awaitEdits(expr: ts.Expression, sf: ts.SourceFile, keyword = 'await'): TextEdit[] {
  const file = sf.fileName;
  const start = expr.getStart(sf);
  if (needsParensAsOperand(expr)) {
    const guard = needsAsiGuard(expr, sf) ? ';' : '';
    return [
      insertion(file, start, `${guard}(${keyword} `, prefixRank(expr.end)),
      insertion(file, expr.end, ')', suffixRank(start)),
    ];
  }
  return [insertion(file, start, `${keyword} `, prefixRank(expr.end))];
}

/** Wraps `expr` as `open + expr + close`, parenthesised as an operand and ASI-guarded if needed. */
export function wrapEdits(expr: ts.Expression, sf: ts.SourceFile, open: string, close: string, unary: boolean): TextEdit[] {
  const file = sf.fileName;
  const start = expr.getStart(sf);
  const parens = unary && needsParensAsOperand(expr);
  const before = parens ? `(${open}` : open;
  const guard = before.startsWith('(') && needsAsiGuard(expr, sf) ? ';' : '';
  return [
    insertion(file, start, guard + before, prefixRank(expr.end)),
    insertion(file, expr.end, parens ? `${close})` : close, suffixRank(start)),
  ];
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
  const lineStart = sf.text.lastIndexOf('\n', pos - 1) + 1;
  return /^[ \t]*/.exec(sf.text.slice(lineStart))?.[0] ?? '';
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
