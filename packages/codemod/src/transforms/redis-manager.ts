import { ts } from 'ts-morph';
import { forEachNodeBottomUp, lineIndent } from '../shared/syntax.js';
import { replacement, type TextEdit } from '../textEdit.js';
import { isIoredisClass } from '../shared/redisClients.js';
import type { ChangeChain, Transform, TransformContext, TransformResult, TransformStop } from './Transform.js';

/**
 * A `new Redis(...)` made on every call of a function (a connection per request, never pooled)
 * becomes the shared client of `getRedisManager()` from @asyncguard/runtime; the `quit()` /
 * `disconnect()` of that per-call client goes, since the shared one must stay open. Clients
 * made at module level or in a constructor are already shared and stay as they are.
 */
export const redisManager: Transform = {
  id: 'redis-manager',
  summary: 'per-call new Redis(...) inside a function becomes the shared getRedisManager() client',
  run(context: TransformContext): TransformResult {
    const { checker, planner } = context;
    const chains: ChangeChain[] = [];
    const stops: TransformStop[] = [];
    forEachNodeBottomUp(context.files, (node, sf) => {
      if (!ts.isNewExpression(node) || !isIoredisClass(checker, node.expression)) return;
      const owner = enclosingFunction(node);
      if (owner === undefined || ts.isConstructorDeclaration(owner)) return;
      const declaration = node.parent;
      const stop = (reason: string): void => {
        stops.push({ file: sf.fileName, pos: node.getStart(sf), reason });
      };
      if (!ts.isVariableDeclaration(declaration) || declaration.initializer !== node || !ts.isIdentifier(declaration.name)) {
        stop('per-call Redis client that is not kept in a local variable (returned or passed on): share a client by hand (getRedisManager() from @asyncguard/runtime)');
        return;
      }
      // Connection settings carry over when they are a URL; other ioredis options don't map 1:1.
      const args = node.arguments ?? [];
      const url = args[0];
      if (args.length > 1 || (url !== undefined && !(checker.getTypeAtLocation(url).flags & ts.TypeFlags.StringLike))) {
        stop('per-call Redis client built with ioredis options (not a URL): move them to getRedisManager({ … }) options by hand');
        return;
      }
      const symbol = checker.getSymbolAtLocation(declaration.name);
      const closing: ts.Statement[] = [];
      let escapes: ts.Node | undefined;
      const scan = (n: ts.Node): void => {
        if (escapes) return;
        if (ts.isIdentifier(n) && n !== declaration.name && checker.getSymbolAtLocation(n) === symbol) {
          const parent = n.parent;
          if (ts.isPropertyAccessExpression(parent) && parent.expression === n) {
            const method = parent.name.text;
            if ((method === 'quit' || method === 'disconnect') && ts.isCallExpression(parent.parent)) {
              let statement: ts.Node = parent.parent;
              if (ts.isAwaitExpression(statement.parent)) statement = statement.parent;
              if (ts.isExpressionStatement(statement.parent)) {
                closing.push(statement.parent);
                return;
              }
              escapes = n;
              return;
            }
            return;
          }
          escapes = n;
          return;
        }
        ts.forEachChild(n, scan);
      };
      scan(owner);
      if (escapes) {
        const line = sf.getLineAndCharacterOfPosition(escapes.getStart(sf)).line + 1;
        stop(`per-call Redis client ${declaration.name.text} escapes at line ${line} (returned, stored or passed on): share a client by hand`);
        return;
      }
      const local = planner.importLocal(sf, '@asyncguard/runtime', 'getRedisManager');
      const options = url === undefined ? '' : `{ url: ${url.getText(sf)} }`;
      const edits: TextEdit[] = [replacement(sf.fileName, node.getStart(sf), node.end, `${local}(${options}).redis`)];
      const unwrapped = new Set<ts.Statement>();
      for (const statement of closing) {
        const block = statement.parent;
        const tryStatement = block.parent;
        if (ts.isBlock(block) && ts.isTryStatement(tryStatement) && tryStatement.finallyBlock === block &&
          block.statements.every((s) => closing.includes(s))) {
          // The finally only closed the client: drop it (and the try, when nothing else is left).
          block.statements.forEach((s) => unwrapped.add(s));
          edits.push(...dropFinally(sf, tryStatement));
        }
      }
      for (const statement of closing) {
        if (unwrapped.has(statement)) continue;
        const start = statement.getStart(sf);
        const lineStart = start - lineIndent(sf, start).length;
        const alone = sf.text.slice(lineStart, start).trim() === '' && /^\r?\n/.test(sf.text.slice(statement.end));
        edits.push(alone
          ? replacement(sf.fileName, lineStart, statement.end + (sf.text[statement.end] === '\r' ? 2 : 1), '')
          : replacement(sf.fileName, start, statement.end, ''));
      }
      const className = node.expression.getText(sf);
      chains.push({
        transform: 'redis-manager',
        edits,
        needs: [
          { kind: 'import', file: sf.fileName, module: '@asyncguard/runtime', name: 'getRedisManager', local },
          ...(ts.isIdentifier(node.expression) ? [{ kind: 'release' as const, file: sf.fileName, local: className, count: 1 }] : []),
        ],
        changes: [{ file: sf.fileName, pos: node.getStart(sf), description: `per-call new ${className}(…) → ${local}(${url === undefined ? '' : '{ url }'}).redis${closing.length ? ' (its quit() removed)' : ''}` }],
      });
    });
    return { chains, stops };
  },
};

function enclosingFunction(node: ts.Node): ts.FunctionLikeDeclaration | undefined {
  for (let current = node.parent; current !== undefined; current = current.parent) {
    if (ts.isFunctionDeclaration(current) || ts.isMethodDeclaration(current) || ts.isArrowFunction(current) ||
      ts.isFunctionExpression(current) || ts.isConstructorDeclaration(current)) return current;
    if (ts.isClassLike(current) || ts.isSourceFile(current)) return undefined;
  }
  return undefined;
}

/** Removes `finally { … }`; a try left with neither catch nor finally is replaced by its body, dedented. */
function dropFinally(sf: ts.SourceFile, statement: ts.TryStatement): TextEdit[] {
  const finallyBlock = statement.finallyBlock!;
  if (statement.catchClause !== undefined) {
    return [replacement(sf.fileName, statement.catchClause.end, finallyBlock.end, '')];
  }
  const start = statement.getStart(sf);
  const indent = lineIndent(sf, start);
  const body = statement.tryBlock;
  const inner = sf.text.slice(body.getStart(sf) + 1, body.end - 1).replace(/^[ \t]*\r?\n/, '').replace(/\r?\n[ \t]*$/, '');
  const lines = inner.split('\n');
  const innerIndent = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0]).reduce((a, b) => (b.length < a.length ? b : a), lines[0] ?? '');
  const text = lines.map((l) => (l.startsWith(innerIndent) ? indent + l.slice(innerIndent.length) : l)).join('\n').replace(/^[ \t]*/, '');
  return [replacement(sf.fileName, start, statement.end, text)];
}
