import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { enclosingClass, isFunctionNode, propertyName, skipWrappers, type FunctionNode } from '../ast.js';
import type { Bindings } from '../bindings.js';
import { TRANSPARENT_TYPES, callOf, constructOf, memberOf, methodCall, type ModuleIndex } from './evaluate.js';
import { MAX_DEPTH, awaited, instanceOfExternalType as instanceOfExternal, join, promiseOf, type ClassLike, type Value } from './values.js';

type FnLike = FunctionNode | TSESTree.TSEmptyBodyFunctionExpression;
type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression | TSESTree.TSInterfaceDeclaration;

/**
 * The module index seen from the file being linted: evaluates this file's ESTree nodes, and
 * asks the index about what its relative imports bring in. Untyped mode only.
 */
export class CrossFile {
  readonly #memo = new WeakMap<TSESTree.Node, Value | null>();
  readonly #classes = new WeakMap<ClassNode, ClassLike>();
  #declarations: Map<string, TSESTree.Node> | null = null;

  constructor(
    private readonly index: ModuleIndex,
    private readonly bindings: Bindings,
    private readonly filename: string,
    private readonly program: TSESTree.Program,
  ) {}

  /** What `node` is, as far as this file and the modules it imports tell. */
  valueOf(node: TSESTree.Node, depth = 0): Value | null {
    if (depth > MAX_DEPTH) return null;
    if (this.#memo.has(node)) return this.#memo.get(node)!;
    this.#memo.set(node, null); // cycle guard
    let value: Value | null;
    try {
      value = this.#compute(node, depth);
    } catch {
      // Whatever another module holds, the index never fails a lint: it just learns nothing.
      value = null;
    }
    this.#memo.set(node, value);
    return value;
  }

  isPromise(node: TSESTree.Node): boolean {
    return this.valueOf(node)?.kind === 'promise';
  }

  #compute(input: TSESTree.Node, depth: number): Value | null {
    const d = depth + 1;
    if (input.type === AST_NODE_TYPES.TSAsExpression || input.type === AST_NODE_TYPES.TSTypeAssertion) {
      return this.typeValue(input.typeAnnotation, d) ?? this.valueOf(input.expression, d);
    }
    const node = skipWrappers(input);
    if (node !== input) return this.valueOf(node, d);
    switch (node.type) {
      case AST_NODE_TYPES.AwaitExpression:
        return awaited(this.valueOf(node.argument, d));
      case AST_NODE_TYPES.NewExpression:
        return constructOf(this.valueOf(node.callee, d), hasCommandTimeout(node.arguments));
      case AST_NODE_TYPES.CallExpression: {
        const callee = skipWrappers(node.callee);
        const timeout = hasCommandTimeout(node.arguments);
        if (callee.type === AST_NODE_TYPES.Identifier && callee.name === 'require' && this.bindings.isGlobal(callee)) {
          const arg = node.arguments[0];
          return arg?.type === AST_NODE_TYPES.Literal && typeof arg.value === 'string' ? this.index.importValue(this.filename, arg.value, '*', d) : null;
        }
        if (callee.type === AST_NODE_TYPES.MemberExpression) {
          const name = propertyName(callee);
          return name === null ? null : methodCall(this.valueOf(callee.object, d), name, timeout, d);
        }
        return callOf(this.valueOf(callee, d), timeout, d);
      }
      case AST_NODE_TYPES.MemberExpression: {
        const name = propertyName(node);
        if (name === null) return null;
        if (node.object.type === AST_NODE_TYPES.ThisExpression) {
          const cls = enclosingClass(node);
          return cls ? this.#class(cls).member(name, d) : null;
        }
        return memberOf(this.valueOf(node.object, d), name, d);
      }
      case AST_NODE_TYPES.Identifier:
        return this.#identifier(node, d);
      case AST_NODE_TYPES.ThisExpression: {
        const cls = enclosingClass(node);
        return cls ? { kind: 'instance', cls: this.#class(cls) } : null;
      }
      case AST_NODE_TYPES.ConditionalExpression:
        return join([this.valueOf(node.consequent, d), this.valueOf(node.alternate, d)]);
      case AST_NODE_TYPES.LogicalExpression:
        return node.operator === '&&' ? this.valueOf(node.right, d) : join([this.valueOf(node.left, d), this.valueOf(node.right, d)]);
      case AST_NODE_TYPES.ArrowFunctionExpression:
      case AST_NODE_TYPES.FunctionExpression:
      case AST_NODE_TYPES.FunctionDeclaration:
        return this.#function(node);
      case AST_NODE_TYPES.ClassExpression:
      case AST_NODE_TYPES.ClassDeclaration:
        return { kind: 'class', cls: this.#class(node) };
      default:
        return null;
    }
  }

  #identifier(id: TSESTree.Identifier, depth: number): Value | null {
    const binding = this.bindings.importOf(id);
    if (binding) return this.index.importValue(this.filename, binding.module, binding.name, depth + 1);
    const variable = this.bindings.variable(id);
    const def = variable?.defs[0];
    if (!def) return null;
    switch (def.type) {
      case 'Variable': {
        const init = this.bindings.initOf(id);
        const fromInit = init ? this.valueOf(init, depth + 1) : null;
        const annotation = def.node.id.type === AST_NODE_TYPES.Identifier ? def.node.id.typeAnnotation : undefined;
        return fromInit ?? (annotation ? this.typeValue(annotation.typeAnnotation, depth + 1) : null);
      }
      case 'Parameter': {
        const annotation = 'typeAnnotation' in def.name ? (def.name as TSESTree.Identifier).typeAnnotation : undefined;
        if (annotation) return this.typeValue(annotation.typeAnnotation, depth + 1);
        // `promise.then(client => ...)`: the callback's first parameter is what the promise resolves to.
        const fn = def.node;
        const call = fn.parent;
        if (
          isFunctionNode(fn) &&
          fn.params[0] === def.name &&
          call?.type === AST_NODE_TYPES.CallExpression &&
          call.arguments[0] === fn &&
          call.callee.type === AST_NODE_TYPES.MemberExpression &&
          propertyName(call.callee) === 'then'
        ) {
          const promise = this.valueOf(call.callee.object, depth + 1);
          return promise?.kind === 'promise' ? promise.of : null;
        }
        return null;
      }
      case 'FunctionName':
        return isFunctionNode(def.node) ? this.#function(def.node) : null;
      case 'ClassName':
        return def.node.type === AST_NODE_TYPES.ClassDeclaration || def.node.type === AST_NODE_TYPES.ClassExpression ? { kind: 'class', cls: this.#class(def.node) } : null;
      default:
        return null;
    }
  }

  #function(fn: FnLike): Value | null {
    if (fn.generator) return null;
    return {
      kind: 'function',
      call: (depth) => {
        const result = this.#returned(fn, depth + 1);
        return fn.async ? (result?.kind === 'promise' ? result : promiseOf(awaited(result))) : result;
      },
    };
  }

  /** A function's declared return type, else the join of its `return` expressions. */
  #returned(fn: FnLike | TSESTree.TSMethodSignature, depth: number): Value | null {
    if (depth > MAX_DEPTH) return null;
    if (fn.returnType) return this.typeValue(fn.returnType.typeAnnotation, depth + 1);
    if (fn.type === AST_NODE_TYPES.TSMethodSignature || fn.type === AST_NODE_TYPES.TSEmptyBodyFunctionExpression || !fn.body) return null;
    if (fn.body.type !== AST_NODE_TYPES.BlockStatement) return this.valueOf(fn.body, depth + 1);
    const returns: TSESTree.Expression[] = [];
    const visit = (statements: TSESTree.Statement[]): void => {
      for (const s of statements) {
        if (returns.length >= 8) return;
        if (s.type === AST_NODE_TYPES.ReturnStatement && s.argument) returns.push(s.argument);
        else if (s.type === AST_NODE_TYPES.BlockStatement) visit(s.body);
        else if (s.type === AST_NODE_TYPES.IfStatement) {
          visit([s.consequent]);
          if (s.alternate) visit([s.alternate]);
        } else if (s.type === AST_NODE_TYPES.TryStatement) visit(s.block.body);
      }
    };
    visit(fn.body.body);
    return join(returns.map((e) => this.valueOf(e, depth + 1)));
  }

