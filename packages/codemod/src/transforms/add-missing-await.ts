import { ts } from 'ts-morph';
import { awaitBlocker, awaitEdits, hasModifier, isInsideTry, isThenable } from '../shared/syntax.js';
import type { ChangeChain, Transform, TransformContext, TransformResult } from './Transform.js';

/**
 * Inside async functions: a promise-valued expression statement that nothing awaits, returns,
 * voids or handles with `.catch`/`.then(_, onRejected)` gets `await`; so does a promise returned
 * from inside a `try` (where a rejection would otherwise skip the catch/finally).
 */
export const addMissingAwait: Transform = {
  id: 'add-missing-await',
  summary: 'awaits floating promises inside async functions, and promises returned from inside try',
  run(context: TransformContext): TransformResult {
    const { checker } = context;
    const chains: ChangeChain[] = [];
    for (const sf of context.files) {
      const inAsync: boolean[] = [];
      const visit = (node: ts.Node): void => {
        const isFunction = ts.isFunctionLike(node) && 'body' in node && (node as ts.FunctionLikeDeclaration).body !== undefined;
        if (isFunction) inAsync.push(hasModifier(node, ts.SyntaxKind.AsyncKeyword));
        if (inAsync[inAsync.length - 1] === true) {
          let target: ts.Expression | undefined;
          let description = '';
          if (ts.isExpressionStatement(node) && ts.isCallExpression(node.expression) && !isHandled(node.expression)) {
            target = node.expression;
            description = 'await floating promise';
          } else if (ts.isReturnStatement(node) && node.expression && isInsideTry(node)) {
            target = node.expression;
            description = 'return await inside try';
          }
          // awaitEdits puts the await on the whole target (`return await (c ? a() : b())`) and
          // writes nothing for a target that is awaited already, so a second run is a no-op.
          const edits = target !== undefined && awaitBlocker(target) === undefined &&
            isThenable(checker, checker.getTypeAtLocation(target)) ? awaitEdits(target, sf) : [];
          if (target !== undefined && edits.length > 0) {
            const start = target.getStart(sf);
            chains.push({
              transform: 'add-missing-await',
              edits,
              needs: [],
              changes: [{ file: sf.fileName, pos: start, description: `${description} ${target.getText(sf).split('\n')[0]!.slice(0, 60)}` }],
            });
          }
        }
        ts.forEachChild(node, visit);
        if (isFunction) inAsync.pop();
      };
      visit(sf);
    }
    return { chains, stops: [] };
  },
};

/** `.catch(handler)` and `.then(onFulfilled, onRejected)` handle the rejection themselves. */
function isHandled(call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const name = callee.name.text;
  return (name === 'catch' && call.arguments.length >= 1) || (name === 'then' && call.arguments.length >= 2);
}
