import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { enclosingClass, propertyName, skipWrappers } from './ast.js';
import type { Bindings } from './bindings.js';
import type { CrossFile } from './moduleIndex/estree.js';
import type { Value } from './moduleIndex/values.js';
import {
  ASYNCGUARD_RUNTIME,
  IOREDIS_MODULE,
  LLAMA_FACTORY_METHODS,
  LLAMA_STATIC_IO,
  NODE_REDIS_FACTORIES,
  NODE_REDIS_MODULES,
  REDIS_MANAGER_FACTORIES,
  isLlamaIndexModule,
  llamaKindOfClass,
  type LlamaKind,
} from './knownApis.js';
import {
  fromPackage,
  isAsyncguardRuntimeFile,
  isIoredisFile,
  isLlamaIndexFile,
  type TypeServices,
} from './types.js';

/** What a receiver is, as far as the rules care. */
export type Resource =
  /** An ioredis/node-redis client. `construction` is where it was created in this file, if known. */
  | {
      kind: 'redis';
      construction: TSESTree.NewExpression | TSESTree.CallExpression | null;
      /** Set when the client was made in another module: whether its options set `commandTimeout`. */
      commandTimeout?: boolean;
    }
  /** A pipeline or MULTI of a client: only `exec()` goes to the network. */
  | { kind: 'redisPipeline'; client: Resource | null }
  /** Anything obtained from an asyncguard RedisManager: already bounded. */
  | { kind: 'redisManaged' }
  | { kind: 'llama'; llama: LlamaKind; staticClass: boolean };

const CLIENT_CLASS_NAMES = new Set(['Redis', 'Cluster']);

/**
 * Works out what an expression denotes from how it was created in this file (imports,
 * constructors, factories, `this.x = ...` assignments), optionally confirmed by its type.
 */
export class ResourceClassifier {
  readonly #bindings: Bindings;
  readonly #types: TypeServices | null;
  readonly #memo = new WeakMap<TSESTree.Node, Resource | null>();
  readonly #classFields = new WeakMap<TSESTree.Node, Map<string, TSESTree.Expression[]>>();

  readonly #crossFile: CrossFile | null;

  constructor(bindings: Bindings, types: TypeServices | null, crossFile: CrossFile | null = null) {
    this.#bindings = bindings;
    this.#types = types;
    this.#crossFile = crossFile;
  }

  classify(node: TSESTree.Node): Resource | null {
    const memo = this.#memo.get(node);
    if (memo !== undefined) return memo;
    this.#memo.set(node, null); // cycle guard
    let result = this.#syntactic(node, 0);
    // What this file alone cannot tell, other modules may: imported clients, inherited getters, annotated types.
    if (!result && this.#crossFile) result = resourceOf(this.#crossFile.valueOf(node));
    if (this.#types) result = this.#refineWithType(node, result);
    this.#memo.set(node, result);
    return result;
  }

  /** With types: the declared type decides, unless it is `any`/`unknown`. */
  #refineWithType(node: TSESTree.Node, syntactic: Resource | null): Resource | null {
    const types = this.#types!;
    const type = types.typeAt(node);
    if (!type || types.isUnknown(type)) return syntactic;
    const files = types.declarationFiles(type);
    if (fromPackage(files, isAsyncguardRuntimeFile)) return { kind: 'redisManaged' };
    if (syntactic?.kind === 'redisManaged') return syntactic;
    if (fromPackage(files, isIoredisFile)) {
      const name = (type.getSymbol() ?? type.aliasSymbol)?.getName() ?? '';
      if (name === 'ChainableCommander' || name === 'Pipeline') {
        return syntactic?.kind === 'redisPipeline' ? syntactic : { kind: 'redisPipeline', client: null };
      }
      return syntactic?.kind === 'redis' ? syntactic : { kind: 'redis', construction: null };
    }
    if (fromPackage(files, isLlamaIndexFile)) {
      const symbol = type.getSymbol() ?? type.aliasSymbol;
      const kind = symbol ? llamaKindOfClass(symbol.getName()) : null;
      if (kind) return { kind: 'llama', llama: kind, staticClass: syntactic?.kind === 'llama' ? syntactic.staticClass : false };
      return null;
    }
    // A known type from elsewhere (a user's own class, a mock): not a raw client.
    if (syntactic?.kind === 'llama' && syntactic.staticClass) return syntactic;
    return null;
  }

  #syntactic(input: TSESTree.Node, depth: number): Resource | null {
    if (depth > 12) return null;
    const node = skipWrappers(input);
    switch (node.type) {
      case AST_NODE_TYPES.AwaitExpression:
        return this.#syntactic(node.argument, depth + 1);
      case AST_NODE_TYPES.NewExpression:
        return this.#fromConstructor(node);
      case AST_NODE_TYPES.CallExpression:
        return this.#fromCall(node, depth);
      case AST_NODE_TYPES.Identifier:
        return this.#fromIdentifier(node, depth);
      case AST_NODE_TYPES.MemberExpression: {
        const prop = propertyName(node);
        const object = skipWrappers(node.object);
        if (object.type === AST_NODE_TYPES.ThisExpression && prop !== null) {
          for (const value of this.#thisFields(node).get(prop) ?? []) {
            const r = this.#syntactic(value, depth + 1);
            if (r) return r;
          }
          return null;
        }
        const inner = this.#syntactic(object, depth + 1);
        return inner?.kind === 'redisManaged' ? inner : null;
      }
      default:
        return null;
    }
  }

