import { ts } from 'ts-morph';
import { awaitBlocker, awaitEdits, hasModifier, isThenable } from '../shared/syntax.js';
import type { ChangeChain, Transform, TransformContext, TransformResult, TransformStop } from './Transform.js';

/**
 * Inside async functions: a promise-valued expression statement that nothing awaits, returns,
 * voids or handles with `.catch`/`.then(_, onRejected)` (also under `.finally`) gets `await`; so
 * does a promise returned from inside a `try` block, or from a `catch` block with a `finally`
 * (where a rejection or the settling would otherwise skip the handler). The `await` goes on the
 * whole expression (`return await (c ? a() : b())`), never twice.
 *
 * Left alone, with a stop that names why: a call that queues onto a pipeline or transaction
 * (it settles only at `exec()`, so awaiting it first would wait forever) and a call of a function
 * that loops on `await` until it is stopped (a worker's main loop, started in the background).
 * Left alone silently: `test`/`it`/`describe`/`suite` from `node:test`, whose promise inside a
 * suite is fulfilled at once and need not be awaited at the top level (Node's documentation).
 */
export const addMissingAwait: Transform = {
  id: 'add-missing-await',
  summary: 'awaits floating promises inside async functions, and promises returned from inside try',
  run(context: TransformContext): TransformResult {
    const { checker } = context;
    const chains: ChangeChain[] = [];
    const stops: TransformStop[] = [];
    for (const sf of context.files) {
      const inAsync: boolean[] = [];
      const visit = (node: ts.Node): void => {
        const isFunction = ts.isFunctionLike(node) && 'body' in node && (node as ts.FunctionLikeDeclaration).body !== undefined;
        if (isFunction) inAsync.push(hasModifier(node, ts.SyntaxKind.AsyncKeyword));
        if (inAsync[inAsync.length - 1] === true) {
          let target: ts.Expression | undefined;
          let floating = false;
          let description = '';
          if (ts.isExpressionStatement(node) && ts.isCallExpression(node.expression) && !isHandled(node.expression) &&
            !isNodeTestCall(checker, node.expression)) {
            target = node.expression;
            floating = true;
            description = 'await floating promise';
          } else if (ts.isReturnStatement(node) && node.expression && returnSkipsHandler(node)) {
            target = node.expression;
            description = 'return await inside try';
          }
          // awaitEdits puts the await on the whole target (`return await (c ? a() : b())`) and
          // writes nothing for a target that is awaited already, so a second run is a no-op.
          const edits = target !== undefined && awaitBlocker(target) === undefined &&
            isThenable(checker, checker.getTypeAtLocation(target)) ? awaitEdits(target, sf) : [];
          // Returning a promise already ties the function's own promise to it: hazards are about floating calls.
          const reason = edits.length > 0 && floating ? hazard(context, target as ts.CallExpression) : undefined;
          if (reason !== undefined) {
            stops.push({ file: sf.fileName, pos: target!.getStart(sf), reason });
          } else if (target !== undefined && edits.length > 0) {
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
    return { chains, stops };
  },
};

/**
 * `.catch(handler)` and `.then(onFulfilled, onRejected)` handle the rejection themselves;
 * `.finally(f)` passes its receiver's rejection on, so it is handled when its receiver is
 * (`loop().catch(report).finally(reset)`).
 */
function isHandled(call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const name = callee.name.text;
  if (name === 'finally') return ts.isCallExpression(callee.expression) && isHandled(callee.expression);
  return (name === 'catch' && call.arguments.length >= 1) || (name === 'then' && call.arguments.length >= 2);
}

/**
 * A promise returned from a `try` block settles after the block is left, so its rejection skips
 * the `catch` and the `finally` runs first; from a `catch` block only a `finally` is skipped.
 * Without a function boundary in between.
 */
function returnSkipsHandler(node: ts.Node): boolean {
  let child: ts.Node = node;
  for (let current = node.parent; current !== undefined; child = current, current = current.parent) {
    if (ts.isFunctionLike(current)) return false;
    if (ts.isTryStatement(current)) {
      if (current.tryBlock === child) return true;
      if (current.catchClause === child && current.finallyBlock !== undefined) return true;
    }
  }
  return false;
}

const NODE_TEST_FUNCTIONS = new Set(['test', 'it', 'describe', 'suite', 'only', 'skip', 'todo']);

/** `test(...)`, `describe.only(...)` from `node:test` (free functions, not a test context's `t.test`). */
function isNodeTestCall(checker: ts.TypeChecker, call: ts.CallExpression): boolean {
  const callee = call.expression;
  const name = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
  let symbol = checker.getSymbolAtLocation(name);
  if (symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declarations = symbol?.declarations ?? [];
  return symbol !== undefined && NODE_TEST_FUNCTIONS.has(symbol.getName()) &&
    declarations.some((d) => ts.isFunctionDeclaration(d)) &&
    declarations.every((d) => /[\\/]@types[\\/]node[\\/](ts[\d.]+[\\/])?test\.d\.ts$/.test(d.getSourceFile().fileName));
}

/** Why awaiting this floating call would change what the program does, or undefined. */
function hazard(context: TransformContext, call: ts.CallExpression): string | undefined {
  const { checker } = context;
  const receiver = ts.isPropertyAccessExpression(call.expression) ? call.expression.expression : undefined;
  for (const operand of receiver === undefined ? call.arguments : [receiver, ...call.arguments]) {
    const batch = batchTypeName(checker.getTypeAtLocation(operand));
    if (batch !== undefined) {
      return `${calleeText(call)} queues onto ${operand.getText().slice(0, 40)} (${batch}), which settles only when it is executed: awaiting it before exec() would wait forever; left as is`;
    }
  }
  const loop = awaitLoopOf(checker, call);
  if (loop !== undefined) {
    const sf = loop.getSourceFile();
    const line = sf.getLineAndCharacterOfPosition(loop.getStart(sf)).line + 1;
    return `${calleeText(call)} loops on await until it is stopped (${context.relative(sf.fileName)}:${line}): awaiting it would wait for the whole loop; left running in the background (write \`void\` to say so)`;
  }
  return undefined;
}

const BATCH_NAME = /(Pipeline|ChainableCommander|Transaction|Multi(Command)?|Batch)$/;

/** The name of a pipeline/transaction type (ioredis `ChainableCommander`, node-redis multi, ...). */
function batchTypeName(type: ts.Type): string | undefined {
  for (const part of type.isUnion() ? type.types : [type]) {
    const name = (part.aliasSymbol ?? part.getSymbol())?.getName();
    if (name !== undefined && BATCH_NAME.test(name)) return name;
  }
  return undefined;
}

/**
 * A `while`/`do`/`for(;;)` loop with an `await` in the called function's own body, or in the body
 * of a function it calls (two calls deep: `run()` that starts and awaits `mainLoop()`).
 */
function awaitLoopOf(checker: ts.TypeChecker, call: ts.CallExpression, depth = 0, seen = new Set<ts.Node>()): ts.Node | undefined {
  for (const fn of calledBodies(checker, call)) {
    if (seen.has(fn)) continue;
    seen.add(fn);
    const loop = findOwn(fn.body!, (node) =>
      (ts.isWhileStatement(node) || ts.isDoStatement(node) || (ts.isForStatement(node) && node.condition === undefined)) &&
      findOwn(node.statement, ts.isAwaitExpression) !== undefined);
    if (loop !== undefined) return loop;
    if (depth >= 2) continue;
    let inner: ts.Node | undefined;
    findOwn(fn.body!, (node) => {
      if (ts.isCallExpression(node)) inner = awaitLoopOf(checker, node, depth + 1, seen);
      return inner !== undefined;
    });
    if (inner !== undefined) return inner;
  }
  return undefined;
}

type FunctionWithBody = ts.FunctionDeclaration | ts.MethodDeclaration | ts.FunctionExpression | ts.ArrowFunction;

/** The bodies (in the program's own source, not declaration files) that `call` may run. */
function calledBodies(checker: ts.TypeChecker, call: ts.CallExpression): FunctionWithBody[] {
  const callee = call.expression;
  const symbol = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(callee) ? callee.name : callee);
  const bodies: FunctionWithBody[] = [];
  for (const declaration of symbol?.declarations ?? []) {
    const fn = ts.isVariableDeclaration(declaration) || ts.isPropertyDeclaration(declaration) ? declaration.initializer : declaration;
    if (fn === undefined || !(ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn) || ts.isFunctionExpression(fn) || ts.isArrowFunction(fn))) continue;
    if (fn.body !== undefined && !fn.getSourceFile().isDeclarationFile) bodies.push(fn);
  }
  return bodies;
}

/** The first node under `root` (not inside a nested function) that `test` accepts. */
function findOwn(root: ts.Node, test: (node: ts.Node) => boolean): ts.Node | undefined {
  if (test(root)) return root;
  return ts.forEachChild(root, (child) => (ts.isFunctionLike(child) ? undefined : findOwn(child, test)));
}

function calleeText(call: ts.CallExpression): string {
  return `${call.expression.getText().replace(/\s+/g, '').slice(0, 50)}()`;
}
