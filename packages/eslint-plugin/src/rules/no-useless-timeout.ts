import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { calleeName, isFunctionNode, skipWrappers, someInSameFunction } from '../util/ast.js';
import { getAnalysis, type FileAnalysis } from '../util/analysis.js';
import { builtinBlockingHint } from '../util/blocking.js';
import { createRule } from '../util/createRule.js';
import { perOptions } from '../util/perOptions.js';

export type Options = [{ wrappers?: string[] }];
export type MessageIds = 'notPromise' | 'syncWork' | 'alreadyAwaited' | 'removeAwait';

const DEFAULT_WRAPPERS = ['withTimeout'];
/** Pure synchronous built-ins whose result is never a promise. */
const SYNC_BUILTINS = /^(JSON\.(parse|stringify)|Math\.\w+|Object\.(keys|values|entries|assign|freeze)|Array\.(from|isArray)|String|Number|Boolean|structuredClone)$/;

const wrapperNames = perOptions((options: Options[0]): ReadonlySet<string> => new Set([...DEFAULT_WRAPPERS, ...(options.wrappers ?? [])]));

export default createRule<Options, MessageIds>({
  name: 'no-useless-timeout',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow timeout wrappers around work that is not a promise or a function returning one',
      recommended: 'recommended',
      requiresTypeChecking: false,
      usesTypeInformation: true,
    },
    hasSuggestions: true,
    schema: [
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          wrappers: {
            type: 'array',
            items: { type: 'string', minLength: 1 },
            uniqueItems: true,
            description: 'Extra names of timeout wrappers whose first argument is the work (`withTimeout` is always one).',
          },
        },
      },
    ],
    messages: {
      notPromise: '{{wrapper}} gets {{what}}, which is not a promise: there is nothing for the timeout to bound.',
      syncWork: '{{wrapper}} gets a function that does not return a promise: its work runs synchronously, and a timer cannot interrupt it.',
      alreadyAwaited: '{{wrapper}} gets an awaited value: the wait is over before the timeout starts. Pass the promise itself.',
      removeAwait: 'Remove `await` so the timeout bounds the promise.',
    },
    defaultOptions: [{ wrappers: [] }],
  },
  create(context, [options]) {
    const wrappers = wrapperNames(options);
    const sourceCode = context.sourceCode;
    let analysisCache: FileAnalysis | null = null;
    const analysis = (): FileAnalysis => (analysisCache ??= getAnalysis(context));

    /** True only when the expression can be shown, without types, never to be a promise. */
    const certainlyNotPromise = (input: TSESTree.Node): string | null => {
      const node = skipWrappers(input);
      switch (node.type) {
        case AST_NODE_TYPES.Literal:
          return 'a literal';
        case AST_NODE_TYPES.TemplateLiteral:
          return 'a string';
        case AST_NODE_TYPES.ObjectExpression:
          return 'an object literal';
        case AST_NODE_TYPES.ArrayExpression:
          return 'an array';
        case AST_NODE_TYPES.BinaryExpression:
        case AST_NODE_TYPES.UpdateExpression:
          return 'a computed value';
        case AST_NODE_TYPES.UnaryExpression:
          return 'a computed value';
        case AST_NODE_TYPES.ClassExpression:
          return 'a class';
        case AST_NODE_TYPES.Identifier:
          return node.name === 'undefined' && analysis().bindings.isGlobal(node) ? '`undefined`' : null;
        case AST_NODE_TYPES.CallExpression: {
          const canonical = analysis().bindings.canonicalName(skipWrappers(node.callee));
          if (canonical === null) return null;
          if (builtinBlockingHint(canonical) !== null) return `the result of ${canonical}() (synchronous)`;
          return SYNC_BUILTINS.test(canonical) ? `the result of ${canonical}()` : null;
        }
        default:
          return null;
      }
    };

    /** A non-async function whose every return (or expression body) is certainly not a promise. */
    const syncFunction = (fn: TSESTree.ArrowFunctionExpression | TSESTree.FunctionExpression): boolean => {
      if (fn.async || fn.generator) return false;
      if (fn.body.type !== AST_NODE_TYPES.BlockStatement) return certainlyNotPromise(fn.body) !== null;
      let possiblyPromise = false;
      someInSameFunction(fn.body, (n) => {
        if (n.type === AST_NODE_TYPES.ReturnStatement && n.argument && certainlyNotPromise(n.argument) === null) possiblyPromise = true;
        return possiblyPromise;
      });
      return !possiblyPromise;
    };

    /** With types: 'value' / 'function' when the work is proven not to be (or return) a thenable; null otherwise. */
    const typedVerdict = (work: TSESTree.Node): 'value' | 'function' | 'ok' | null => {
      const types = analysis().types;
      if (!types) return null;
      const type = types.typeAt(work);
      if (!type || types.isUnknown(type)) return null;
      const checker = types.checker;
      const thenable = (t: import('typescript').Type): boolean => {
        if (types.isUnknown(t)) return true;
        const parts = t.isUnion() ? t.types : [t];
        return parts.some((p) => types.isUnknown(p) || checker.getApparentType(p).getProperty('then') !== undefined);
      };
      const signatures = type.getCallSignatures();
      if (signatures.length > 0) return signatures.some((s) => thenable(s.getReturnType())) ? 'ok' : 'function';
      return thenable(type) ? 'ok' : 'value';
    };

    return {
      CallExpression(call) {
        const name = calleeName(call.callee);
        if (name === null || !wrappers.has(name)) return;
        const work = call.arguments[0];
        if (!work || work.type === AST_NODE_TYPES.SpreadElement) return;
        const bare = skipWrappers(work);
        const wrapper = sourceCode.getText(call.callee);

        if (bare.type === AST_NODE_TYPES.AwaitExpression) {
          context.report({
            node: work,
            messageId: 'alreadyAwaited',
            data: { wrapper },
            suggest: [{ messageId: 'removeAwait', fix: (fixer) => fixer.replaceText(bare, sourceCode.getText(bare.argument)) }],
          });
          return;
        }
        const typed = typedVerdict(work);
        if (typed === 'ok') return;
        if (typed === 'function') {
          context.report({ node: work, messageId: 'syncWork', data: { wrapper } });
          return;
        }
        if (typed === 'value') {
          context.report({ node: work, messageId: 'notPromise', data: { wrapper, what: certainlyNotPromise(work) ?? 'a value' } });
          return;
        }
        if ((bare.type === AST_NODE_TYPES.ArrowFunctionExpression || bare.type === AST_NODE_TYPES.FunctionExpression) && syncFunction(bare)) {
          context.report({ node: work, messageId: 'syncWork', data: { wrapper } });
          return;
        }
        if (isFunctionNode(bare)) return;
        const what = certainlyNotPromise(work);
        if (what !== null) context.report({ node: work, messageId: 'notPromise', data: { wrapper, what } });
      },
    };
  },
});