  #fromConstructor(node: TSESTree.NewExpression): Resource | null {
    const name = this.#bindings.canonicalName(node.callee);
    if (name === null) return null;
    if (isIoredisConstructor(name)) return { kind: 'redis', construction: node };
    if (name === `${ASYNCGUARD_RUNTIME}.RedisManager`) return { kind: 'redisManaged' };
    const dot = name.indexOf('.');
    if (dot > 0 && isLlamaIndexModule(name.slice(0, dot))) {
      const kind = llamaKindOfClass(name.slice(name.lastIndexOf('.') + 1));
      if (kind) return { kind: 'llama', llama: kind, staticClass: false };
    }
    return null;
  }

  #fromCall(node: TSESTree.CallExpression, depth: number): Resource | null {
    const name = this.#bindings.canonicalName(node.callee);
    if (name !== null) {
      const dot = name.lastIndexOf('.');
      const module = dot > 0 ? name.slice(0, dot) : name;
      const member = dot > 0 ? name.slice(dot + 1) : '';
      if (NODE_REDIS_MODULES.has(module) && NODE_REDIS_FACTORIES.has(member)) return { kind: 'redis', construction: node };
      if (module === ASYNCGUARD_RUNTIME && REDIS_MANAGER_FACTORIES.has(member)) return { kind: 'redisManaged' };
    }
    const callee = skipWrappers(node.callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression) return null;
    const method = propertyName(callee);
    if (method === null) return null;
    const receiver = this.#syntactic(callee.object, depth + 1);
    if (!receiver) return null;
    switch (receiver.kind) {
      case 'redis':
        if (method === 'duplicate') return receiver;
        if (method === 'pipeline' || method === 'multi') return { kind: 'redisPipeline', client: receiver };
        return null;
      case 'redisPipeline':
        return method === 'exec' ? null : receiver;
      case 'redisManaged':
        return receiver;
      case 'llama': {
        if (receiver.staticClass && method in LLAMA_STATIC_IO) return { kind: 'llama', llama: 'index', staticClass: false };
        const made = LLAMA_FACTORY_METHODS[method];
        if (made && receiver.llama === 'index' && !receiver.staticClass) return { kind: 'llama', llama: made, staticClass: false };
        return null;
      }
    }
  }

  #fromIdentifier(node: TSESTree.Identifier, depth: number): Resource | null {
    const binding = this.#bindings.importOf(node);
    if (binding) {
      if (isLlamaIndexModule(binding.module)) {
        const kind = llamaKindOfClass(binding.name);
        return kind === 'index' ? { kind: 'llama', llama: 'index', staticClass: true } : null;
      }
      return null;
    }
    const init = this.#bindings.initOf(node);
    return init ? this.#syntactic(init, depth + 1) : null;
  }

  /** `this.x = <expr>` assignments and `x = <expr>` fields of the class around `node`. */
  #thisFields(node: TSESTree.Node): Map<string, TSESTree.Expression[]> {
    const cls = enclosingClass(node);
    if (!cls) return new Map();
    let fields = this.#classFields.get(cls);
    if (fields) return fields;
    fields = new Map();
    const add = (name: string, value: TSESTree.Expression): void => {
      const list = fields!.get(name) ?? [];
      list.push(value);
      fields!.set(name, list);
    };
    for (const member of cls.body.body) {
      if (member.type === AST_NODE_TYPES.PropertyDefinition && member.value && !member.computed && member.key.type === AST_NODE_TYPES.Identifier) {
        add(member.key.name, member.value);
      }
      if (member.type === AST_NODE_TYPES.MethodDefinition && member.value.body) {
        collectThisAssignments(member.value.body, add);
      }
    }
    this.#classFields.set(cls, fields);
    return fields;
  }
}

function collectThisAssignments(body: TSESTree.BlockStatement, add: (name: string, value: TSESTree.Expression) => void): void {
  for (const statement of body.body) {
    if (statement.type !== AST_NODE_TYPES.ExpressionStatement) continue;
    const e = statement.expression;
    if (e.type !== AST_NODE_TYPES.AssignmentExpression || e.operator !== '=') continue;
    if (e.left.type !== AST_NODE_TYPES.MemberExpression || e.left.object.type !== AST_NODE_TYPES.ThisExpression) continue;
    const name = propertyName(e.left);
    if (name !== null) add(name, e.right);
  }
}

/** `new Redis()`, `new IORedis()`, `new Cluster()`, `new Redis.Cluster()` from ioredis. */
export function isIoredisConstructor(canonical: string): boolean {
  if (canonical === IOREDIS_MODULE) return true;
  const prefix = IOREDIS_MODULE.length;
  if (canonical.length <= prefix || canonical.charCodeAt(prefix) !== 46 /* . */ || !canonical.startsWith(IOREDIS_MODULE)) return false;
  // Every dotted part after the module is a client class name; the first may also be `default`.
  let start = prefix + 1;
  for (let i = 0; ; i++) {
    const dot = canonical.indexOf('.', start);
    const part = dot < 0 ? canonical.slice(start) : canonical.slice(start, dot);
    if (!((i === 0 && part === 'default') || CLIENT_CLASS_NAMES.has(part))) return false;
    if (dot < 0) return true;
    start = dot + 1;
  }
}

/** The resource a module-index value denotes, if any. */
export function resourceOf(value: Value | null): Resource | null {
  switch (value?.kind) {
    case 'redis':
      return { kind: 'redis', construction: null, commandTimeout: value.commandTimeout };
    case 'redisPipeline':
      return { kind: 'redisPipeline', client: null };
    case 'redisManaged':
      return { kind: 'redisManaged' };
    case 'llama':
      return { kind: 'llama', llama: value.llama, staticClass: value.staticClass };
    default:
      return null;
  }
}
