import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { enclosingFunction, functionName, isFunctionNode, propertyName, rootIdentifier, skipWrappers, type FunctionNode } from '../util/ast.js';
import { getAnalysis, type FileAnalysis } from '../util/analysis.js';
import { createRule } from '../util/createRule.js';
import { perOptions } from '../util/perOptions.js';
import { NODE_REDIS_FACTORIES, NODE_REDIS_MODULES } from '../util/knownApis.js';
import { isIoredisConstructor } from '../util/resources.js';
import { fromPackage, isIoredisFile } from '../util/types.js';

export type Options = [{ factories?: string[]; allowMemoized?: boolean }];
export type MessageIds = 'clientPerCall';

const factoryNames = perOptions((options: Options[0]): ReadonlySet<string> => new Set(options.factories ?? []));

export default createRule<Options, MessageIds>({
  name: 'no-redis-client-per-call',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow creating a Redis client inside a function that runs per request',
      recommended: 'recommended',
      requiresTypeChecking: false,
      usesTypeInformation: true,
    },
    schema: [
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          factories: {
            type: 'array',
            items: { type: 'string', minLength: 1 },
            uniqueItems: true,
            description: 'Names of functions, methods or classes that are allowed to create clients (factories, managers).',
          },
          allowMemoized: {
            type: 'boolean',
            description: 'Allow a client assigned to a variable of an outer scope or to `this` (created once, then reused).',
          },
        },
      },
    ],
    messages: {
      clientPerCall:
        '{{what}} inside {{where}} opens a new connection on every call. Create the client once at module scope, or use getRedisManager() from @asyncguard/runtime.',
    },
    defaultOptions: [{ factories: [], allowMemoized: true }],
  },
  create(context, [options]) {
    const factories = factoryNames(options);
    const allowMemoized = options.allowMemoized !== false;
    let analysisCache: FileAnalysis | null = null;
    const analysis = (): FileAnalysis => (analysisCache ??= getAnalysis(context));

    /** The function whose every run creates the client, or null when it runs once (module scope, class field, module IIFE). */
    const perCallFunction = (node: TSESTree.Node): FunctionNode | null => {
      const fn = enclosingFunction(node);
      if (!fn) return null;
      // `(() => { ... })()` / `(async () => ...)()` at module scope runs once.
      if (fn.parent.type === AST_NODE_TYPES.CallExpression && fn.parent.callee === fn && enclosingFunction(fn) === null) return null;
      return fn;
    };

    const insideFactory = (node: TSESTree.Node): boolean => {
      for (let n: TSESTree.Node | undefined = node.parent; n; n = n.parent) {
        if (isFunctionNode(n)) {
          const name = functionName(n);
          if (name !== null && factories.has(name)) return true;
        } else if ((n.type === AST_NODE_TYPES.ClassDeclaration || n.type === AST_NODE_TYPES.ClassExpression) && n.id && factories.has(n.id.name)) {
          return true;
        }
      }
      return false;
    };

    /** `cached = new Redis()`, `cached ??= new Redis()`, `this.client = new Redis()` with `cached` from an outer scope. */
    const isMemoized = (node: TSESTree.Node, fn: FunctionNode): boolean => {
      let child = node;
      let parent = node.parent;
      while (parent && (parent.type === AST_NODE_TYPES.LogicalExpression || parent.type === AST_NODE_TYPES.ConditionalExpression || parent.type === AST_NODE_TYPES.TSAsExpression)) {
        child = parent;
        parent = parent.parent;
      }
      if (!parent || parent.type !== AST_NODE_TYPES.AssignmentExpression || parent.right !== child) return false;
      let left = skipWrappers(parent.left);
      while (left.type === AST_NODE_TYPES.MemberExpression) left = skipWrappers(left.object);
      if (left.type === AST_NODE_TYPES.ThisExpression) return true;
      if (left.type !== AST_NODE_TYPES.Identifier) return false;
      // The variable (or the object holding the cache) must outlive the call.
      const variable = analysis().bindings.variable(left);
      const scopeBlock = variable?.scope.block;
      return scopeBlock !== undefined && !(fn.range[0] <= scopeBlock.range[0] && scopeBlock.range[1] <= fn.range[1]);
    };

    const check = (node: TSESTree.Node, what: string): void => {
      const fn = perCallFunction(node);
      if (!fn || insideFactory(node)) return;
      if (allowMemoized && isMemoized(node, fn)) return;
      const name = functionName(fn);
      context.report({ node, messageId: 'clientPerCall', data: { what, where: name ? `${name}()` : 'a function' } });
    };

    const isIoredisType = (node: TSESTree.Node): boolean | null => {
      const types = analysis().types;
      const type = types?.typeAt(node);
      if (!types || !type || types.isUnknown(type)) return null;
      return fromPackage(types.declarationFiles(type), isIoredisFile);
    };

    return {
      NewExpression(node) {
        // Without types an ioredis constructor is always reached through an import of the file.
        const root = rootIdentifier(node.callee);
        if (!analysis().types && (!root || !analysis().bindings.moduleLocals().has(root.name))) return;
        const canonical = analysis().bindings.canonicalName(node.callee);
        let isClient = canonical !== null && isIoredisConstructor(canonical);
        const typed = isIoredisType(node);
        if (typed !== null) isClient = typed;
        if (isClient) check(node, `new ${context.sourceCode.getText(node.callee)}()`);
      },
      CallExpression(node) {
        const callee = skipWrappers(node.callee);
        const name = callee.type === AST_NODE_TYPES.Identifier ? callee.name : callee.type === AST_NODE_TYPES.MemberExpression ? propertyName(callee) : null;
        if (name === null || !(name === 'duplicate' || NODE_REDIS_FACTORIES.has(name))) return;
        const canonical = analysis().bindings.canonicalName(callee);
        if (canonical !== null) {
          const dot = canonical.lastIndexOf('.');
          if (dot > 0 && NODE_REDIS_MODULES.has(canonical.slice(0, dot)) && NODE_REDIS_FACTORIES.has(canonical.slice(dot + 1))) {
            check(node, `${canonical.slice(dot + 1)}()`);
            return;
          }
        }
        if (callee.type === AST_NODE_TYPES.MemberExpression && propertyName(callee) === 'duplicate') {
          const receiver = analysis().resources.classify(callee.object);
          if (receiver?.kind === 'redis') check(node, `${context.sourceCode.getText(callee)}()`);
        }
      },
    };
  },
});
