import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { foldNumber, memberPath, rootIdentifier, skipWrappers } from '../util/ast.js';
import { getAnalysis } from '../util/analysis.js';
import { MAX_TIMER_MS } from '../util/budgets.js';
import { createRule } from '../util/createRule.js';
import { perOptions } from '../util/perOptions.js';
import { ASYNCGUARD_RUNTIME } from '../util/knownApis.js';

export type Options = [{ functions?: { name: string; argument: number }[] }];
export type MessageIds = 'overflow';

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
};

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
      description: 'Disallow timer delays above 2^31-1 ms, which Node fires at once',
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
    },
    defaultOptions: [{ functions: [] }],
  },
  create(context, [options]) {
    const { extra, extraRoots } = derivedOptions(options);
    let candidateRoots: Set<string> | null = null;
    /** Root names a checked callee can start with: globals, imports from timer modules, configured names. */
    const roots = (): Set<string> => {
      if (candidateRoots) return candidateRoots;
      candidateRoots = new Set(['setTimeout', 'setInterval', 'globalThis', 'AbortSignal', 'withTimeout', ...extraRoots]);
      for (const [local, module] of getAnalysis(context).bindings.moduleLocals()) {
        if (TIMER_MODULES.has(module) || extra.size > 0) candidateRoots.add(local);
      }
      return candidateRoots;
    };

    const delayIndex = (call: TSESTree.CallExpression): number | null => {
      const callee = skipWrappers(call.callee);
      if (extra.size > 0) {
        const dotted = memberPath(callee)?.join('.') ?? null;
        if (dotted !== null && extra.has(dotted)) return extra.get(dotted)!;
      }
      const canonical = getAnalysis(context).bindings.canonicalName(callee);
      if (canonical === null) {
        // `withTimeout` imported from elsewhere (a re-export) keeps the runtime's signature.
        return callee.type === AST_NODE_TYPES.Identifier && callee.name === 'withTimeout' ? 1 : null;
      }
      if (extra.has(canonical)) return extra.get(canonical)!;
      return DELAY_ARGUMENT[canonical] ?? null;
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
        if (ms === null || !(ms > MAX_TIMER_MS)) return;
        context.report({ node: arg, messageId: 'overflow', data: { callee: context.sourceCode.getText(call.callee), ms: String(ms) } });
      },
    };
  },
});
