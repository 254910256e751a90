import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import {
  calleeName,
  enclosingFunction,
  functionName,
  isFunctionNode,
  memberPath,
  skipWrappers,
  someInSameFunction,
  type FunctionNode,
} from '../util/ast.js';
import { getAnalysis, type FileAnalysis } from '../util/analysis.js';
import { BLOCKING_NODE_TYPE_FILES, TIME_READS, builtinBlockingHint } from '../util/blocking.js';
import { createRule } from '../util/createRule.js';
import { perOptions } from '../util/perOptions.js';

export type Options = [
  {
    deny?: { name: string; hint?: string }[];
    allow?: string[];
    checkLoops?: boolean;
    helperDepth?: number;
  },
];

export type MessageIds = 'blockingCall' | 'blockingHelper' | 'busyWait' | 'infiniteLoop';

interface Blocker {
  /** What blocks, for the message: `fs.readFileSync`, `a busy-wait loop`, `loadConfig()`. */
  what: string;
  hint: string;
}

const DEFAULT_HINT = 'use an asynchronous variant, or offload() it to a worker thread';
const SLEEP_HINT = "use `await setTimeout(ms)` from 'node:timers/promises'";

/** The deny/allow tables, built once per options object. */
const derivedOptions = perOptions((options: Options[0]) => {
  const deny = new Map((options.deny ?? []).map((d) => [d.name, d.hint ?? DEFAULT_HINT]));
  const allow = new Set(options.allow ?? []);
  const denyNames = new Set([...deny.keys()].map((name) => name.slice(name.lastIndexOf('.') + 1)));
  return { deny, allow, denyNames };
});

