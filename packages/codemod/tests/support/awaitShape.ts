import type fc from 'fast-check';
import { ts } from 'ts-morph';
import { expect } from 'vitest';

/**
 * AST checks for the await-placement property tests: parse a text, find the target call, say
 * whether exactly it is awaited, and print a tree's shape with awaits, parentheses and `async`
 * left out so the edited program can be compared with the original.
 */

export function parse(text: string, fileName = 'case.ts'): ts.SourceFile {
  return ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

/** Syntax errors the parser reports (the parser's own list, which `createSourceFile` keeps). */
export function syntaxErrors(sf: ts.SourceFile): string[] {
  const diagnostics = (sf as unknown as { parseDiagnostics: readonly ts.Diagnostic[] }).parseDiagnostics;
  return diagnostics.map((d) => `${d.start ?? 0}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}

export type TargetTest = (call: ts.CallExpression) => boolean;

export function calls(sf: ts.SourceFile, isTarget: TargetTest): ts.CallExpression[] {
  const found: ts.CallExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && isTarget(node)) found.push(node);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

export function countAwaits(sf: ts.SourceFile): number {
  let count = 0;
  const visit = (node: ts.Node): void => {
    if (ts.isAwaitExpression(node)) count++;
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return count;
}

/** `expr` up through parentheses only: the direct operand of an `await` if there is one. */
export function awaitOf(expr: ts.Expression): ts.AwaitExpression | undefined {
  let node: ts.Node = expr;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  return ts.isAwaitExpression(node.parent) ? node.parent : undefined;
}

/** `expr` up through parentheses and type-only wrappers (`as`, `satisfies`, `!`, `<T>`). */
export function valueOf(expr: ts.Expression): ts.Expression {
  let node: ts.Expression = expr;
  for (;;) {
    const parent = node.parent;
    if (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent) ||
      ts.isNonNullExpression(parent) || ts.isTypeAssertionExpression(parent)) node = parent;
    else return node;
  }
}

/** `await x`, `await (x as T)`: the value of `x` is awaited already. */
export function isAwaitedInTest(expr: ts.Expression): boolean {
  return ts.isAwaitExpression(valueOf(expr).parent);
}

/** `x.then(...)`, `x.catch(...)`, `x.finally(...)`: the value of `x` is used as a promise. */
export function isPromiseReceiverInTest(expr: ts.Expression): boolean {
  const value = valueOf(expr);
  const access = value.parent;
  return ts.isPropertyAccessExpression(access) && access.expression === value && ['then', 'catch', 'finally'].includes(access.name.text) &&
    ts.isCallExpression(access.parent) && access.parent.expression === access;
}

type Link = ts.PropertyAccessExpression | ts.ElementAccessExpression | ts.CallExpression;

/** The member access or call applied to the value of `call` (through parentheses, awaits and `!`), if any. */
export function linkAfter(call: ts.Expression): Link | undefined {
  let node: ts.Node = call;
  while (ts.isParenthesizedExpression(node.parent) || ts.isAwaitExpression(node.parent) || ts.isNonNullExpression(node.parent)) node = node.parent;
  const link = node.parent;
  if ((ts.isPropertyAccessExpression(link) || ts.isElementAccessExpression(link) || ts.isCallExpression(link)) && link.expression === node) return link;
  return undefined;
}

/**
 * The tree as nested kinds and token texts, without parentheses, awaits, `async` and the `?.` of
 * the link right after a target call (which the edit may have to add: `(await a?.f())?.g`).
 * `rename` maps a target's callee to one name (sync-to-async rewrites `fs.readFileSync`).
 */
export function shape(sf: ts.SourceFile, isTarget: TargetTest, rename?: (callee: ts.Expression) => string | undefined): string {
  const afterTarget = new Set<ts.Node>();
  for (const call of calls(sf, isTarget)) {
    const link = linkAfter(call);
    if (link?.questionDotToken) afterTarget.add(link.questionDotToken);
  }
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isParenthesizedExpression(node) || ts.isAwaitExpression(node)) return visit(node.expression);
    if (node.kind === ts.SyntaxKind.AsyncKeyword || afterTarget.has(node)) return;
    const renamed = node.parent !== undefined && ts.isCallExpression(node.parent) && node.parent.expression === node && isTarget(node.parent) ? rename?.(node as ts.Expression) : undefined;
    if (renamed !== undefined) {
      out.push(renamed);
      return;
    }
    const text = ts.isIdentifier(node) || ts.isPrivateIdentifier(node) || ts.isLiteralExpression(node) || ts.isTemplateLiteralToken(node) ? `:${node.text}` : '';
    out.push(`${ts.SyntaxKind[node.kind]}${text}(`);
    ts.forEachChild(node, visit);
    out.push(')');
  };
  visit(sf);
  return out.join('');
}

/** Fast-check parameters: ASYNCGUARD_FC_SEED reproduces a run, ASYNCGUARD_FC_RUNS overrides the count. */
/** The seed CI runs with when ASYNCGUARD_FC_SEED is not set. */
const CI_SEED = 20261207;

export function fcOptions(runs: number): fc.Parameters<unknown> {
  // CI runs one fixed seed (a landing never depends on a lucky draw); local runs explore new ones.
  const seed = process.env['ASYNCGUARD_FC_SEED'] ?? (process.env['CI'] ? String(CI_SEED) : undefined);
  const scale = Number(process.env['ASYNCGUARD_FC_RUNS'] ?? '0');
  return { numRuns: scale > 0 ? scale : runs, ...(seed ? { seed: Number(seed) } : {}) };
}

export function single(sf: ts.SourceFile, test: TargetTest, text: string): ts.CallExpression {
  const found = calls(sf, test);
  expect(found.length, text).toBe(1);
  return found[0]!;
}

/**
 * Asserts the edited text against the original: parses, a new `await` exactly on the target when
 * `awaited` (none at all otherwise), every other node the same shape.
 */
export function checkAwaited(original: string, edited: string, test: TargetTest, awaited: boolean, rename?: (callee: ts.Expression) => string | undefined): void {
  const before = parse(original);
  const after = parse(edited);
  const context = `--- original\n${original}\n--- edited\n${edited}`;
  expect(syntaxErrors(after), context).toEqual([]);
  const call = single(after, test, context);
  const originalCall = single(before, test, context);
  expect(countAwaits(after), context).toBe(countAwaits(before) + (awaited ? 1 : 0));
  expect(awaitOf(call) !== undefined, context).toBe(awaited || awaitOf(originalCall) !== undefined);
  expect(shape(after, test, rename), context).toBe(shape(before, test, rename));
  // The link after the call keeps an optional chain's short-circuit: `(await a?.f())?.g`.
  const linkBefore = linkAfter(originalCall);
  const linkNow = linkAfter(call);
  expect(linkNow === undefined, context).toBe(linkBefore === undefined);
  if (linkBefore !== undefined && linkNow !== undefined) {
    const continued = awaited && ts.isOptionalChain(originalCall) && ts.isOptionalChain(linkBefore);
    expect(linkNow.questionDotToken !== undefined, context).toBe(linkBefore.questionDotToken !== undefined || continued);
  }
}

