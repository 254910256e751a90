import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { foldNumber, memberPath, rootIdentifier, skipWrappers } from '../util/ast.js';
import { getAnalysis } from '../util/analysis.js';
import { MAX_TIMER_MS } from '../util/budgets.js';
import { createRule } from '../util/createRule.js';
import { perOptions } from '../util/perOptions.js';
import { ASYNCGUARD_RUNTIME } from '../util/knownApis.js';

export type Options = [{ functions?: { name: string; argument: number }[] }];
export type MessageIds = 'overflow' | 'exceedsDeadline';

/** Canonical callee → index of its delay argument. */
const DELAY_ARGUMENT: Readonly<Record<string, number>> = {
  setTimeout: 1,
  setInterval: 1,
  'globalThis.setTimeout': 1,
  'globalThis.setInterval': 1,
  'timers.setTimeout': 1,
  'timers.setInterval': 1,
  'timers/promises.setTimeout': 0,
  'timers/promises.setInterval': 0,
  'timers/promises.scheduler.wait': 0,
  'AbortSignal.timeout': 0,
  [`${ASYNCGUARD_RUNTIME}.withTimeout`]: 1,
  [`${ASYNCGUARD_RUNTIME}.withDeadline`]: 0,
  [`${ASYNCGUARD_RUNTIME}.timeoutPolicy`]: 0,
};

/**
 * Canonical callee → index of its budget argument: the calls an ambient deadline
 * (`withDeadline`) clamps, so a longer constant budget inside one is never what runs.
 */
const BUDGET_ARGUMENT: Readonly<Record<string, number>> = {
  [`${ASYNCGUARD_RUNTIME}.withTimeout`]: 1,
  [`${ASYNCGUARD_RUNTIME}.withDeadline`]: 0,
  [`${ASYNCGUARD_RUNTIME}.timeoutPolicy`]: 0,
};
const WITH_DEADLINE = `${ASYNCGUARD_RUNTIME}.withDeadline`;

const TIMER_MODULES: ReadonlySet<string> = new Set(['timers', 'timers/promises', ASYNCGUARD_RUNTIME]);

/** The configured functions and their root names, built once per options object. */
const derivedOptions = perOptions((options: Options[0]) => {
  const extra: ReadonlyMap<string, number> = new Map((options.functions ?? []).map((f) => [f.name, f.argument]));
  const extraRoots: ReadonlySet<string> = new Set([...extra.keys()].map((name) => name.split('.')[0]!));
  return { extra, extraRoots };
});