export default createRule<Options, MessageIds>({
  name: 'no-blocking-in-async',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow calls and loops that block the event loop inside async code',
      recommended: 'recommended',
      requiresTypeChecking: false,
      usesTypeInformation: true,
    },
    schema: [
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          deny: {
            type: 'array',
            description: 'More blocking calls, by canonical name (`module.export`) or dotted callee path, with an optional replacement hint.',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name'],
              properties: {
                name: { type: 'string', minLength: 1, description: 'Canonical or dotted name, e.g. `legacy-db.querySync` or `db.querySync`.' },
                hint: { type: 'string', description: 'What to use instead, shown in the message.' },
              },
            },
          },
          allow: {
            type: 'array',
            items: { type: 'string', minLength: 1 },
            uniqueItems: true,
            description: 'Blocking calls to accept anyway, by canonical name (e.g. `fs.existsSync`).',
          },
          checkLoops: { type: 'boolean', description: 'Report busy-wait loops and `while (true)` loops without `await`.' },
          helperDepth: {
            type: 'integer',
            minimum: 0,
            maximum: 5,
            description: 'How many levels of same-file sync helpers to follow (0 = direct calls only).',
          },
        },
      },
    ],
    messages: {
      blockingCall: '{{what}} blocks the event loop inside async code; {{hint}}.',
      blockingHelper: '{{name}}() blocks the event loop ({{cause}}) and is called from async code; {{hint}}.',
      busyWait: 'This loop waits for time to pass without yielding, blocking the event loop; {{hint}}.',
      infiniteLoop: 'This endless loop has no `await`, so it never yields to the event loop.',
    },
    defaultOptions: [{ deny: [], allow: [], checkLoops: true, helperDepth: 2 }],
  },
  create(context, [options]) {
    const { deny, allow, denyNames } = derivedOptions(options);
    /** Only these callees can block: `*Sync`, `wait`, deny-listed names, and plain function calls (helpers). */
    const mayBlock = (callee: TSESTree.Node): boolean => {
      // A plain call blocks only through an import (`readFileSync`), a deny-listed name, or a same-file helper.
      if (callee.type === AST_NODE_TYPES.Identifier) {
        return denyNames.has(callee.name) || getAnalysis(context).bindings.moduleLocals().has(callee.name) || (helperDepth > 0 && calledHelperOf(callee) !== null);
      }
      const name = calleeName(callee);
      return name !== null && (name.endsWith('Sync') || name === 'wait' || denyNames.has(name));
    };
    const checkLoops = options.checkLoops !== false;
    const helperDepth = options.helperDepth ?? 2;
    const calledHelperOf = (callee: TSESTree.Identifier): FunctionNode | null => getAnalysis(context).bindings.functionOf(callee);
    let analysisCache: FileAnalysis | null = null;
    const analysis = (): FileAnalysis => (analysisCache ??= getAnalysis(context));
    const asyncContext = new WeakMap<FunctionNode, boolean>();
    const helperBlocks = new WeakMap<FunctionNode, Blocker | null>();

    /** Inside an async function, or a function nested in one (callbacks reachable from it). */
    const inAsyncCode = (node: TSESTree.Node): boolean => {
      const fn = enclosingFunction(node);
      if (!fn) return false;
      let known = asyncContext.get(fn);
      if (known === undefined) {
        known = fn.async || inAsyncCode(fn);
        asyncContext.set(fn, known);
      }
      return known;
    };

    /** A call that blocks by itself: built-in, deny-listed, or (with types) a Node blocking API. */
    /** null when `name` is allowed, a blocker when denied, undefined when in neither list. */
    const listedVerdict = (name: string): Blocker | null | undefined => {
      if (allow.has(name)) return null;
      const denied = deny.get(name);
      return denied === undefined ? undefined : { what: name, hint: denied };
    };
    const directBlocker = (call: TSESTree.CallExpression): Blocker | null => {
      const callee = skipWrappers(call.callee);
      const canonical = analysis().bindings.canonicalName(callee);
      // The configured lists, by canonical name first, then by the dotted path as written
      // (built only when a list is configured).
      if (allow.size > 0 || deny.size > 0) {
        const listed = canonical === null ? undefined : listedVerdict(canonical);
        if (listed !== undefined) return listed;
        const dotted = memberPath(callee)?.join('.') ?? null;
        const listedDotted = dotted === null ? undefined : listedVerdict(dotted);
        if (listedDotted !== undefined) return listedDotted;
      }
      if (canonical !== null) {
        const hint = builtinBlockingHint(canonical);
        if (hint !== null) return { what: canonical, hint };
      }
      // With types: a Node blocking API reached through something the file did not import by name.
      const types = analysis().types;
      if (types && callee.type === AST_NODE_TYPES.MemberExpression && !callee.computed && callee.property.type === AST_NODE_TYPES.Identifier) {
        const name = callee.property.name;
        if (!name.endsWith('Sync') && name !== 'wait') return null;
        const symbol = types.symbolAt(callee.property);
        const file = symbol?.declarations?.[0]?.getSourceFile().fileName.replace(/\\/g, '/');
        const match = file ? BLOCKING_NODE_TYPE_FILES.exec(file) : null;
        if (match) {
          const qualified = `${match[1]}.${name}`;
          if (allow.has(qualified)) return null;
          const hint = builtinBlockingHint(qualified);
          if (hint !== null) return { what: qualified, hint };
        }
      }
      return null;
    };

    const isTimeRead = (node: TSESTree.Node): boolean => {
      if (node.type === AST_NODE_TYPES.CallExpression) {
        const path = memberPath(node.callee)?.join('.');
        return path !== undefined && TIME_READS.has(path);
      }
      return node.type === AST_NODE_TYPES.NewExpression && node.callee.type === AST_NODE_TYPES.Identifier && node.callee.name === 'Date';
    };
    const yields = (node: TSESTree.Node): boolean =>
      someInSameFunction(node, (n) => n.type === AST_NODE_TYPES.AwaitExpression || n.type === AST_NODE_TYPES.YieldExpression || (n.type === AST_NODE_TYPES.ForOfStatement && n.await));
    const isAlwaysTrue = (test: TSESTree.Node | null): boolean =>
      test === null || (test.type === AST_NODE_TYPES.Literal && test.value === true);

    type Loop = TSESTree.WhileStatement | TSESTree.DoWhileStatement | TSESTree.ForStatement;
    /** `busyWait`, `infiniteLoop` or null for a loop. */
    const loopProblem = (loop: Loop): 'busyWait' | 'infiniteLoop' | null => {
      if (yields(loop.body)) return null;
      if (loop.test && someInSameFunction(loop.test, isTimeRead)) return 'busyWait';
      if (!isAlwaysTrue(loop.test)) return null;
      return someInSameFunction(loop.body, isTimeRead) ? 'busyWait' : 'infiniteLoop';
    };

    /** Whether a same-file sync helper blocks, following `depth` more levels of helpers. */
    const helperBlocker = (fn: FunctionNode, depth: number): Blocker | null => {
      if (fn.async || fn.generator) return null;
      if (helperBlocks.has(fn)) return helperBlocks.get(fn)!;
      helperBlocks.set(fn, null); // recursion guard
      let found: Blocker | null = null;
      someInSameFunction(fn.body, (n) => {
        if (n.type === AST_NODE_TYPES.CallExpression) {
          found = directBlocker(n);
          if (!found && depth > 0) {
            const callee = calledHelper(n);
            const inner = callee ? helperBlocker(callee, depth - 1) : null;
            if (inner) found = { what: `${functionName(callee!) ?? 'a helper'}() → ${inner.what}`, hint: inner.hint };
          }
        } else if (checkLoops && (n.type === AST_NODE_TYPES.WhileStatement || n.type === AST_NODE_TYPES.DoWhileStatement || n.type === AST_NODE_TYPES.ForStatement)) {
          const problem = loopProblem(n);
          if (problem === 'busyWait') found = { what: 'a busy-wait loop', hint: SLEEP_HINT };
        }
        return found !== null;
      });
      helperBlocks.set(fn, found);
      return found;
    };

    const calledHelper = (call: TSESTree.CallExpression): FunctionNode | null => {
      const callee = skipWrappers(call.callee);
      return callee.type === AST_NODE_TYPES.Identifier ? calledHelperOf(callee) : null;
    };

    const checkLoop = (loop: Loop): void => {
      if (!checkLoops || !inAsyncCode(loop)) return;
      const problem = loopProblem(loop);
      if (problem === 'busyWait') context.report({ node: loop, messageId: 'busyWait', data: { hint: SLEEP_HINT } });
      else if (problem === 'infiniteLoop') context.report({ node: loop, messageId: 'infiniteLoop' });
    };

    return {
      CallExpression(call) {
        const callee = skipWrappers(call.callee);
        if (isFunctionNode(callee)) return;
        // Cheap pre-filters first: only callees that can block are resolved.
        if (!mayBlock(callee) || !inAsyncCode(call)) return;
        const direct = directBlocker(call);
        if (direct) {
          context.report({ node: call, messageId: 'blockingCall', data: { what: direct.what, hint: direct.hint } });
          return;
        }
        if (helperDepth === 0) return;
        const helper = calledHelper(call);
        if (!helper || helper === enclosingFunction(call)) return;
        const blocker = helperBlocker(helper, helperDepth - 1);
        if (blocker) {
          context.report({
            node: call,
            messageId: 'blockingHelper',
            data: { name: functionName(helper) ?? 'helper', cause: blocker.what, hint: blocker.hint },
          });
        }
      },
      WhileStatement: checkLoop,
      DoWhileStatement: checkLoop,
      ForStatement: checkLoop,
    };
  },
});