  /** What a TypeScript annotation in this file says a value is. */
  typeValue(type: TSESTree.TypeNode, depth: number): Value | null {
    if (depth > MAX_DEPTH) return null;
    if (type.type === AST_NODE_TYPES.TSUnionType) return join(type.types.map((u) => this.typeValue(u, depth + 1)));
    // `typeof Job`: the value the name stands for (a getter that hands out a class, say).
    if (type.type === AST_NODE_TYPES.TSTypeQuery) return type.exprName.type === AST_NODE_TYPES.Identifier ? this.valueOf(type.exprName, depth + 1) : null;
    if (type.type !== AST_NODE_TYPES.TSTypeReference) return null;
    const path: string[] = [];
    let name: TSESTree.EntityName = type.typeName;
    while (name.type === AST_NODE_TYPES.TSQualifiedName) {
      path.unshift(name.right.name);
      name = name.left;
    }
    if (name.type !== AST_NODE_TYPES.Identifier) return null;
    const binding = this.bindings.importOf(name);
    if (binding) {
      let target = this.index.importValue(this.filename, binding.module, binding.name, depth + 1);
      for (const part of path) target = memberOf(target, part, depth + 1);
      if (!target) return null;
      if (target.kind === 'external') return instanceOfExternal(target);
      if (target.kind === 'class') return { kind: 'instance', cls: target.cls };
      if (target.kind === 'type') return target.instance(depth + 1);
      return null;
    }
    if (path.length > 0) return null;
    const constraint = typeParameterConstraint(type, name.name);
    if (constraint !== undefined) return constraint ? this.typeValue(constraint, depth + 1) : null;
    const local = this.#declaration(name.name);
    if (!local) {
      const arg = type.typeArguments?.params[0];
      const argValue = (): Value | null => (arg ? this.typeValue(arg, depth + 1) : null);
      if (name.name === 'Promise' || name.name === 'PromiseLike') return promiseOf(argValue());
      if (name.name === 'Awaited') return awaited(argValue());
      return TRANSPARENT_TYPES.has(name.name) ? argValue() : null;
    }
    if (local.type === AST_NODE_TYPES.TSTypeAliasDeclaration) return this.typeValue(local.typeAnnotation, depth + 1);
    if (local.type === AST_NODE_TYPES.ClassDeclaration || local.type === AST_NODE_TYPES.TSInterfaceDeclaration) return { kind: 'instance', cls: this.#class(local) };
    return null;
  }

  /** Module-level classes, interfaces and type aliases of this file, by name. */
  #declaration(name: string): TSESTree.Node | null {
    if (!this.#declarations) {
      const map = new Map<string, TSESTree.Node>();
      for (const s of this.program.body) {
        const decl = (s.type === AST_NODE_TYPES.ExportNamedDeclaration || s.type === AST_NODE_TYPES.ExportDefaultDeclaration) && s.declaration ? s.declaration : s;
        if (
          (decl.type === AST_NODE_TYPES.ClassDeclaration || decl.type === AST_NODE_TYPES.TSInterfaceDeclaration || decl.type === AST_NODE_TYPES.TSTypeAliasDeclaration) &&
          decl.id
        ) {
          if (!(map.get(decl.id.name)?.type === AST_NODE_TYPES.ClassDeclaration)) map.set(decl.id.name, decl);
        }
      }
      this.#declarations = map;
    }
    return this.#declarations.get(name) ?? null;
  }

