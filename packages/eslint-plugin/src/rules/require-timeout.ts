import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { foldNumber, isFunctionNode, memberPath, propertyName, skipWrappers, someDescendant, type FunctionNode } from '../util/ast.js';
import { getAnalysis, type FileAnalysis } from '../util/analysis.js';
import { budgetsSchema, resolveBudgets, type BudgetCategory, type Budgets } from '../util/budgets.js';
import { createRule } from '../util/createRule.js';
import { perOptions } from '../util/perOptions.js';
import { ensureNamedImport } from '../util/imports.js';
import {
  ASYNCGUARD_RUNTIME,
  LLAMA_IO_METHODS,
  LLAMA_METHOD_CATEGORY,
  LLAMA_STATIC_IO,
  REDIS_BLOCKING_FIRST_ARG_SECONDS,
  REDIS_BLOCKING_LAST_ARG_SECONDS,
  REDIS_BLOCKING_STREAM_COMMANDS,
  REDIS_SCAN_COMMANDS,
  redisCommandOf,
} from '../util/knownApis.js';
import { isIoredisConstructor, type Resource } from '../util/resources.js';

export type Options = [
  {
    budgets?: Partial<Record<BudgetCategory, number>>;
    wrappers?: string[];
  },
];

export type MessageIds = 'missingTimeout' | 'overBudget' | 'blocksForever' | 'wrapWithTimeout';

/** An I/O call the rule guards, with the budget category it is judged by. */
interface GuardedCall {
  call: TSESTree.CallExpression;
  operation: string;
  category: BudgetCategory;
  resource: Resource;
}

const DEFAULT_WRAPPERS = ['withTimeout'];
/** Callers-of-helper hops followed when deciding whether every call of a helper is protected. */
const MAX_HELPER_DEPTH = 2;

/** The merged budget table and wrapper names, built once per options object. */
const derivedOptions = perOptions((options: Options[0]): { budgets: Budgets; wrappers: ReadonlySet<string> } => ({
  budgets: resolveBudgets(options.budgets),
  wrappers: new Set([...DEFAULT_WRAPPERS, ...(options.wrappers ?? [])]),
}));

