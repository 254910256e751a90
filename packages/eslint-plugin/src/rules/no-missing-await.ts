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
    defaultOptions: [
      {
        ignoreVoid: true,
        ignoreIIFE: false,
        checkStoredPromises: true,
        checkValueContexts: true,
        knownSafeCalls: [...DEFAULT_KNOWN_SAFE_CALLS],
      },
    ],
  },
  create(context, [options]) {
    const ignoreVoid = options.ignoreVoid !== false;
    const { knownSafe, hasDottedSafeCalls } = safeCalls(options);
    const sourceCode = context.sourceCode;
    let analysisCache: FileAnalysis | null = null;
    const analysis = (): FileAnalysis => (analysisCache ??= getAnalysis(context));
    const reportedValues = new WeakSet<TSESTree.Node>();

    /** Cheap syntactic filter before asking the type checker: the expressions that can hold a promise. */
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
        case AST_NODE_TYPES.YieldExpression:
          return true;
        default:
          return false;
      }
    };

    /**
     * With types, what `input` evaluates to, judged on the expression as written (so `x as
     * Promise<T>` is a promise): a call is first judged by its callee's signatures, which is cheap,
     * and typed as a whole only when one of them may return a promise. Null when the type says
     * nothing (`any`, `unknown`, or no types at all): the caller falls back to the syntactic answer.
     */
    const typedKind = (input: TSESTree.Node): 'promise' | 'array' | 'none' | null => {
      const types = analysis().types;
      if (!types) return null;
      const call = input.type === AST_NODE_TYPES.ChainExpression ? input.expression : input;
      if (call.type === AST_NODE_TYPES.CallExpression || call.type === AST_NODE_TYPES.NewExpression) {
        const returns = types.callReturns(call);
        if (returns === 'none') return 'none';
        if (returns === 'any') return null;
      }
      const type = types.typeAt(input);
      if (!type || types.isUnknown(type)) return null;
      if (types.isPromise(type)) return 'promise';
      return types.isPromiseArray(type) ? 'array' : 'none';
    };

    /**
     * The syntactic answer, when the type says nothing. With types it was just asked (and is
     * `any`), so the syntactic reasoning is used directly instead of typing the expression again.
     */
    const untypedIsPromise = (node: TSESTree.Node): boolean => {
      const a = analysis();
      return a.types ? a.syntacticPromises.isPromise(skipWrappers(node)) : a.isPromise(skipWrappers(node));
    };

    const isPromise = (node: TSESTree.Node): boolean => {
      if (!mayBePromise(node)) return false;
      if (node.type === AST_NODE_TYPES.ImportExpression) return true;
      const kind = typedKind(node);
      if (kind !== null) return kind === 'promise';
      return untypedIsPromise(node);
    };

    const isKnownSafeCall = (node: TSESTree.Node): boolean => {
      if (node.type !== AST_NODE_TYPES.CallExpression) return false;
      const root = rootIdentifier(node.callee);
      if (root && knownSafe.has(root.name)) return true;
      if (!hasDottedSafeCalls) return false;
      const path = memberPath(node.callee);
      return path !== null && knownSafe.has(path.join('.'));
    };

    /** Without types: an array literal with a promise element, or `.map(async ...)`. */
    const isSyntacticPromiseArray = (input: TSESTree.Node): boolean => {
      const n = skipWrappers(input);
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

    /** What a statement's expression evaluates to: the type decides when there is one. */
    const statementKind = (input: TSESTree.Node): 'promise' | 'array' | 'none' => {
      if (!mayBePromise(input) && input.type !== AST_NODE_TYPES.ArrayExpression) return 'none';
      if (input.type === AST_NODE_TYPES.ImportExpression) return 'promise';
      const kind = typedKind(input);
      if (kind !== null) return kind;
      if (isSyntacticPromiseArray(input)) return 'array';
      return input.type !== AST_NODE_TYPES.ArrayExpression && untypedIsPromise(input) ? 'promise' : 'none';
    };

    const isRejectionHandler = (node: TSESTree.Node): boolean => {
      if (isFunctionNode(node)) return true;
      const types = analysis().types;
      if (types) {
        const type = types.typeAt(node);
        // Every member must be callable: a handler that may be `undefined` may leave the rejection unhandled.
        if (type && !types.isUnknown(type)) return types.isCallable(type);
      }
      // Without types (or typed `any`), anything but an obvious non-function counts as a handler.
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
      const kind = statementKind(input);
      if (kind === 'array') return { unhandled: true, kind: 'floatingArray' };
      if (kind === 'none') return HANDLED;
      if (node.type === AST_NODE_TYPES.CallExpression && node.callee.type === AST_NODE_TYPES.MemberExpression) {
        const method = propertyName(node.callee);
        if (method === 'catch' || method === 'then') {
          const position = method === 'catch' ? 0 : 1;
          // A spread at or before the handler's position: which argument handles rejections can't be told.
          if (node.arguments.slice(0, position + 1).some((a) => a.type === AST_NODE_TYPES.SpreadElement)) return { unhandled: true, kind: 'floating' };
          const handler = node.arguments[position];
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
      const types = analysis().types;
      if (!types) return isPromise(input);
      if (!worthTypeQuery(input) || !isPromise(input)) return false;
      // `if (pending)` with `pending: Promise<T> | undefined` tests presence: only an always-promise is a mistake.
      const type = types.typeAt(input);
      return !type || !type.isUnion() || type.types.every((t) => types.isUnknown(t) || types.isPromise(t));
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
            if (mentionsPromise(def.node.id.typeAnnotation)) return true;
            // Unannotated: the variable has its initialiser's type, so the callee's signatures tell.
            const init = def.node.init ? skipWrappers(def.node.init) : null;
            const types = analysis().types;
            return (
              init !== null &&
              (init.type === AST_NODE_TYPES.CallExpression || init.type === AST_NODE_TYPES.NewExpression) &&
              (types === null || def.node.id.typeAnnotation !== undefined || types.callReturns(init) !== 'none')
            );
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

    /** Whether the value of `node` is thrown away: it is, or is a branch of, a statement's expression. */
    const isDiscarded = (node: TSESTree.Node): boolean => {
      let child = node;
      for (;;) {
        const parent = child.parent;
        if (!parent) return false;
        switch (parent.type) {
          case AST_NODE_TYPES.ExpressionStatement:
            return true;
          case AST_NODE_TYPES.LogicalExpression:
          case AST_NODE_TYPES.SequenceExpression:
          case AST_NODE_TYPES.ChainExpression:
            break;
          case AST_NODE_TYPES.ConditionalExpression:
            if (parent.test === child) return false;
            break;
          case AST_NODE_TYPES.UnaryExpression:
            if (parent.operator !== 'void') return false;
            break;
          default:
            return false;
        }
        child = parent;
      }
    };

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
        // In a statement (`a.catch(h) || b.then(f, g);`) no value is meant: the floating check judges the operands.
        if (node.operator === '??' || isDiscarded(node)) return;
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
        // With types, TypeScript itself rejects spreading a promise into an array or arguments (not
        // iterable), unless an assertion silenced it.
        if (node.parent.type !== AST_NODE_TYPES.ObjectExpression && analysis().types && skipWrappers(node.argument) === node.argument) return;
        if (isPromiseValue(node.argument)) reportValue(node.argument, 'a spread');
      };
    }
    return listeners;
  },
});

