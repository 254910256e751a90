import { dirname } from 'node:path';
import type * as ts from 'typescript';
import { LLAMA_FACTORY_METHODS, LLAMA_STATIC_IO, REDIS_LOCAL_METHODS, redisCommandOf } from '../knownApis.js';
import { resolveSpecifier } from './resolve.js';
import { requireSpecifier, scopeOf, type Local } from './scope.js';
import { SourceCache, loadTypeScript, type ParsedModule } from './sources.js';
import {
  MAX_DEPTH,
  awaited,
  callExternal,
  constructExternal,
  externalBinding,
  isExternalAsyncMethod,
  instanceOfExternalType,
  join,
  promiseOf,
  type ClassLike,
  type Value,
} from './values.js';

/** What a member access or a method call on a known value gives, whichever file the value came from. */
export function memberOf(object: Value | null, name: string, depth: number): Value | null {
  if (!object || depth > MAX_DEPTH) return null;
  switch (object.kind) {
    case 'instance':
      return object.cls.member(name, depth + 1);
    case 'namespace':
      return object.member(name, depth + 1);
    case 'external':
      return { kind: 'external', module: object.module, path: [...object.path, name] };
    case 'redisManaged':
      return object;
    default:
      return null;
  }
}

/** The value of `object.name(...)`. */
export function methodCall(object: Value | null, name: string, commandTimeout: boolean, depth: number): Value | null {
  if (!object || depth > MAX_DEPTH) return null;
  switch (object.kind) {
    case 'redis':
      if (name === 'duplicate') return object;
      if (name === 'pipeline' || name === 'multi') return { kind: 'redisPipeline' };
      if (REDIS_LOCAL_METHODS.has(name)) return null;
      return redisCommandOf(name) !== null || name === 'quit' ? promiseOf(null) : null;
    case 'redisPipeline':
      return name === 'exec' ? promiseOf(null) : object;
    case 'redisManaged':
      return object;
    case 'externalInstance':
      return isExternalAsyncMethod(object, name) ? promiseOf(null) : null;
    case 'llama': {
      if (object.staticClass) return name in LLAMA_STATIC_IO ? promiseOf({ kind: 'llama', llama: 'index', staticClass: false }) : null;
      const made = LLAMA_FACTORY_METHODS[name];
      return made && object.llama === 'index' ? { kind: 'llama', llama: made, staticClass: false } : null;
    }
    default:
      return callOf(memberOf(object, name, depth + 1), commandTimeout, depth + 1);
  }
}

/** The value of calling `callee`. */
export function callOf(callee: Value | null, commandTimeout: boolean, depth: number): Value | null {
  if (!callee || depth > MAX_DEPTH) return null;
  if (callee.kind === 'function') return callee.call(depth + 1);
  if (callee.kind === 'external') return callExternal(callee, commandTimeout);
  return null;
}

/** The value of `new callee(...)`. */
export function constructOf(callee: Value | null, commandTimeout: boolean): Value | null {
  if (!callee) return null;
  if (callee.kind === 'class') return { kind: 'instance', cls: callee.cls };
  if (callee.kind === 'external') return constructExternal(callee, commandTimeout);
  return null;
}

type FunctionLike = ts.FunctionLikeDeclaration;

/** Utility types whose values are (a part of) their first argument's. */
export const TRANSPARENT_TYPES: ReadonlySet<string> = new Set(['Pick', 'Omit', 'Partial', 'Required', 'Readonly', 'NonNullable']);

/**
 * The per-process module index: follows relative imports, `require`s and re-exports through
 * source files parsed with TypeScript's parser (no type checker), and evaluates what their
 * bindings are. Every answer is bounded in depth; a missing or unparsable module gives null.
 */
export class ModuleIndex {
  readonly sources = new SourceCache();
  /** Resolved specifiers by importing directory; misses are kept for one check generation only. */
  readonly #resolved = new Map<string, { path: string | null; generation: number }>();