  #class(node: ClassNode): ClassLike {
    let cls = this.#classes.get(node);
    if (!cls) {
      cls = new EstreeClass(this, node);
      this.#classes.set(node, cls);
    }
    return cls;
  }

  /** @internal For `EstreeClass`. */
  returned(fn: FnLike | TSESTree.TSMethodSignature, depth: number): Value | null {
    return this.#returned(fn, depth);
  }

  /** @internal For `EstreeClass`. */
  functionValue(fn: FnLike): Value | null {
    return this.#function(fn);
  }
}

/** A class or interface of the file being linted, looked up member by member. */
class EstreeClass implements ClassLike {
  readonly #members = new Map<string, Value | null>();
  constructor(
    private readonly file: CrossFile,
    private readonly node: ClassNode,
  ) {}

  member(name: string, depth: number): Value | null {
    if (depth > MAX_DEPTH) return null;
    if (this.#members.has(name)) return this.#members.get(name)!;
    this.#members.set(name, null);
    const value = this.#compute(name, depth);
    this.#members.set(name, value);
    return value;
  }

  #compute(name: string, depth: number): Value | null {
    const d = depth + 1;
    const found: (Value | null)[] = [];
    let seen = false;
    const body = this.node.type === AST_NODE_TYPES.TSInterfaceDeclaration ? this.node.body.body : this.node.body.body;
    for (const member of body) {
      if (member.type === AST_NODE_TYPES.MethodDefinition && member.value.body) {
        if (member.kind === 'constructor') {
          for (const p of member.value.params) {
            if (p.type === AST_NODE_TYPES.TSParameterProperty && p.parameter.type === AST_NODE_TYPES.Identifier && p.parameter.name === name) {
              seen = true;
              if (p.parameter.typeAnnotation) found.push(this.file.typeValue(p.parameter.typeAnnotation.typeAnnotation, d));
            }
          }
        }
        for (const s of member.value.body.body) {
          if (s.type !== AST_NODE_TYPES.ExpressionStatement || s.expression.type !== AST_NODE_TYPES.AssignmentExpression || s.expression.operator !== '=') continue;
          const left = s.expression.left;
          if (left.type === AST_NODE_TYPES.MemberExpression && left.object.type === AST_NODE_TYPES.ThisExpression && propertyName(left) === name) {
            seen = true;
            found.push(this.file.valueOf(s.expression.right, d));
          }
        }
      }
      if (!('key' in member) || member.computed) continue;
      const key = member.key.type === AST_NODE_TYPES.Identifier || member.key.type === AST_NODE_TYPES.PrivateIdentifier ? member.key.name : member.key.type === AST_NODE_TYPES.Literal ? String(member.key.value) : null;
      if (key !== name) continue;
      seen = true;
      switch (member.type) {
        case AST_NODE_TYPES.PropertyDefinition:
          if (member.typeAnnotation) found.push(this.file.typeValue(member.typeAnnotation.typeAnnotation, d));
          else if (member.value) found.push(this.file.valueOf(member.value, d));
          break;
        case AST_NODE_TYPES.TSPropertySignature:
          if (member.typeAnnotation) found.push(this.file.typeValue(member.typeAnnotation.typeAnnotation, d));
          break;
        case AST_NODE_TYPES.MethodDefinition:
          if (member.kind === 'get') found.push(this.file.returned(member.value, d));
          else if (member.kind === 'method') found.push(this.file.functionValue(member.value));
          break;
        case AST_NODE_TYPES.TSMethodSignature:
          if (member.kind === 'get') found.push(this.file.returned(member, d));
          else if (member.kind === 'method') found.push({ kind: 'function', call: (dd) => this.file.returned(member, dd + 1) });
          break;
        default:
          break;
      }
    }
    if (seen) return join(found);
    const bases: TSESTree.Node[] =
      this.node.type === AST_NODE_TYPES.TSInterfaceDeclaration ? this.node.extends.map((h) => h.expression) : this.node.superClass ? [this.node.superClass] : [];
    for (const base of bases) {
      const value = this.node.type === AST_NODE_TYPES.TSInterfaceDeclaration ? this.#interfaceBase(base, d) : this.file.valueOf(base, d);
      const cls = value?.kind === 'class' || value?.kind === 'instance' ? value.cls : null;
      const inherited = cls?.member(name, d) ?? null;
      if (inherited) return inherited;
    }
    return null;
  }

