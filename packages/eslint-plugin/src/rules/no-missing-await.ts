import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { isFunctionNode, memberPath, propertyName, rootIdentifier, skipWrappers } from '../util/ast.js';
import { getAnalysis, type FileAnalysis } from '../util/analysis.js';
import { createRule } from '../util/createRule.js';
import { perOptions } from '../util/perOptions.js';
import { canAwaitAt, prefixExpression } from '../util/fixes.js';

export type Options = [
  {
    ignoreVoid?: boolean;
    ignoreIIFE?: boolean;
    checkStoredPromises?: boolean;
    checkValueContexts?: boolean;
    knownSafeCalls?: string[];
  },
];

export type MessageIds =
  | 'floating'
  | 'floatingArray'
  | 'uselessRejectionHandler'
  | 'storedNeverAwaited'
  | 'valueContext'
  | 'addAwait'
  | 'addVoid'
  | 'awaitAll';

/** Test runners' registration calls: they return promises in `node:test`, and their runners await them. */
export const DEFAULT_KNOWN_SAFE_CALLS: readonly string[] = [
  'describe', 'it', 'test', 'suite', 'bench', 'context', 'specify',
  'before', 'after', 'beforeEach', 'afterEach', 'beforeAll', 'afterAll',
];

const VOID_COMMENT_TEXT = 'fire-and-forget: not awaited on purpose';

type Verdict = { unhandled: false } | { unhandled: true; kind: 'floating' | 'floatingArray' | 'uselessRejectionHandler' };
const HANDLED: Verdict = { unhandled: false };

/** The known-safe call names, built once per options object. */
const safeCalls = perOptions((options: Options[0]) => {
  const knownSafe: ReadonlySet<string> = new Set(options.knownSafeCalls ?? DEFAULT_KNOWN_SAFE_CALLS);
  return { knownSafe, hasDottedSafeCalls: [...knownSafe].some((name) => name.includes('.')) };
});