  /** `resolveSpecifier`, cached. */
  resolve(fromFile: string, specifier: string): string | null {
    const key = `${dirname(fromFile)}\0${specifier}`;
    const hit = this.#resolved.get(key);
    if (hit && (hit.path !== null || hit.generation === this.sources.generation)) return hit.path;
    const path = resolveSpecifier(fromFile, specifier);
    if (this.#resolved.size > 50_000) this.#resolved.clear();
    this.#resolved.set(key, { path, generation: this.sources.generation });
    return path;
  }

  /** The value `name` (`default`, `*` or a named export) imported by `fromFile` from `specifier`. */
  importValue(fromFile: string, specifier: string, name: string, depth: number): Value | null {
    if (depth > MAX_DEPTH) return null;
    const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
    const path = this.resolve(fromFile, bare);
    if (path === null) return bare.startsWith('.') || bare.startsWith('/') ? null : externalBinding(bare, name);
    return name === '*' ? this.namespace(path, depth + 1) : this.exportValue(path, name, depth + 1, new Set());
  }

  /** The module object of a source file (`import * as m`, `require('./m')`). */
  namespace(path: string, depth: number): Value | null {
    const m = this.#module(path);
    if (!m) return null;
    const t = loadTypeScript()!;
    const scope = scopeOf(t, m);
    if (scope.moduleExports && scope.exports.size === 0) return this.#expression(m, scope.moduleExports, depth + 1);
    return { kind: 'namespace', member: (name, d) => this.exportValue(path, name, d, new Set()) };
  }

  /** The value exported as `name` by the module at `path`. */
  exportValue(path: string, name: string, depth: number, seen: Set<string>): Value | null {
    if (depth > MAX_DEPTH || seen.has(path)) return null;
    seen.add(path);
    const m = this.#module(path);
    if (!m) return null;
    const t = loadTypeScript()!;
    const scope = scopeOf(t, m);
    const exported = scope.exports.get(name);
    if (exported) {
      switch (exported.kind) {
        case 'local':
          return this.#local(m, exported.name, depth + 1);
        case 'reexport':
          return this.importValue(path, exported.specifier, exported.name, depth + 1);
        case 'expression':
          return this.#expression(m, exported.node, depth + 1);
      }
    }
    if (name === 'default' && scope.moduleExports) return this.#expression(m, scope.moduleExports, depth + 1);
    if (scope.moduleExports && t.isIdentifier(scope.moduleExports)) {
      return memberOf(this.#local(m, scope.moduleExports.text, depth + 1), name, depth + 1);
    }
    for (const specifier of scope.starExports) {
      const target = this.resolve(path, specifier);
      const found = target === null ? null : this.exportValue(target, name, depth + 1, seen);
      if (found) return found;
    }
    return null;
  }

  #module(path: string): ParsedModule | null {
    return this.sources.get(path);
  }

  #memo<T>(m: ParsedModule, node: ts.Node, key: string, compute: () => T): T | null {
    const slot = m.memo.get(node) as Map<string, unknown> | undefined;
    const map = slot ?? new Map<string, unknown>();
    if (!slot) m.memo.set(node, map);
    if (map.has(key)) return map.get(key) as T | null;
    map.set(key, null); // cycle guard
    const value = compute();
    map.set(key, value);
    return value;
  }

