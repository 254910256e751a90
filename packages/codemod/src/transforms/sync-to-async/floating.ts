import { ts } from 'ts-morph';
import type { ChangeChain, ChainProblem } from '../Transform.js';
import { calleeText } from './predicates.js';

/** A function a chain makes async: the original position of the `async ` the chain inserts. */
export interface AsyncMark {
  file: string;
  pos: number;
}

interface Converted {
  chain: ChangeChain;
  /** The declarations a call may resolve to: the function and the declaration that names it. */
  declarations: Set<ts.Node>;
  isMember: boolean;
  name: string;
}

/**
 * The floating-promise check over the edited program: every call of a function a chain made
 * async must be awaited, returned, or handled with `.then/.catch/.finally` (`void` is not
 * handling). The calls are found again from scratch, by symbol and, where the callee has no
 * declared type, by name (`e.m()`, `e['m']()`), so JavaScript is covered where the type
 * checker reports nothing. Each chain with an unhandled call comes back with the call named.
 */
export function floatingCalls(
  program: ts.Program, chains: readonly ChangeChain[], asyncMarks: ReadonlyMap<ChangeChain, AsyncMark[]>,
  toOriginal: (fileName: string, pos: number) => number, relative: (fileName: string) => string,
): ChainProblem[] {
  const converted = findConverted(program, chains, asyncMarks, toOriginal);
  if (converted.length === 0) return [];
  const byName = new Map<string, Converted[]>();
  for (const c of converted) {
    let list = byName.get(c.name);
    if (list === undefined) byName.set(c.name, (list = []));
    list.push(c);
  }
  const checker = program.getTypeChecker();
  const problems: ChainProblem[] = [];
  const reported = new Set<ChangeChain>();
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || program.isSourceFileDefaultLibrary(sf) || /[\\/]node_modules[\\/]/.test(sf.fileName)) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const target = calledName(node);
        const candidates = target ? byName.get(target.name) : undefined;
        if (target && candidates) {
          for (const c of candidates) {
            if (reported.has(c.chain) || !mayCall(checker, target, c)) continue;
            if (isHandled(node)) continue;
            reported.add(c.chain);
            const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
            problems.push({
              chain: c.chain, file: sf.fileName, pos: node.getStart(sf),
              reason: `floating promise: ${calleeText(node)} at ${relative(sf.fileName)}:${line} is not awaited, returned or handled, but ${c.name} became async`,
            });
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return problems;
}

function findConverted(
  program: ts.Program, chains: readonly ChangeChain[], asyncMarks: ReadonlyMap<ChangeChain, AsyncMark[]>,
  toOriginal: (fileName: string, pos: number) => number,
): Converted[] {
  const marks = new Map<string, Map<number, ChangeChain>>();
  for (const chain of chains) {
    for (const mark of asyncMarks.get(chain) ?? []) {
      let perFile = marks.get(mark.file);
      if (perFile === undefined) marks.set(mark.file, (perFile = new Map()));
      perFile.set(mark.pos, chain);
    }
  }
  const found: Converted[] = [];
  for (const [fileName, perFile] of marks) {
    const sf = program.getSourceFile(fileName);
    if (sf === undefined) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node)) {
        const keyword = ts.canHaveModifiers(node) ? ts.getModifiers(node)?.find((m) => m.kind === ts.SyntaxKind.AsyncKeyword) : undefined;
        const chain = keyword ? perFile.get(toOriginal(fileName, keyword.getStart(sf))) : undefined;
        const named = chain ? namedBy(node) : undefined;
        if (chain && named) found.push({ chain, ...named });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return found;
}

/** The name a function is called by, and the declarations a call of it resolves to (none for a callback). */
function namedBy(fn: ts.Node): Omit<Converted, 'chain'> | undefined {
  const declarations = new Set<ts.Node>([fn]);
  let holder: ts.Node = fn;
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && fn.name === undefined) {
    holder = fn.parent;
    if (!(ts.isVariableDeclaration(holder) || ts.isPropertyDeclaration(holder) || ts.isPropertyAssignment(holder))) return undefined;
    declarations.add(holder);
  }
  const name = (holder as ts.NamedDeclaration).name;
  if (name === undefined || !ts.isIdentifier(name)) return undefined;
  const isMember = ts.isMethodDeclaration(holder) || ts.isPropertyDeclaration(holder) || ts.isPropertyAssignment(holder);
  return { declarations, isMember, name: name.text };
}

type CalledName = { name: string; node: ts.Node; receiver: ts.Expression | undefined };

function calledName(call: ts.CallExpression): CalledName | undefined {
  let callee: ts.Expression = call.expression;
  while (ts.isParenthesizedExpression(callee)) callee = callee.expression;
  if (ts.isIdentifier(callee)) return { name: callee.text, node: callee, receiver: undefined };
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name)) {
    return { name: callee.name.text, node: callee.name, receiver: callee.expression };
  }
  if (ts.isElementAccessExpression(callee) && ts.isStringLiteralLike(callee.argumentExpression)) {
    return { name: callee.argumentExpression.text, node: callee.argumentExpression, receiver: callee.expression };
  }
  return undefined;
}

function mayCall(checker: ts.TypeChecker, target: CalledName, converted: Converted): boolean {
  let symbol = checker.getSymbolAtLocation(target.node);
  if (symbol === undefined && target.receiver !== undefined && ts.isStringLiteralLike(target.node)) {
    symbol = checker.getPropertyOfType(checker.getTypeAtLocation(target.receiver), target.name);
  }
  if (symbol !== undefined) {
    if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    const declarations = checker.getRootSymbols(symbol).flatMap((s) => s.declarations ?? []);
    if (declarations.some((d) => converted.declarations.has(d))) return true;
  }
  // No declared type: by name (a member through an untyped receiver).
  if (target.receiver === undefined || !converted.isMember) return false;
  if (symbol === undefined) return true;
  const type = checker.getTypeAtLocation(target.receiver);
  return (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0;
}

/** Awaited, returned (also as an arrow's body), or given `.then/.catch/.finally`. */
function isHandled(call: ts.CallExpression): boolean {
  let node: ts.Node = call;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if (ts.isAwaitExpression(parent) || ts.isReturnStatement(parent)) return true;
  if (ts.isArrowFunction(parent) && parent.body === node) return true;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === node && ['then', 'catch', 'finally'].includes(parent.name.text)) {
    return ts.isCallExpression(parent.parent) && parent.parent.expression === parent;
  }
  return false;
}
