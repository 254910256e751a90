import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { enclosingClass, isFunctionNode, propertyName, skipWrappers } from './ast.js';
import type { Bindings } from './bindings.js';
import type { CrossFile } from './moduleIndex/estree.js';
import {
  LLAMA_IO_METHODS,
  LLAMA_STATIC_IO,
  NON_PROMISE_FS_EXPORTS,
  PROMISE_FUNCTIONS,
  PROMISE_MODULES,
  redisCommandOf,
} from './knownApis.js';
import type { ResourceClassifier } from './resources.js';

/**
 * Decides, without type information, whether an expression certainly evaluates to a promise:
 * calls to async functions and methods declared in the file, known promise APIs (fs/promises,
 * timers/promises, fetch, ioredis commands, LlamaIndex I/O), `new Promise`, `Promise.*`, and
 * `.then/.catch/.finally` on one of those. Unknown code is assumed not to be a promise.
 */
export class SyntacticPromises {
  readonly #bindings: Bindings;
  readonly #resources: ResourceClassifier;
  readonly #memo = new WeakMap<TSESTree.Node, boolean>();
  readonly #crossFile: CrossFile | null;

  constructor(bindings: Bindings, resources: ResourceClassifier, crossFile: CrossFile | null = null) {
    this.#bindings = bindings;
    this.#resources = resources;
    this.#crossFile = crossFile;
  }

  isPromise(node: TSESTree.Node): boolean {
    const memo = this.#memo.get(node);
    if (memo !== undefined) return memo;
    this.#memo.set(node, false); // cycle guard
    const result = this.#compute(skipWrappers(node));
    this.#memo.set(node, result);
    return result;
  }

  /** A call whose callee we can prove returns a promise (the shape, not the handling). */
  #compute(node: TSESTree.Node): boolean {
    switch (node.type) {
      case AST_NODE_TYPES.NewExpression:
        return node.callee.type === AST_NODE_TYPES.Identifier && node.callee.name === 'Promise' && this.#bindings.isGlobal(node.callee);
      case AST_NODE_TYPES.CallExpression:
        // Calls into other modules (imported async functions, methods of imported classes) through the module index.
        return this.#isPromiseCall(node) || (this.#crossFile?.isPromise(node) ?? false);
      case AST_NODE_TYPES.Identifier: {
        const init = this.#bindings.initOf(node);
        return init !== null && init.type !== AST_NODE_TYPES.AwaitExpression && this.isPromise(init);
      }
      case AST_NODE_TYPES.ConditionalExpression:
        return this.isPromise(node.consequent) && this.isPromise(node.alternate);
      default:
        return false;
    }
  }

  #isPromiseCall(node: TSESTree.CallExpression): boolean {
    const callee = skipWrappers(node.callee);
    // Async IIFE.
    if (isFunctionNode(callee)) return callee.async && !callee.generator;

    const canonical = this.#bindings.canonicalName(callee);
    if (canonical !== null && isPromiseApi(canonical)) return true;

    if (callee.type === AST_NODE_TYPES.Identifier) {
      const fn = this.#bindings.functionOf(callee);
      return fn !== null && fn.async && !fn.generator;
    }
    if (callee.type !== AST_NODE_TYPES.MemberExpression) return false;
    const method = propertyName(callee);
    if (method === null) return false;

    if ((method === 'then' || method === 'catch' || method === 'finally') && this.isPromise(callee.object)) return true;

    const object = skipWrappers(callee.object);
    if (object.type === AST_NODE_TYPES.ThisExpression) return isAsyncMethodOfClass(callee, method);

    const resource = this.#resources.classify(callee.object);
    if (!resource) return false;
    switch (resource.kind) {
      case 'redis':
        return redisCommandOf(method) !== null || method === 'quit';
      case 'redisPipeline':
        return method === 'exec';
      case 'redisManaged':
        return false;
      case 'llama':
        if (resource.staticClass) return method in LLAMA_STATIC_IO;
        return method in LLAMA_IO_METHODS[resource.llama];
    }
  }
}

function isPromiseApi(canonical: string): boolean {
  if (PROMISE_FUNCTIONS.has(canonical)) return true;
  const dot = canonical.lastIndexOf('.');
  if (dot <= 0) return false;
  const module = canonical.slice(0, dot);
  return PROMISE_MODULES.has(module) && !NON_PROMISE_FS_EXPORTS.has(canonical.slice(dot + 1));
}

/** `this.load()` where the enclosing class declares `async load()` (or `load = async () => ...`). */
function isAsyncMethodOfClass(member: TSESTree.MemberExpression, method: string): boolean {
  const cls = enclosingClass(member);
  if (!cls) return false;
  for (const element of cls.body.body) {
    if (element.type === AST_NODE_TYPES.MethodDefinition && !element.computed && element.key.type === AST_NODE_TYPES.Identifier && element.key.name === method) {
      return element.value.async && !element.value.generator && element.kind === 'method';
    }
    if (element.type === AST_NODE_TYPES.PropertyDefinition && !element.computed && element.key.type === AST_NODE_TYPES.Identifier && element.key.name === method) {
      const v = element.value;
      return v !== null && isFunctionNode(v) && v.async && !v.generator;
    }
  }
  return false;
}