export default createRule<Options, MessageIds>({
  name: 'no-timeout-overflow',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow timer delays above 2^31-1 ms, which Node fires at once, and budgets longer than an enclosing withDeadline',
      recommended: 'recommended',
      requiresTypeChecking: false,
      usesTypeInformation: true,
    },
    schema: [
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          functions: {
            type: 'array',
            description: 'More functions taking a delay in ms: the callee as written or its canonical name, and the 0-based index of the delay argument.',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'argument'],
              properties: {
                name: { type: 'string', minLength: 1 },
                argument: { type: 'integer', minimum: 0 },
              },
            },
          },
        },
      },
    ],
    messages: {
      overflow:
        '{{callee}} gets a delay of {{ms}} ms, above the 2147483647 ms (2^31-1, about 24.8 days) that timers hold: Node replaces it with 1 ms, so it fires at once.',
      exceedsDeadline:
        '{{callee}} gets a budget of {{ms}} ms inside a withDeadline of {{deadline}} ms: the deadline cuts it to what is left, so the {{ms}} ms never apply. Give it a budget within the deadline.',
    },
    defaultOptions: [{ functions: [] }],
  },
  create(context, [options]) {
    const { extra, extraRoots } = derivedOptions(options);
    let candidateRoots: Set<string> | null = null;
    /** Root names a checked callee can start with: globals, imports from timer modules, configured names. */
    const roots = (): Set<string> => {
      if (candidateRoots) return candidateRoots;
      candidateRoots = new Set(['setTimeout', 'setInterval', 'globalThis', 'AbortSignal', 'withTimeout', 'withDeadline', 'timeoutPolicy', ...extraRoots]);
      for (const [local, module] of getAnalysis(context).bindings.moduleLocals()) {
        if (TIMER_MODULES.has(module) || extra.size > 0) candidateRoots.add(local);
      }
      return candidateRoots;
    };

    /**
     * `withTimeout`, `withDeadline` or `timeoutPolicy` imported from elsewhere (a re-export) keeps
     * the runtime's signature; a function of that name declared in the file does not.
     */
    function runtimeFallback(callee: TSESTree.Node): string | null {
      if (callee.type !== AST_NODE_TYPES.Identifier) return null;
      const name = `${ASYNCGUARD_RUNTIME}.${callee.name}`;
      if (!(name in BUDGET_ARGUMENT)) return null;
      const { bindings } = getAnalysis(context);
      return bindings.isGlobal(callee) || bindings.importOf(callee) !== null ? name : null;
    }

    const delayIndex = (call: TSESTree.CallExpression): number | null => {
      const callee = skipWrappers(call.callee);
      if (extra.size > 0) {
        const dotted = memberPath(callee)?.join('.') ?? null;
        if (dotted !== null && extra.has(dotted)) return extra.get(dotted)!;
      }
      const canonical = getAnalysis(context).bindings.canonicalName(callee);
      if (canonical === null) {
        const name = runtimeFallback(callee);
        return name === null ? null : BUDGET_ARGUMENT[name]!;
      }
      if (extra.has(canonical)) return extra.get(canonical)!;
      return DELAY_ARGUMENT[canonical] ?? null;
    };

    /** The callee's canonical name (see `runtimeFallback` when it does not resolve). */
    const canonicalOf = (call: TSESTree.CallExpression): string | null => {
      const callee = skipWrappers(call.callee);
      return getAnalysis(context).bindings.canonicalName(callee) ?? runtimeFallback(callee);
    };

    /** The tightest constant `withDeadline` whose callback (lexically) contains `node`, or null. */
    const enclosingDeadline = (node: TSESTree.Node): number | null => {
      let tightest: number | null = null;
      // `Program.parent` is null at run time, whatever its type says.
      for (let child: TSESTree.Node = node, parent = node.parent as TSESTree.Node | null | undefined; parent !== undefined && parent !== null; child = parent, parent = parent.parent) {
        if (parent.type !== AST_NODE_TYPES.CallExpression || parent.arguments[1] !== child) continue;
        if (child.type !== AST_NODE_TYPES.ArrowFunctionExpression && child.type !== AST_NODE_TYPES.FunctionExpression) continue;
        if (canonicalOf(parent) !== WITH_DEADLINE) continue;
        const ms = parent.arguments[0] === undefined || parent.arguments[0].type === AST_NODE_TYPES.SpreadElement ? null : value(parent.arguments[0]);
        if (ms !== null && (tightest === null || ms < tightest)) tightest = ms;
      }
      return tightest;
    };

    const value = (node: TSESTree.Node): number | null => {
      const analysis = getAnalysis(context);
      const resolve = (id: TSESTree.Identifier): TSESTree.Node | null => analysis.bindings.initOf(id);
      const n = skipWrappers(node);
      if (n.type === AST_NODE_TYPES.Identifier && n.name === 'Infinity' && analysis.bindings.isGlobal(n)) return Infinity;
      const folded = foldNumber(n, resolve);
      if (folded !== null) return folded;
      const type = analysis.types?.typeAt(n);
      return type?.isNumberLiteral() ? type.value : null;
    };

    return {
      CallExpression(call) {
        const callee = skipWrappers(call.callee);
        // Cheap filter before resolving names.
        if (callee.type !== AST_NODE_TYPES.Identifier && callee.type !== AST_NODE_TYPES.MemberExpression) return;
        const root = rootIdentifier(callee);
        if (!root || !roots().has(root.name)) return;
        const index = delayIndex(call);
        if (index === null) return;
        const arg = call.arguments[index];
        if (!arg || arg.type === AST_NODE_TYPES.SpreadElement) return;
        const ms = value(arg);
        if (ms === null) return;
        if (ms > MAX_TIMER_MS) {
          context.report({ node: arg, messageId: 'overflow', data: { callee: context.sourceCode.getText(call.callee), ms: String(ms) } });
          return;
        }
        checkDeadline(call, arg, ms);
      },
    };

    function checkDeadline(call: TSESTree.CallExpression, arg: TSESTree.Node, ms: number): void {
      const canonical = canonicalOf(call);
      if (canonical === null || BUDGET_ARGUMENT[canonical] === undefined || call.arguments[BUDGET_ARGUMENT[canonical]] !== arg) return;
      const deadline = enclosingDeadline(call);
      if (deadline === null || !(ms > deadline)) return;
      context.report({ node: arg, messageId: 'exceedsDeadline', data: { callee: context.sourceCode.getText(call.callee), ms: String(ms), deadline: String(deadline) } });
    }
  },
});
