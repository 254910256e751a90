import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { isFunctionNode, memberPath, propertyName, skipWrappers, someInSameFunction } from '../util/ast.js';
import { getAnalysis, type FileAnalysis } from '../util/analysis.js';
import { createRule } from '../util/createRule.js';

export type Options = [{ logFunctions?: string[]; checkPromiseCatch?: boolean }];
export type MessageIds = 'silentCatch' | 'silentPromiseCatch';

/** A call through one of these objects, or of one of these methods, counts as logging. */
const LOG_OBJECTS = /^(console|logger|log|logging|sentry|bugsnag|rollbar|honeybadger|newrelic|datadog|span|tracer|telemetry)$/i;
const LOG_METHODS = new Set([
  'log', 'warn', 'warning', 'error', 'info', 'debug', 'trace', 'fatal', 'critical', 'exception',
  'captureException', 'captureMessage', 'captureError', 'recordException', 'notify', 'report', 'reportError',
]);
/** Calls that pass a failure on. */
const PASS_ON = new Set(['reject', 'next', 'callback', 'cb', 'done', 'fail']);

export default createRule<Options, MessageIds>({
  name: 'no-silent-io-catch',
  meta: {
    type: 'suggestion',
    docs: {
      description: 'Disallow catching the failure of awaited I/O without logging, rethrowing or passing the error on',
      recommended: 'strict',
      requiresTypeChecking: false,
      usesTypeInformation: true,
    },
    schema: [
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          logFunctions: {
            type: 'array',
            items: { type: 'string', minLength: 1 },
            uniqueItems: true,
            description: 'More callees that count as logging, by last name (`audit`) or dotted path (`this.events.emit`).',
          },
          checkPromiseCatch: { type: 'boolean', description: 'Also check `.catch(handler)` and `.then(_, handler)` on promises.' },
        },
      },
    ],
    messages: {
      silentCatch:
        'This catch swallows the failure of awaited I/O: log it, rethrow it or pass the error on, so the degraded path is visible.',
      silentPromiseCatch:
        'This rejection handler swallows the failure: log it, rethrow it or pass the error on, so the degraded path is visible.',
    },
    defaultOptions: [{ logFunctions: [], checkPromiseCatch: true }],
  },
  create(context, [options]) {
    const extraLog = new Set(options.logFunctions ?? []);
    const sourceCode = context.sourceCode;
    let analysisCache: FileAnalysis | null = null;
    const analysis = (): FileAnalysis => (analysisCache ??= getAnalysis(context));

    const isLoggingCall = (call: TSESTree.CallExpression): boolean => {
      const path = memberPath(call.callee);
      if (!path) return false;
      const last = path[path.length - 1]!;
      if (extraLog.has(last) || extraLog.has(path.join('.'))) return true;
      if (PASS_ON.has(last)) return true;
      if (LOG_METHODS.has(last)) return true;
      return path.slice(0, -1).some((segment) => LOG_OBJECTS.test(segment));
    };

    /** The handler does something visible with the failure. */
    const handlesFailure = (body: TSESTree.Node, owner: TSESTree.CatchClause | TSESTree.FunctionLike): boolean => {
      // The catch clause or handler function declares the error binding(s).
      for (const variable of sourceCode.getDeclaredVariables(owner)) {
        if (variable.references.some((r) => r.isRead())) return true;
      }
      return someInSameFunction(body, (n) => n.type === AST_NODE_TYPES.ThrowStatement || (n.type === AST_NODE_TYPES.CallExpression && isLoggingCall(n)));
    };

    /** An awaited promise in the try block (with types: of a promise or unknown type). */
    const awaitsWork = (block: TSESTree.BlockStatement): boolean =>
      someInSameFunction(block, (n) => {
        if (n.type === AST_NODE_TYPES.ForOfStatement && n.await) return true;
        if (n.type !== AST_NODE_TYPES.AwaitExpression) return false;
        const types = analysis().types;
        if (!types) return true;
        const type = types.typeAt(n.argument);
        return !type || types.isUnknown(type) || types.isPromise(type) || type.getProperty('then') !== undefined;
      });

    return {
      TryStatement(node) {
        const handler = node.handler;
        if (!handler) return;
        if (!awaitsWork(node.block)) return;
        if (handlesFailure(handler.body, handler)) return;
        context.report({ node: handler, messageId: 'silentCatch' });
      },
      CallExpression(node) {
        if (options.checkPromiseCatch === false) return;
        const callee = skipWrappers(node.callee);
        if (callee.type !== AST_NODE_TYPES.MemberExpression) return;
        const method = propertyName(callee);
        const handler = method === 'catch' ? node.arguments[0] : method === 'then' ? node.arguments[1] : undefined;
        if (!handler || !isFunctionNode(handler)) return;
        if (!analysis().isPromise(callee.object)) return;
        if (handlesFailure(handler.body, handler)) return;
        context.report({ node: handler, messageId: 'silentPromiseCatch' });
      },
    };
  },
});
