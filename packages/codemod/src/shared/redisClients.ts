import { ts } from 'ts-morph';

/** True when `type` is an ioredis client (`Redis` or `Cluster`, from the ioredis package). */
export function isIoredisClientType(type: ts.Type): boolean {
  const symbol = type.getSymbol() ?? type.aliasSymbol;
  if (symbol === undefined) return false;
  const name = symbol.getName();
  if (name !== 'Redis' && name !== 'Cluster') return false;
  return (symbol.declarations ?? []).some((d) => /[\\/]ioredis[\\/]/.test(d.getSourceFile().fileName));
}

/** True when `expression` names the ioredis `Redis` (or `Cluster`) class. */
export function isIoredisClass(checker: ts.TypeChecker, expression: ts.Expression): boolean {
  let symbol = checker.getSymbolAtLocation(expression);
  if (symbol === undefined) return false;
  if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const name = symbol.getName();
  const named = name === 'Redis' || name === 'Cluster' || name === 'default';
  return named && (symbol.declarations ?? []).some((d) => /[\\/]ioredis[\\/]/.test(d.getSourceFile().fileName) && (ts.isClassDeclaration(d) || ts.isVariableDeclaration(d) || ts.isExportAssignment(d)));
}

/** True for `new Redis(..., { commandTimeout })` / `new Redis({ commandTimeout })`. */
export function hasCommandTimeout(expression: ts.Expression | undefined): boolean {
  if (expression === undefined || !ts.isNewExpression(expression)) return false;
  return (expression.arguments ?? []).some((arg) =>
    ts.isObjectLiteralExpression(arg) && arg.properties.some((p) => p.name !== undefined && ts.isIdentifier(p.name) && p.name.text === 'commandTimeout'));
}