  #local(m: ParsedModule, name: string, depth: number): Value | null {
    const t = loadTypeScript()!;
    const local = scopeOf(t, m).locals.get(name);
    return local ? this.#binding(m, local, depth + 1) : null;
  }

  #binding(m: ParsedModule, local: Local, depth: number): Value | null {
    if (depth > MAX_DEPTH) return null;
    if (local.kind === 'import') return this.importValue(m.path, local.specifier, local.name, depth + 1);
    return this.#declaration(m, local.node, depth + 1);
  }

  #declaration(m: ParsedModule, node: ts.Node, depth: number): Value | null {
    const t = loadTypeScript()!;
    if (t.isFunctionDeclaration(node) || t.isFunctionExpression(node) || t.isArrowFunction(node) || t.isMethodDeclaration(node)) return this.#function(m, node);
    if (t.isClassDeclaration(node) || t.isClassExpression(node) || t.isInterfaceDeclaration(node)) return { kind: 'class', cls: this.#class(m, node) };
    if (t.isVariableDeclaration(node)) {
      return this.#memo(m, node, 'decl', () => {
        const fromInit = node.initializer ? this.#expression(m, node.initializer, depth + 1) : null;
        return fromInit ?? (node.type ? this.#type(m, node.type, depth + 1) : null);
      });
    }
    if (t.isTypeAliasDeclaration(node)) {
      const type = node.type;
      return { kind: 'type', instance: (d) => this.#type(m, type, d + 1) };
    }
    if (t.isParameter(node) || t.isPropertyDeclaration(node) || t.isPropertySignature(node)) {
      return node.type ? this.#type(m, node.type, depth + 1) : null;
    }
    return null;
  }

  /** The value of an expression in module `m`. */
  #expression(m: ParsedModule, input: ts.Expression, depth: number): Value | null {
    if (depth > MAX_DEPTH) return null;
    return this.#memo(m, input, 'expr', () => this.#computeExpression(m, input, depth));
  }

  #computeExpression(m: ParsedModule, input: ts.Expression, depth: number): Value | null {
    const t = loadTypeScript()!;
    const node = input;
    if (t.isParenthesizedExpression(node) || t.isNonNullExpression(node) || t.isSatisfiesExpression(node)) return this.#expression(m, node.expression, depth + 1);
    if (t.isAsExpression(node) || t.isTypeAssertionExpression(node)) {
      return this.#type(m, node.type, depth + 1) ?? this.#expression(m, node.expression, depth + 1);
    }
    if (t.isAwaitExpression(node)) return awaited(this.#expression(m, node.expression, depth + 1));
    if (t.isNewExpression(node)) return constructOf(this.#expression(m, node.expression, depth + 1), hasCommandTimeout(t, node.arguments));
    if (t.isCallExpression(node)) {
      const specifier = requireSpecifier(t, node);
      if (specifier !== null) return this.importValue(m.path, specifier, '*', depth + 1);
      const callee = node.expression;
      const timeout = hasCommandTimeout(t, node.arguments);
      if (t.isPropertyAccessExpression(callee)) return methodCall(this.#expression(m, callee.expression, depth + 1), callee.name.text, timeout, depth + 1);
      return callOf(this.#expression(m, callee, depth + 1), timeout, depth + 1);
    }
    if (t.isPropertyAccessExpression(node)) {
      if (node.expression.kind === t.SyntaxKind.ThisKeyword) {
        const cls = enclosingClass(t, node);
        return cls ? this.#class(m, cls).member(node.name.text, depth + 1) : null;
      }
      return memberOf(this.#expression(m, node.expression, depth + 1), node.name.text, depth + 1);
    }
    if (t.isIdentifier(node)) return this.#identifier(m, node, depth + 1);
    if (t.isConditionalExpression(node)) return join([this.#expression(m, node.whenTrue, depth + 1), this.#expression(m, node.whenFalse, depth + 1)]);
    if (t.isBinaryExpression(node)) {
      const op = node.operatorToken.kind;
      if (op === t.SyntaxKind.BarBarToken || op === t.SyntaxKind.QuestionQuestionToken) {
        return join([this.#expression(m, node.left, depth + 1), this.#expression(m, node.right, depth + 1)]);
      }
      if (op === t.SyntaxKind.AmpersandAmpersandToken || op === t.SyntaxKind.CommaToken || op === t.SyntaxKind.EqualsToken) return this.#expression(m, node.right, depth + 1);
      return null;
    }
    if (t.isArrowFunction(node) || t.isFunctionExpression(node) || t.isMethodDeclaration(node)) return this.#function(m, node);
    if (t.isClassExpression(node) || t.isClassDeclaration(node)) return { kind: 'class', cls: this.#class(m, node) };
    if (t.isObjectLiteralExpression(node)) return this.#objectLiteral(m, node);
    return null;
  }

  #objectLiteral(m: ParsedModule, node: ts.ObjectLiteralExpression): Value {
    const t = loadTypeScript()!;
    return {
      kind: 'namespace',
      member: (name, depth) => {
        for (const p of node.properties) {
          if (!p.name || !(t.isIdentifier(p.name) || t.isStringLiteral(p.name)) || p.name.text !== name) continue;
          if (t.isPropertyAssignment(p)) return this.#expression(m, p.initializer, depth + 1);
          if (t.isShorthandPropertyAssignment(p)) return this.#identifier(m, p.name, depth + 1);
          if (t.isMethodDeclaration(p)) return this.#function(m, p);
        }
        return null;
      },
    };
  }

  /** An identifier, resolved lexically: function-local constants and parameters, then module-level names. */
  #identifier(m: ParsedModule, id: ts.Identifier, depth: number): Value | null {
    const t = loadTypeScript()!;
    const name = id.text;
    for (let n: ts.Node | undefined = id.parent; n && !t.isSourceFile(n); n = n.parent) {
      if (t.isFunctionLike(n)) {
        for (const p of n.parameters) if (t.isIdentifier(p.name) && p.name.text === name) return p.type ? this.#type(m, p.type, depth + 1) : null;
      }
      if (t.isBlock(n)) {
        for (const s of n.statements) {
          if (t.isVariableStatement(s)) {
            for (const d of s.declarationList.declarations) if (t.isIdentifier(d.name) && d.name.text === name) return this.#declaration(m, d, depth + 1);
          } else if (t.isFunctionDeclaration(s) && s.name?.text === name) return this.#function(m, s);
        }
      }
    }
    return this.#local(m, name, depth + 1);
  }

  #function(m: ParsedModule, fn: FunctionLike): Value | null {
    const t = loadTypeScript()!;
    if (fn.asteriskToken) return null;
    const isAsync = t.getCombinedModifierFlags(fn as ts.Declaration) & t.ModifierFlags.Async;
    return {
      kind: 'function',
      call: (depth) => {
        const result = this.#memo(m, fn, 'call', () => this.#returned(m, fn, depth + 1));
        return isAsync ? (result?.kind === 'promise' ? result : promiseOf(awaited(result))) : result;
      },
    };
  }

  /** What a function (or getter) returns: its declared return type, else its `return` expressions. */
  #returned(m: ParsedModule, fn: FunctionLike, depth: number): Value | null {
    const t = loadTypeScript()!;
    if (depth > MAX_DEPTH) return null;
    if (fn.type) return this.#type(m, fn.type, depth + 1);
    const body = fn.body;
    if (!body) return null;
    if (!t.isBlock(body)) return this.#expression(m, body, depth + 1);
    const returns: ts.Expression[] = [];
    const visit = (n: ts.Node): void => {
      if (t.isFunctionLike(n) || t.isClassLike(n)) return;
      if (t.isReturnStatement(n) && n.expression) returns.push(n.expression);
      t.forEachChild(n, visit);
    };
    t.forEachChild(body, visit);
    return join(returns.slice(0, 8).map((e) => this.#expression(m, e, depth + 1)));
  }

  /** What a type annotation says a value is. */
  #type(m: ParsedModule, node: ts.TypeNode, depth: number): Value | null {
    if (depth > MAX_DEPTH) return null;
    return this.#memo(m, node, 'type', () => this.#computeType(m, node, depth));
  }

  #computeType(m: ParsedModule, node: ts.TypeNode, depth: number): Value | null {
    const t = loadTypeScript()!;
    if (t.isParenthesizedTypeNode(node)) return this.#type(m, node.type, depth + 1);
    if (t.isUnionTypeNode(node)) return join(node.types.map((u) => this.#type(m, u, depth + 1)));
    // `typeof Job`: the value the name stands for (a getter that hands out a class, say).
    if (t.isTypeQueryNode(node)) return t.isIdentifier(node.exprName) ? this.#expression(m, node.exprName, depth + 1) : null;
    if (!t.isTypeReferenceNode(node)) return null;
    const path: string[] = [];
    let name: ts.EntityName = node.typeName;
    while (t.isQualifiedName(name)) {
      path.unshift(name.right.text);
      name = name.left;
    }
    const head = name.text;
    if (path.length === 0) {
      const constraint = typeParameterConstraint(t, node, head);
      if (constraint !== undefined) return constraint ? this.#type(m, constraint, depth + 1) : null;
    }
    const local = scopeOf(t, m).locals.get(head);
    if (!local && path.length === 0) {
      const arg = node.typeArguments?.[0];
      const argValue = (): Value | null => (arg ? this.#type(m, arg, depth + 1) : null);
      if (head === 'Promise' || head === 'PromiseLike') return promiseOf(argValue());
      if (head === 'Awaited') return awaited(argValue());
      if (TRANSPARENT_TYPES.has(head)) return argValue();
    }
    if (!local) return null;
    if (local.kind === 'import') {
      const imported = this.importValue(m.path, local.specifier, local.name, depth + 1);
      let target = imported;
      for (const part of path) target = memberOf(target, part, depth + 1);
      return this.#typeOfValue(target, depth + 1);
    }
    if (path.length > 0) return null;
    if (t.isTypeAliasDeclaration(local.node)) return this.#type(m, local.node.type, depth + 1);
    if (t.isClassDeclaration(local.node) || t.isInterfaceDeclaration(local.node)) return { kind: 'instance', cls: this.#class(m, local.node) };
    return null;
  }

  /** A type named through an import: a package's type, a class or interface, or a type alias of another module. */
  #typeOfValue(v: Value | null, depth: number): Value | null {
    if (!v) return null;
    if (v.kind === 'external') return instanceOfExternalType(v);
    if (v.kind === 'class') return { kind: 'instance', cls: v.cls };
    if (v.kind === 'type') return v.instance(depth + 1);
    return null;
  }

  #class(m: ParsedModule, node: ts.ClassLikeDeclaration | ts.InterfaceDeclaration): ClassLike {
    const cached = m.memo.get(node) as Map<string, unknown> | undefined;
    const existing = cached?.get('class') as ClassLike | undefined;
    if (existing) return existing;
    const cls = new TsClass(this, m, node);
    const slot = cached ?? new Map<string, unknown>();
    slot.set('class', cls);
    if (!cached) m.memo.set(node, slot);
    return cls;
  }

  /** @internal For `TsClass`. */
  evaluate(m: ParsedModule, what: { expression?: ts.Expression; type?: ts.TypeNode; returnsOf?: FunctionLike; function?: FunctionLike }, depth: number): Value | null {
    if (what.expression) return this.#expression(m, what.expression, depth);
    if (what.type) return this.#type(m, what.type, depth);
    if (what.returnsOf) return this.#returned(m, what.returnsOf, depth);
    if (what.function) return this.#function(m, what.function);
    return null;
  }
}

/** A class or interface of a parsed module, looked up member by member. */
class TsClass implements ClassLike {
  readonly #members = new Map<string, Value | null>();
  constructor(
    private readonly index: ModuleIndex,
    private readonly m: ParsedModule,
    private readonly node: ts.ClassLikeDeclaration | ts.InterfaceDeclaration,
  ) {}

  member(name: string, depth: number): Value | null {
    if (depth > MAX_DEPTH) return null;
    if (this.#members.has(name)) return this.#members.get(name)!;
    this.#members.set(name, null); // cycle guard
    const value = this.#compute(name, depth);
    this.#members.set(name, value);
    return value;
  }

  #compute(name: string, depth: number): Value | null {
    const t = loadTypeScript()!;
    const found: (Value | null)[] = [];
    let seen = false;
    for (const member of this.node.members as ts.NodeArray<ts.ClassElement | ts.TypeElement>) {
      if (t.isConstructorDeclaration(member)) {
        for (const p of member.parameters) {
          if (t.isIdentifier(p.name) && p.name.text === name && t.getModifiers(p)?.length && p.type) {
            seen = true;
            found.push(this.index.evaluate(this.m, { type: p.type }, depth + 1));
          }
        }
      }
      if ((t.isMethodDeclaration(member) || t.isConstructorDeclaration(member)) && member.body) {
        for (const s of member.body.statements) {
          if (!t.isExpressionStatement(s) || !t.isBinaryExpression(s.expression) || s.expression.operatorToken.kind !== t.SyntaxKind.EqualsToken) continue;
          const left = s.expression.left;
          if (t.isPropertyAccessExpression(left) && left.expression.kind === t.SyntaxKind.ThisKeyword && left.name.text === name) {
            seen = true;
            found.push(this.index.evaluate(this.m, { expression: s.expression.right }, depth + 1));
          }
        }
      }
      const key = member.name && (t.isIdentifier(member.name) || t.isPrivateIdentifier(member.name) || t.isStringLiteral(member.name)) ? member.name.text : null;
      if (key !== name) continue;
      seen = true;
      if (t.isPropertyDeclaration(member) || t.isPropertySignature(member)) {
        if (member.type) found.push(this.index.evaluate(this.m, { type: member.type }, depth + 1));
        else if (t.isPropertyDeclaration(member) && member.initializer) found.push(this.index.evaluate(this.m, { expression: member.initializer }, depth + 1));
      } else if (t.isGetAccessorDeclaration(member)) {
        found.push(this.index.evaluate(this.m, { returnsOf: member }, depth + 1));
      } else if (t.isMethodDeclaration(member)) {
        found.push(this.index.evaluate(this.m, { function: member }, depth + 1));
      } else if (t.isMethodSignature(member)) {
        const type = member.type;
        found.push(type ? { kind: 'function', call: (d) => this.index.evaluate(this.m, { type }, d + 1) } : null);
      }
    }
    if (seen) return join(found);
    // Inherited: `class A extends B`, `interface A extends B, C`.
    for (const clause of this.node.heritageClauses ?? []) {
      if (clause.token !== t.SyntaxKind.ExtendsKeyword) continue;
      for (const base of clause.types) {
        const baseValue = this.index.evaluate(this.m, { expression: base.expression }, depth + 1);
        const cls = baseValue?.kind === 'class' || baseValue?.kind === 'instance' ? baseValue.cls : null;
        const inherited = cls?.member(name, depth + 1) ?? null;
        if (inherited) return inherited;
      }
    }
    return null;
  }
}

function enclosingClass(t: typeof ts, node: ts.Node): ts.ClassLikeDeclaration | null {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (t.isClassLike(n)) return n;
    // `this` inside a plain function is not the class's.
    if (t.isFunctionDeclaration(n) || t.isFunctionExpression(n)) return null;
  }
  return null;
}

/** Whether the options object among `args` sets `commandTimeout` (also inside `redisOptions`). */
function hasCommandTimeout(t: typeof ts, args: ts.NodeArray<ts.Expression> | undefined): boolean {
  const inObject = (e: ts.Expression, depth: number): boolean => {
    if (!t.isObjectLiteralExpression(e) || depth > 2) return false;
    return e.properties.some((p) => {
      if (!t.isPropertyAssignment(p) || !(t.isIdentifier(p.name) || t.isStringLiteral(p.name))) return false;
      return p.name.text === 'commandTimeout' || (p.name.text === 'redisOptions' && inObject(p.initializer, depth + 1));
    });
  };
  return (args ?? []).some((a) => inObject(a, 0));
}

/** The constraint of type parameter `name` in scope at `node`: a node, null (unconstrained), or undefined (no such parameter). */
function typeParameterConstraint(t: typeof ts, node: ts.Node, name: string): ts.TypeNode | null | undefined {
  for (let n: ts.Node | undefined = node.parent; n && !t.isSourceFile(n); n = n.parent) {
    const params = (n as { typeParameters?: ts.NodeArray<ts.TypeParameterDeclaration> }).typeParameters;
    const found = params?.find((p) => p.name.text === name);
    if (found) return found.constraint ?? null;
  }
  return undefined;
}