export default createRule<Options, MessageIds>({
  name: 'require-timeout',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require Redis and LlamaIndex calls to be bounded by a timeout within their budget',
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
          budgets: budgetsSchema,
          wrappers: {
            type: 'array',
            items: { type: 'string', minLength: 1 },
            uniqueItems: true,
            description: 'Extra names of functions that bound the work passed as their first argument (`withTimeout` is always one).',
          },
        },
      },
    ],
    messages: {
      missingTimeout:
        '{{operation}} has no timeout: wrap it in withTimeout(…, {{budget}}) (the {{category}} budget), or go through a client with commandTimeout or an asyncguard RedisManager.',
      overBudget: 'Timeout of {{ms}} ms is above the {{category}} budget of {{budget}} ms.',
      blocksForever: '{{operation}} with timeout 0 blocks its connection forever; pass a timeout in {{unit}}.',
      wrapWithTimeout: 'Wrap in withTimeout(…, {{budget}}).',
    },
    defaultOptions: [{ budgets: {}, wrappers: [] }],
  },
  create(context, [options]) {
    const { budgets, wrappers } = derivedOptions(options);
    const sourceCode = context.sourceCode;
    const reportedBudgetNodes = new WeakSet<TSESTree.Node>();
    let analysisCache: FileAnalysis | null = null;
    const analysis = (): FileAnalysis => (analysisCache ??= getAnalysis(context));

    const constant = (node: TSESTree.Node): number | null => {
      const folded = foldNumber(node, (id) => analysis().bindings.initOf(id));
      if (folded !== null) return folded;
      const types = analysis().types;
      const type = types?.typeAt(node);
      return type?.isNumberLiteral() ? type.value : null;
    };

    const checkBudget = (msNode: TSESTree.Node | undefined, category: BudgetCategory): void => {
      if (!msNode || reportedBudgetNodes.has(msNode)) return;
      const ms = constant(msNode);
      if (ms === null || ms <= budgets[category]) return;
      reportedBudgetNodes.add(msNode);
      context.report({ node: msNode, messageId: 'overBudget', data: { ms, category, budget: budgets[category] } });
    };

    const calleeName = (callee: TSESTree.Node): string | null => {
      const path = memberPath(callee);
      return path ? path[path.length - 1]! : null;
    };

    /** What kind of guarded call `call` is, or null. */
    const classifyCall = (call: TSESTree.CallExpression): GuardedCall | null => {
      const callee = skipWrappers(call.callee);
      if (callee.type !== AST_NODE_TYPES.MemberExpression) return null;
      const method = propertyName(callee);
      // Cheap pre-filter by method name before classifying the receiver.
      if (method === null || !(method === 'exec' || method in LLAMA_METHOD_CATEGORY || method in LLAMA_STATIC_IO || redisCommandOf(method) !== null)) return null;
      const resource = analysis().resources.classify(callee.object);
      if (!resource) return null;
      switch (resource.kind) {
        case 'redis': {
          const command = redisCommandOf(method);
          if (command === null || command === 'connect' || command === 'quit') return null;
          const category = REDIS_SCAN_COMMANDS.has(command) ? 'redisScan' : 'redis';
          return { call, operation: `Redis ${command.toUpperCase()}`, category, resource };
        }
        case 'redisPipeline':
          return method === 'exec' ? { call, operation: 'Redis pipeline EXEC', category: 'redis', resource } : null;
        case 'redisManaged':
          return null;
        case 'llama': {
          const category = resource.staticClass ? LLAMA_STATIC_IO[method] : LLAMA_IO_METHODS[resource.llama][method];
          return category ? { call, operation: `LlamaIndex ${method}()`, category, resource } : null;
        }
      }
    };

    /** `commandTimeout` in the options of the `new Redis(...)`/`new Cluster(...)` that made the client. */
    const commandTimeoutOf = (resource: Resource): TSESTree.Property | null => {
      const client = resource.kind === 'redisPipeline' ? resource.client : resource;
      if (!client || client.kind !== 'redis' || !client.construction) return null;
      for (const arg of client.construction.arguments) {
        const found = findOption(skipWrappers(arg), 'commandTimeout');
        if (found) return found;
      }
      return null;
    };

    /** Blocking commands are judged by their own timeout argument: null when not a blocking form. */
    const blockingTimeout = (guarded: GuardedCall): { value: number | null; unit: string } | null => {
      const call = guarded.call;
      const method = propertyName(skipWrappers(call.callee) as TSESTree.MemberExpression);
      const command = method ? redisCommandOf(method) : null;
      if (guarded.resource.kind !== 'redis' || command === null) return null;
      const args = call.arguments.filter((a) => !isFunctionNode(a));
      if (REDIS_BLOCKING_LAST_ARG_SECONDS.has(command) || REDIS_BLOCKING_FIRST_ARG_SECONDS.has(command)) {
        const arg = REDIS_BLOCKING_FIRST_ARG_SECONDS.has(command) ? args[0] : args[args.length - 1];
        if (!arg || args.length < 2) return null;
        return { value: argNumber(arg), unit: 'seconds' };
      }
      if (REDIS_BLOCKING_STREAM_COMMANDS.has(command)) {
        const index = args.findIndex((a) => a.type === AST_NODE_TYPES.Literal && typeof a.value === 'string' && a.value.toUpperCase() === 'BLOCK');
        if (index < 0) return null;
        const arg = args[index + 1];
        return arg ? { value: argNumber(arg), unit: 'milliseconds' } : null;
      }
      return null;
    };
    const argNumber = (arg: TSESTree.Node): number | null => {
      const n = skipWrappers(arg);
      if (n.type === AST_NODE_TYPES.Literal && typeof n.value === 'string' && /^\d+(\.\d+)?$/.test(n.value)) return Number(n.value);
      return constant(n);
    };

    /**
     * `AbortSignal.timeout(...)` passed to the call: as an argument, as an option's value
     * (`{ signal: AbortSignal.timeout(ms) }`), or through a constant initialised with it.
     * A shallow look, no tree walk: this runs for every guarded call.
     */
    const abortSignalTimeoutIn = (call: TSESTree.CallExpression): TSESTree.CallExpression | null => {
      const timeoutCall = (input: TSESTree.Node, depth: number): TSESTree.CallExpression | null => {
        const node = skipWrappers(input);
        if (node.type === AST_NODE_TYPES.CallExpression) {
          const callee = skipWrappers(node.callee);
          if (
            callee.type === AST_NODE_TYPES.MemberExpression &&
            propertyName(callee) === 'timeout' &&
            callee.object.type === AST_NODE_TYPES.Identifier &&
            callee.object.name === 'AbortSignal'
          ) {
            return node;
          }
          // AbortSignal.any([outer, AbortSignal.timeout(ms)])
          if (depth < 2 && callee.type === AST_NODE_TYPES.MemberExpression && propertyName(callee) === 'any') {
            const list = node.arguments[0];
            if (list?.type === AST_NODE_TYPES.ArrayExpression) {
              for (const e of list.elements) {
                const found = e && e.type !== AST_NODE_TYPES.SpreadElement ? timeoutCall(e, depth + 1) : null;
                if (found) return found;
              }
            }
          }
          return null;
        }
        if (node.type === AST_NODE_TYPES.Identifier && depth < 2) {
          const init = analysis().bindings.initOf(node);
          return init ? timeoutCall(init, depth + 1) : null;
        }
        if (node.type === AST_NODE_TYPES.ObjectExpression && depth < 2) {
          for (const prop of node.properties) {
            const found = prop.type === AST_NODE_TYPES.Property ? timeoutCall(prop.value, depth + 1) : null;
            if (found) return found;
          }
        }
        return null;
      };
      for (const arg of call.arguments) {
        const found = timeoutCall(arg, 0);
        if (found) return found;
      }
      return null;
    };

    const containsTimer = (node: TSESTree.Node): boolean =>
      someDescendant(node, (n) => {
        if (n.type !== AST_NODE_TYPES.CallExpression) return false;
        const name = calleeName(n.callee);
        return name !== null && (/^(setTimeout|delay|sleep|timeout)$/i.test(name) || /timeout|deadline/i.test(name));
      });

    /**
     * Whether `node` is bounded by an enclosing wrapper, a `Promise.race` with a timer, or (for
     * code inside a same-file helper) whether every call of the helper is. Reports wrapper budgets
     * above the category's budget on the way.
     */
    const protectedByContext = (node: TSESTree.Node, category: BudgetCategory, depth: number): boolean => {
      let child: TSESTree.Node = node;
      let parent = node.parent;
      // `const pending = client.get(k); ... withTimeout(pending, ms)`: a stored promise that is later bounded.
      if (storedThenBounded(node, category, depth)) return true;
      while (parent) {
        if (parent.type === AST_NODE_TYPES.CallExpression && child !== parent.callee) {
          const name = calleeName(parent.callee);
          if (name !== null && wrappers.has(name) && parent.arguments[0] === child) {
            checkBudget(parent.arguments[1], category);
            return true;
          }
        }
        if (
          parent.type === AST_NODE_TYPES.ArrayExpression &&
          parent.parent.type === AST_NODE_TYPES.CallExpression &&
          memberPath(parent.parent.callee)?.join('.') === 'Promise.race' &&
          parent.elements.some((e) => e !== null && e !== child && containsTimer(e))
        ) {
          return true;
        }
        if (isFunctionNode(parent)) {
          const helper = helperCallsProtected(parent, category, depth);
          if (helper !== null) return helper;
        }
        child = parent;
        parent = parent.parent;
      }
      return false;
    };

    /** The call initialises a `const` whose value is passed on to a wrapper (or a timed race) somewhere. */
    const storedThenBounded = (call: TSESTree.Node, category: BudgetCategory, depth: number): boolean => {
      let init: TSESTree.Node = call;
      while (init.parent && (init.parent.type === AST_NODE_TYPES.TSAsExpression || init.parent.type === AST_NODE_TYPES.TSSatisfiesExpression || init.parent.type === AST_NODE_TYPES.TSNonNullExpression)) {
        init = init.parent;
      }
      const declarator = init.parent;
      if (depth >= MAX_HELPER_DEPTH || declarator?.type !== AST_NODE_TYPES.VariableDeclarator || declarator.init !== init || declarator.id.type !== AST_NODE_TYPES.Identifier) return false;
      if (declarator.parent.type !== AST_NODE_TYPES.VariableDeclaration || declarator.parent.kind !== 'const') return false;
      const variable = sourceCode.getDeclaredVariables(declarator)[0];
      return variable?.references.some((r) => r.isRead() && protectedByContext(r.identifier, category, depth + 1)) ?? false;
    };

    /**
     * For a named function (declaration or `const f = () => ...`), true when it is called at
     * least once and every call is protected; false when it is used otherwise; null to keep
     * walking (callbacks passed inline).
     */
    const helperCallsProtected = (fn: FunctionNode, category: BudgetCategory, depth: number): boolean | null => {
      let declared: TSESTree.Node | null = null;
      if (fn.type === AST_NODE_TYPES.FunctionDeclaration) declared = fn;
      else if (fn.parent.type === AST_NODE_TYPES.VariableDeclarator && fn.parent.init === fn) declared = fn.parent;
      else if (fn.parent.type === AST_NODE_TYPES.MethodDefinition || fn.parent.type === AST_NODE_TYPES.PropertyDefinition || fn.parent.type === AST_NODE_TYPES.Property) return false;
      if (declared === null) return null;
      if (depth >= MAX_HELPER_DEPTH) return false;
      const variable = sourceCode.getDeclaredVariables(declared)[0];
      const reads = variable?.references.filter((r) => r.isRead()) ?? [];
      if (reads.length === 0) return false;
      return reads.every((r) => {
        const call = r.identifier.parent;
        return call.type === AST_NODE_TYPES.CallExpression && call.callee === r.identifier && protectedByContext(call, category, depth + 1);
      });
    };

    const wrapSuggestion = (guarded: GuardedCall): TSESLint.SuggestionReportDescriptor<MessageIds> => ({
      messageId: 'wrapWithTimeout',
      data: { budget: budgets[guarded.category] },
      fix: (fixer) => {
        const { local, fixes } = ensureNamedImport(fixer, sourceCode, ASYNCGUARD_RUNTIME, 'withTimeout');
        return [
          ...fixes,
          fixer.insertTextBefore(guarded.call, `${local}(`),
          fixer.insertTextAfter(guarded.call, `, ${budgets[guarded.category]})`),
        ];
      },
    });

    return {
      CallExpression(call) {
        const guarded = classifyCall(call);
        if (!guarded) return;
        const blocking = blockingTimeout(guarded);
        if (blocking) {
          if (blocking.value === 0) {
            context.report({ node: call, messageId: 'blocksForever', data: { operation: guarded.operation, unit: blocking.unit } });
          }
          return;
        }
        if (commandTimeoutOf(guarded.resource) || (guarded.resource.kind === 'redis' && guarded.resource.commandTimeout === true)) return;
        const signal = abortSignalTimeoutIn(call);
        if (signal) {
          checkBudget(signal.arguments[0], guarded.category);
          return;
        }
        if (protectedByContext(call, guarded.category, 0)) return;
        context.report({
          node: call,
          messageId: 'missingTimeout',
          data: { operation: guarded.operation, budget: budgets[guarded.category], category: guarded.category },
          suggest: [wrapSuggestion(guarded)],
        });
      },
      NewExpression(node) {
        const name = analysis().bindings.canonicalName(node.callee);
        if (name === null || !isIoredisConstructor(name)) return;
        for (const arg of node.arguments) {
          const option = findOption(skipWrappers(arg), 'commandTimeout');
          if (option) checkBudget(option.value, 'redis');
        }
      },
    };
  },
});

/** A property named `name` in an options object, also inside `redisOptions` (Cluster). */
function findOption(node: TSESTree.Node, name: string): TSESTree.Property | null {
  if (node.type !== AST_NODE_TYPES.ObjectExpression) return null;
  for (const prop of node.properties) {
    if (prop.type !== AST_NODE_TYPES.Property || prop.computed) continue;
    const key = prop.key.type === AST_NODE_TYPES.Identifier ? prop.key.name : prop.key.type === AST_NODE_TYPES.Literal ? String(prop.key.value) : null;
    if (key === name) return prop;
    if (key === 'redisOptions') {
      const nested = findOption(skipWrappers(prop.value), name);
      if (nested) return nested;
    }
  }
  return null;
}