export default createRule<Options, MessageIds>({
  name: 'no-missing-await',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require promises to be awaited, returned, voided or handled, and not used as plain values',
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
          ignoreVoid: { type: 'boolean', description: 'Treat `void promise` as handled.' },
          ignoreIIFE: { type: 'boolean', description: 'Ignore async immediately-invoked function expressions.' },
          checkStoredPromises: { type: 'boolean', description: 'Report promises stored in a variable that is never read.' },
          checkValueContexts: {
            type: 'boolean',
            description: 'Report promises used where a value is meant: conditions, `!`, `&&`/`||` operands, template strings, spreads.',
          },
          knownSafeCalls: {
            type: 'array',
            items: { type: 'string', minLength: 1 },
            uniqueItems: true,
            description: 'Calls never reported, by the name the callee chain starts with (`test` covers `test.only(...)`) or by dotted path.',
          },
        },
      },
    ],
    messages: {
      floating: 'This promise is not awaited, returned, voided or handled: its rejection would go unhandled.',
      floatingArray: 'This array of promises is not awaited or handled: await it with Promise.all() or Promise.allSettled().',
      uselessRejectionHandler: 'The rejection handler is not a function, so this promise is still unhandled.',
      storedNeverAwaited: "The promise stored in '{{name}}' is never awaited, returned or passed on.",
      valueContext: 'A promise is used as {{context}}, where a value is meant: it is always truthy and never the result. Await it first.',
      addAwait: 'Add `await`.',
      addVoid: 'Mark it as fire-and-forget with `void` and a comment.',
      awaitAll: 'Wrap it in `await Promise.all(...)`.',
    },
  },
  defaultOptions: [
    {
      ignoreVoid: true,
      ignoreIIFE: false,
      checkStoredPromises: true,
      checkValueContexts: true,
      knownSafeCalls: [...DEFAULT_KNOWN_SAFE_CALLS],
    },
  ],
  create(context, [options]) {
    const ignoreVoid = options.ignoreVoid !== false;
    const { knownSafe, hasDottedSafeCalls } = safeCalls(options);
    const sourceCode = context.sourceCode;
    let analysisCache: FileAnalysis | null = null;
    const analysis = (): FileAnalysis => (analysisCache ??= getAnalysis(context));
    const reportedValues = new WeakSet<TSESTree.Node>();

    /** Cheap syntactic filter before asking the type checker. */
    const mayBePromise = (node: TSESTree.Node): boolean => {
      switch (node.type) {
        case AST_NODE_TYPES.Identifier:
        case AST_NODE_TYPES.MemberExpression:
        case AST_NODE_TYPES.CallExpression:
        case AST_NODE_TYPES.NewExpression:
        case AST_NODE_TYPES.ConditionalExpression:
        case AST_NODE_TYPES.ImportExpression:
        case AST_NODE_TYPES.TaggedTemplateExpression:
        case AST_NODE_TYPES.ChainExpression:
        case AST_NODE_TYPES.TSAsExpression:
        case AST_NODE_TYPES.TSNonNullExpression:
        case AST_NODE_TYPES.TSSatisfiesExpression:
        case AST_NODE_TYPES.TSTypeAssertion:
        case AST_NODE_TYPES.SequenceExpression:
          return true;
        default:
          return false;
      }
    };
    const isPromise = (node: TSESTree.Node): boolean => {
      if (!mayBePromise(node)) return false;
      if (node.type === AST_NODE_TYPES.ImportExpression) return true;
      return analysis().isPromise(node);
    };

    const isKnownSafeCall = (node: TSESTree.Node): boolean => {
      if (node.type !== AST_NODE_TYPES.CallExpression) return false;
      const root = rootIdentifier(node.callee);
      if (root && knownSafe.has(root.name)) return true;
      if (!hasDottedSafeCalls) return false;
      const path = memberPath(node.callee);
      return path !== null && knownSafe.has(path.join('.'));
    };

    const isPromiseArray = (node: TSESTree.Node): boolean => {
      const types = analysis().types;
      if (types) {
        const type = types.typeAt(node);
        if (type && !types.isUnknown(type)) {
          const checker = types.checker;
          const parts = type.isUnion() ? type.types : [type];
          for (const part of parts.map((t) => checker.getApparentType(t))) {
            if (checker.isArrayType(part) || checker.isTupleType(part)) {
              const args = checker.getTypeArguments(part as Parameters<typeof checker.getTypeArguments>[0]);
              if (args.some((t) => types.isPromise(t))) return true;
            }
          }
          return false;
        }
      }
      const n = skipWrappers(node);
      if (n.type === AST_NODE_TYPES.ArrayExpression) {
        return n.elements.some((e) => e !== null && e.type !== AST_NODE_TYPES.SpreadElement && isPromise(e));
      }
      if (n.type === AST_NODE_TYPES.CallExpression && n.callee.type === AST_NODE_TYPES.MemberExpression) {
        const method = propertyName(n.callee);
        const callback = n.arguments[0];
        return (method === 'map' || method === 'flatMap') && callback !== undefined && isFunctionNode(callback) && callback.async && !callback.generator;
      }
      return false;
    };

    const isRejectionHandler = (node: TSESTree.Node): boolean => {
      if (isFunctionNode(node)) return true;
      const types = analysis().types;
      if (types) {
        const type = types.typeAt(node);
        if (type && !types.isUnknown(type)) {
          const parts = type.isUnion() ? type.types : [type];
          return parts.some((t) => t.getCallSignatures().length > 0);
        }
      }
      // Without types, anything but an obvious non-function counts as a handler.
      const n = skipWrappers(node);
      if (n.type === AST_NODE_TYPES.Literal || n.type === AST_NODE_TYPES.ObjectExpression || n.type === AST_NODE_TYPES.ArrayExpression) return false;
      return !(n.type === AST_NODE_TYPES.Identifier && n.name === 'undefined');
    };

    const verdict = (input: TSESTree.Node): Verdict => {
      const node = skipWrappers(input);
      switch (node.type) {
        case AST_NODE_TYPES.AssignmentExpression:
        case AST_NODE_TYPES.AwaitExpression:
          return HANDLED;
        case AST_NODE_TYPES.SequenceExpression:
          for (const e of node.expressions) {
            const v = verdict(e);
            if (v.unhandled) return v;
          }
          return HANDLED;
        case AST_NODE_TYPES.UnaryExpression:
          if (node.operator === 'void' && !ignoreVoid) return verdict(node.argument);
          return HANDLED;
        case AST_NODE_TYPES.ConditionalExpression: {
          const v = verdict(node.alternate);
          return v.unhandled ? v : verdict(node.consequent);
        }
        case AST_NODE_TYPES.LogicalExpression: {
          const v = verdict(node.left);
          return v.unhandled ? v : verdict(node.right);
        }
        default:
          break;
      }
      if (isKnownSafeCall(node)) return HANDLED;
      if (node.type === AST_NODE_TYPES.CallExpression || node.type === AST_NODE_TYPES.ArrayExpression || node.type === AST_NODE_TYPES.Identifier || node.type === AST_NODE_TYPES.MemberExpression) {
        if (isPromiseArray(node)) return { unhandled: true, kind: 'floatingArray' };
      }
      if (!isPromise(node)) return HANDLED;
      if (node.type === AST_NODE_TYPES.CallExpression && node.callee.type === AST_NODE_TYPES.MemberExpression) {
        const method = propertyName(node.callee);
        const handler = method === 'catch' ? node.arguments[0] : method === 'then' ? node.arguments[1] : undefined;
        if (method === 'catch' || method === 'then') {
          if (handler === undefined) return { unhandled: true, kind: 'floating' };
          return isRejectionHandler(handler) ? HANDLED : { unhandled: true, kind: 'uselessRejectionHandler' };
        }
        if (method === 'finally') return verdict(node.callee.object);
      }
      return { unhandled: true, kind: 'floating' };
    };

    const awaitSuggestion = (target: TSESTree.Node) => ({
      messageId: 'addAwait' as const,
      fix: (fixer: TSESLint.RuleFixer): TSESLint.RuleFix[] => {
        if (target.type === AST_NODE_TYPES.UnaryExpression && target.operator === 'void') {
          return [fixer.replaceTextRange([target.range[0], target.range[0] + 4], 'await')];
        }
        return prefixExpression(fixer, target, 'await ', sourceCode);
      },
    });

    const checkStatementExpression = (reportNode: TSESTree.Node, expression: TSESTree.Expression): void => {
      if (options.ignoreIIFE && expression.type === AST_NODE_TYPES.CallExpression && isFunctionNode(expression.callee)) return;
      const v = verdict(expression);
      if (!v.unhandled) return;
      const canAwait = canAwaitAt(reportNode, sourceCode);
      if (v.kind === 'floatingArray') {
        context.report({
          node: reportNode,
          messageId: 'floatingArray',
          suggest: canAwait
            ? [{ messageId: 'awaitAll', fix: (fixer) => [fixer.insertTextBefore(expression, 'await Promise.all('), fixer.insertTextAfter(expression, ')')] }]
            : [],
        });
        return;
      }
      const suggest: TSESLint.SuggestionReportDescriptor<MessageIds>[] = [];
      if (canAwait) suggest.push(awaitSuggestion(expression));
      const isVoided = expression.type === AST_NODE_TYPES.UnaryExpression && expression.operator === 'void';
      if (ignoreVoid && !isVoided && reportNode.type === AST_NODE_TYPES.ExpressionStatement) {
        suggest.push({
          messageId: 'addVoid',
          fix: (fixer) => {
            // A line comment when nothing follows on the line, a block comment otherwise.
            const next = sourceCode.getTokenAfter(reportNode, { includeComments: true });
            const comment = !next || next.loc.start.line > reportNode.loc.end.line ? ` // ${VOID_COMMENT_TEXT}` : ` /* ${VOID_COMMENT_TEXT} */`;
            return [...prefixExpression(fixer, expression, 'void ', sourceCode), fixer.insertTextAfter(reportNode, comment)];
          },
        });
      }
      context.report({ node: reportNode, messageId: v.kind, suggest });
    };

    /**
     * Value contexts are everywhere (conditions, template strings), so with type information the
     * rule only asks the checker about expressions that can plausibly hold a promise: calls, and
     * variables initialised by a call or annotated with a promise type. Without types the
     * syntactic check is cheap and used as is.
     */
    const isPromiseValue = (input: TSESTree.Node): boolean => {
      if (!analysis().types) return isPromise(input);
      return worthTypeQuery(input) && isPromise(input);
    };
    const worthTypeQuery = (input: TSESTree.Node): boolean => {
      const node = skipWrappers(input);
      switch (node.type) {
        case AST_NODE_TYPES.CallExpression:
        case AST_NODE_TYPES.NewExpression:
        case AST_NODE_TYPES.ImportExpression:
          return true;
        case AST_NODE_TYPES.ConditionalExpression:
          return worthTypeQuery(node.consequent) || worthTypeQuery(node.alternate);
        case AST_NODE_TYPES.Identifier: {
          const def = analysis().bindings.variable(node)?.defs[0];
          if (!def) return false;
          if (def.type === 'Variable') {
            const init = def.node.init ? skipWrappers(def.node.init) : null;
            if (init && (init.type === AST_NODE_TYPES.CallExpression || init.type === AST_NODE_TYPES.NewExpression)) return true;
            return mentionsPromise(def.node.id.typeAnnotation);
          }
          if (def.type === 'Parameter') return def.name.type === AST_NODE_TYPES.Identifier && mentionsPromise(def.name.typeAnnotation);
          return false;
        }
        default:
          return false;
      }
    };
    const mentionsPromise = (annotation: TSESTree.TSTypeAnnotation | undefined): boolean =>
      annotation !== undefined && /Promise|Thenable|PromiseLike/.test(sourceCode.getText(annotation));

    const reportValue = (node: TSESTree.Node, contextName: string): void => {
      if (reportedValues.has(node)) return;
      reportedValues.add(node);
      context.report({
        node,
        messageId: 'valueContext',
        data: { context: contextName },
        suggest: canAwaitAt(node, sourceCode) ? [awaitSuggestion(node)] : [],
      });
    };

    const checkCondition = (input: TSESTree.Node | null | undefined): void => {
      if (!input) return;
      const node = skipWrappers(input);
      if (node.type === AST_NODE_TYPES.LogicalExpression && node.operator !== '??') {
        checkCondition(node.left);
        checkCondition(node.right);
      } else if (node.type === AST_NODE_TYPES.UnaryExpression && node.operator === '!') {
        checkCondition(node.argument);
      } else if (isPromiseValue(input)) {
        reportValue(input, 'a condition');
      }
    };

    const listeners: TSESLint.RuleListener = {
      ExpressionStatement(node) {
        // oxlint sets `directive: null` on plain statements, ESLint leaves it out.
        if (typeof node.directive === 'string') return;
        checkStatementExpression(node, node.expression);
      },
    };
    if (!ignoreVoid) {
      listeners.ArrowFunctionExpression = (node): void => {
        if (node.body.type === AST_NODE_TYPES.UnaryExpression && node.body.operator === 'void') checkStatementExpression(node.body, node.body);
      };
    }
    if (options.checkStoredPromises !== false) {
      listeners.VariableDeclarator = (node): void => {
        if (node.id.type !== AST_NODE_TYPES.Identifier || !node.init || node.definite) return;
        const declaration = node.parent;
        if (declaration.kind === 'using' || declaration.kind === 'await using') return;
        const owner = declaration.parent;
        if (owner.type === AST_NODE_TYPES.ExportNamedDeclaration) return;
        if ((owner.type === AST_NODE_TYPES.ForOfStatement || owner.type === AST_NODE_TYPES.ForInStatement) && owner.left === declaration) return;
        const variable = sourceCode.getDeclaredVariables(node)[0];
        if (!variable || variable.references.some((r) => r.isRead())) return;
        if (!isPromise(node.init)) return;
        context.report({
          node: node.id,
          messageId: 'storedNeverAwaited',
          data: { name: node.id.name },
          suggest: canAwaitAt(node, sourceCode) ? [awaitSuggestion(node.init)] : [],
        });
      };
    }
    if (options.checkValueContexts !== false) {
      const test = (node: { test: TSESTree.Expression | null }): void => checkCondition(node.test);
      listeners.IfStatement = test;
      listeners.WhileStatement = test;
      listeners.DoWhileStatement = test;
      listeners.ForStatement = test;
      listeners.ConditionalExpression = test;
      listeners.LogicalExpression = (node): void => {
        if (node.operator === '??') return;
        if (isPromiseValue(node.left)) reportValue(node.left, `the left operand of \`${node.operator}\``);
      };
      listeners.UnaryExpression = (node): void => {
        if (node.operator === '!' && isPromiseValue(node.argument)) reportValue(node.argument, 'the operand of `!`');
      };
      listeners.TemplateLiteral = (node): void => {
        if (node.parent.type === AST_NODE_TYPES.TaggedTemplateExpression) return;
        for (const e of node.expressions) if (isPromiseValue(e)) reportValue(e, 'a template string value');
      };
      listeners.SpreadElement = (node): void => {
        if (isPromiseValue(node.argument)) reportValue(node.argument, 'a spread');
      };
    }
    return listeners;
  },
});

