import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { childNodes, isFunctionNode, memberPath, propertyName, skipWrappers } from '../util/ast.js';
import { getAnalysis } from '../util/analysis.js';
import { createRule } from '../util/createRule.js';
import { perOptions } from '../util/perOptions.js';
import { isIoredisConstructor } from '../util/resources.js';

export type Options = [{ allow?: string[] }];
export type MessageIds = 'connects' | 'startsIo';

const IO_MODULES = new Set(['fs', 'fs/promises', 'net', 'tls', 'http', 'https', 'http2', 'dgram', 'dns', 'child_process']);

const allowedNames = perOptions((options: Options[0]): ReadonlySet<string> => new Set(options.allow ?? []));

export default createRule<Options, MessageIds>({
  name: 'no-io-in-constructor',
  meta: {
    type: 'suggestion',
    docs: {
      description: 'Disallow constructors that connect, do I/O or start promises; initialise lazily on first use',
      recommended: 'recommended',
      requiresTypeChecking: false,
      usesTypeInformation: true,
    },
    schema: [
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          allow: {
            type: 'array',
            items: { type: 'string', minLength: 1 },
            uniqueItems: true,
            description: 'Callees to accept in constructors, by dotted path as written (`this.cache.warm`) or canonical name (`fs.existsSync`).',
          },
        },
      },
    ],
    messages: {
      connects:
        '`{{what}}` connects to Redis as soon as the object is constructed; pass `lazyConnect: true` or create the client on first use (e.g. with lazy() from @asyncguard/runtime).',
      startsIo:
        'The constructor starts I/O with `{{what}}`; keep constructors light and initialise on first use (e.g. with lazy() from @asyncguard/runtime).',
    },
    defaultOptions: [{ allow: [] }],
  },
  create(context, [options]) {
    const allow = allowedNames(options);
    const sourceCode = context.sourceCode;

    const short = (node: TSESTree.Node): string => {
      const text = sourceCode.getText(node).replace(/\s+/g, ' ');
      return text.length > 60 ? `${text.slice(0, 57)}...` : text;
    };

    const lazyConnect = (node: TSESTree.NewExpression): boolean => node.arguments.some(hasLazyConnect);

    /** Reports the outermost I/O expression of a subtree; returns true when it reported (no descent then). */
    const inspect = (node: TSESTree.Node): boolean => {
      const analysis = getAnalysis(context);
      if (node.type === AST_NODE_TYPES.NewExpression) {
        const canonical = analysis.bindings.canonicalName(node.callee);
        if (canonical !== null && isIoredisConstructor(canonical) && !lazyConnect(node)) {
          context.report({ node, messageId: 'connects', data: { what: short(node) } });
          return true;
        }
        if (node.callee.type === AST_NODE_TYPES.Identifier && node.callee.name === 'Promise' && analysis.bindings.isGlobal(node.callee)) {
          context.report({ node, messageId: 'startsIo', data: { what: 'new Promise(...)' } });
          return true;
        }
        return false;
      }
      if (node.type !== AST_NODE_TYPES.CallExpression) return false;
      const callee = skipWrappers(node.callee);
      const dotted = memberPath(callee)?.join('.');
      const canonical = analysis.bindings.canonicalName(callee);
      if ((dotted !== undefined && allow.has(dotted)) || (canonical !== null && allow.has(canonical))) return false;
      const module = canonical?.slice(0, canonical.lastIndexOf('.'));
      const isIo =
        (callee.type === AST_NODE_TYPES.MemberExpression && propertyName(callee) === 'connect') ||
        (module !== undefined && IO_MODULES.has(module)) ||
        analysis.isPromise(node);
      if (!isIo) return false;
      context.report({ node, messageId: 'startsIo', data: { what: short(node) } });
      return true;
    };

    const walk = (node: TSESTree.Node): void => {
      if (inspect(node)) return;
      for (const child of childNodes(node)) {
        if (isFunctionNode(child) || child.type === AST_NODE_TYPES.ClassDeclaration || child.type === AST_NODE_TYPES.ClassExpression) continue;
        walk(child);
      }
    };

    return {
      'MethodDefinition[kind="constructor"]'(node: TSESTree.MethodDefinition) {
        if (node.value.body) walk(node.value.body);
      },
    };
  },
});

/** `{ lazyConnect: true }`, also inside `redisOptions` (Cluster). */
function hasLazyConnect(node: TSESTree.Node): boolean {
  const object = skipWrappers(node);
  if (object.type !== AST_NODE_TYPES.ObjectExpression) return false;
  for (const p of object.properties) {
    if (p.type !== AST_NODE_TYPES.Property || p.computed || p.key.type !== AST_NODE_TYPES.Identifier) continue;
    if (p.key.name === 'lazyConnect') return !(p.value.type === AST_NODE_TYPES.Literal && p.value.value === false);
    if (p.key.name === 'redisOptions' && hasLazyConnect(p.value)) return true;
  }
  return false;
}