  #interfaceBase(base: TSESTree.Node, depth: number): Value | null {
    if (base.type !== AST_NODE_TYPES.Identifier) return null;
    return this.file.typeValue({ type: AST_NODE_TYPES.TSTypeReference, typeName: base } as unknown as TSESTree.TypeNode, depth);
  }
}

/** Whether an options object among `args` sets `commandTimeout` (also inside `redisOptions`). */
function hasCommandTimeout(args: readonly TSESTree.Node[]): boolean {
  const inObject = (e: TSESTree.Node, depth: number): boolean => {
    const n = skipWrappers(e);
    if (n.type !== AST_NODE_TYPES.ObjectExpression || depth > 2) return false;
    return n.properties.some((p) => {
      if (p.type !== AST_NODE_TYPES.Property || p.computed) return false;
      const key = p.key.type === AST_NODE_TYPES.Identifier ? p.key.name : p.key.type === AST_NODE_TYPES.Literal ? String(p.key.value) : null;
      return key === 'commandTimeout' || (key === 'redisOptions' && inObject(p.value, depth + 1));
    });
  };
  return args.some((a) => inObject(a, 0));
}

/** The constraint of type parameter `name` in scope at `node`: a node, null (unconstrained), or undefined (no such parameter). */
function typeParameterConstraint(node: TSESTree.Node, name: string): TSESTree.TypeNode | null | undefined {
  for (let n: TSESTree.Node | undefined = node.parent; n; n = n.parent) {
    const params = (n as { typeParameters?: TSESTree.TSTypeParameterDeclaration }).typeParameters?.params;
    const found = params?.find((p) => p.name.name === name);
    if (found) return found.constraint ?? null;
  }
  return undefined;
}
