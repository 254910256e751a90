import { AST_NODE_TYPES, ASTUtils, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { propertyName, skipWrappers } from './ast.js';

/** Where an imported (or `require`d) binding comes from. `name` is `*` for namespaces, `default` for default imports. */
export interface ModuleBinding {
  module: string;
  name: string;
}

type Variable = TSESLint.Scope.Variable;

/** Module names are compared without the `node:` prefix. */
export function normalizeModule(source: string): string {
  return source.startsWith('node:') ? source.slice(5) : source;
}

/**
 * Name resolution for one file: which variable an identifier refers to, where an import came
 * from, what a constant was initialised with. Scope lookups are memoised per identifier.
 */
export class Bindings {
  readonly #sourceCode: Readonly<TSESLint.SourceCode>;
  readonly #variables = new WeakMap<TSESTree.Identifier, Variable | null>();
  #index: Map<TSESTree.Node, Variable | null> | null = null;
  #moduleLocals: Map<string, string> | null = null;

  constructor(sourceCode: Readonly<TSESLint.SourceCode>) {
    this.#sourceCode = sourceCode;
  }

  /**
   * The variable an identifier refers to (or declares). Resolved from one pass over the scope
   * manager's references, built on first use, so each lookup is a map read.
   */
  variable(id: TSESTree.Identifier): Variable | null {
    let index = this.#index;
    if (!index) {
      index = this.#buildIndex();
      this.#index = index;
    }
    const found = index.get(id);
    if (found !== undefined) return found;
    // Identifiers the scope manager does not track as references (e.g. in type positions).
    const cached = this.#variables.get(id);
    if (cached !== undefined) return cached;
    let resolved: Variable | null = null;
    try {
      resolved = ASTUtils.findVariable(this.#sourceCode.getScope(id), id) ?? null;
    } catch {
      resolved = null;
    }
    this.#variables.set(id, resolved);
    return resolved;
  }

  #buildIndex(): Map<TSESTree.Node, Variable | null> {
    const index = new Map<TSESTree.Node, Variable | null>();
    const manager = this.#sourceCode.scopeManager;
    if (!manager) return index;
    // References only: declaration identifiers are rarely asked about and fall back to a scope lookup.
    for (const scope of manager.scopes) {
      for (const ref of scope.references) index.set(ref.identifier, ref.resolved);
    }
    return index;
  }

  /**
   * Local names bound at module level by imports and `require`s, with their module. A cheap
   * pre-filter: rules look names up here before resolving scopes.
   */
  moduleLocals(): ReadonlyMap<string, string> {
    if (this.#moduleLocals) return this.#moduleLocals;
    const locals = new Map<string, string>();
    for (const statement of this.#sourceCode.ast.body) {
      if (statement.type === AST_NODE_TYPES.ImportDeclaration) {
        for (const spec of statement.specifiers) locals.set(spec.local.name, normalizeModule(statement.source.value));
      } else if (statement.type === AST_NODE_TYPES.TSImportEqualsDeclaration) {
        const ref = statement.moduleReference;
        if (ref.type === AST_NODE_TYPES.TSExternalModuleReference && ref.expression.type === AST_NODE_TYPES.Literal) {
          locals.set(statement.id.name, normalizeModule(String(ref.expression.value)));
        }
      } else if (statement.type === AST_NODE_TYPES.VariableDeclaration) {
        for (const d of statement.declarations) {
          const module = d.init ? requiredModule(skipWrappers(d.init)) : null;
          if (module === null) continue;
          if (d.id.type === AST_NODE_TYPES.Identifier) locals.set(d.id.name, module);
          else if (d.id.type === AST_NODE_TYPES.ObjectPattern) {
            for (const prop of d.id.properties) {
              const value = prop.type === AST_NODE_TYPES.Property ? (prop.value.type === AST_NODE_TYPES.AssignmentPattern ? prop.value.left : prop.value) : null;
              if (value?.type === AST_NODE_TYPES.Identifier) locals.set(value.name, module);
            }
          }
        }
      }
    }
    this.#moduleLocals = locals;
    return locals;
  }

  /** True when `id` is not declared in the file (a global or an implicit one). */
  isGlobal(id: TSESTree.Identifier): boolean {
    const v = this.variable(id);
    return v === null || v.defs.length === 0;
  }

  /** The import (or require) an identifier is bound to. */
  importOf(id: TSESTree.Identifier): ModuleBinding | null {
    const v = this.variable(id);
    const def = v?.defs[0];
    if (!def) return null;
    if (def.type === 'ImportBinding') {
      const spec = def.node;
      if (spec.type === AST_NODE_TYPES.TSImportEqualsDeclaration) {
        const ref = spec.moduleReference;
        if (ref.type === AST_NODE_TYPES.TSExternalModuleReference && ref.expression.type === AST_NODE_TYPES.Literal) {
          return { module: normalizeModule(String(ref.expression.value)), name: '*' };
        }
        return null;
      }
      const decl = spec.parent;
      if (decl.type !== AST_NODE_TYPES.ImportDeclaration) return null;
      const module = normalizeModule(decl.source.value);
      if (spec.type === AST_NODE_TYPES.ImportDefaultSpecifier) return { module, name: 'default' };
      if (spec.type === AST_NODE_TYPES.ImportNamespaceSpecifier) return { module, name: '*' };
      const imported = spec.imported;
      return { module, name: imported.type === AST_NODE_TYPES.Identifier ? imported.name : String(imported.value) };
    }
    if (def.type === 'Variable') {
      const declarator = def.node;
      const init = declarator.init ? skipWrappers(declarator.init) : null;
      const module = init ? requiredModule(init) : null;
      if (module === null) return null;
      if (declarator.id.type === AST_NODE_TYPES.Identifier) return { module, name: '*' };
      if (declarator.id.type === AST_NODE_TYPES.ObjectPattern) {
        for (const prop of declarator.id.properties) {
          if (prop.type !== AST_NODE_TYPES.Property) continue;
          const value = prop.value.type === AST_NODE_TYPES.AssignmentPattern ? prop.value.left : prop.value;
          if (value.type === AST_NODE_TYPES.Identifier && value.name === id.name && prop.key.type === AST_NODE_TYPES.Identifier) {
            return { module, name: prop.key.name };
          }
        }
      }
    }
    return null;
  }

  /**
   * The initialiser of a variable that is assigned once (a `const`, or a `let`/`var` never
   * reassigned), or null.
   */
  initOf(id: TSESTree.Identifier): TSESTree.Expression | null {
    const v = this.variable(id);
    if (!v || v.defs.length !== 1) return null;
    const def = v.defs[0]!;
    if (def.type !== 'Variable' || def.node.id.type !== AST_NODE_TYPES.Identifier || !def.node.init) return null;
    if (def.parent.kind !== 'const') {
      const writes = v.references.filter((r) => r.isWrite());
      if (writes.length > 1 || (writes.length === 1 && writes[0]!.identifier !== def.node.id)) return null;
    }
    return def.node.init;
  }

  /**
   * The declaration that introduced `id`: a function declaration, a variable's initialiser,
   * or null.
   */
  functionOf(id: TSESTree.Identifier): TSESTree.FunctionDeclaration | TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression | null {
    const v = this.variable(id);
    const def = v?.defs[0];
    if (!def || v!.defs.length !== 1) return null;
    if (def.type === 'FunctionName' && def.node.type === AST_NODE_TYPES.FunctionDeclaration) return def.node;
    const init = this.initOf(id);
    if (init && (init.type === AST_NODE_TYPES.ArrowFunctionExpression || init.type === AST_NODE_TYPES.FunctionExpression)) return init;
    return null;
  }

  /**
   * A stable name for what a callee denotes, resolving imports: `readFileSync` imported from
   * `node:fs` → `fs.readFileSync`; `fsp.readFile` with `fsp` from `fs/promises` →
   * `fs/promises.readFile`; `fs.promises.readFile` → `fs/promises.readFile`; an unshadowed global
   * → its own name (`fetch`, `Atomics.wait`). Null when the callee is local or unknown.
   */
  canonicalName(callee: TSESTree.Node): string | null {
    const n = skipWrappers(callee);
    if (n.type === AST_NODE_TYPES.Identifier) {
      const binding = this.importOf(n);
      if (binding) return binding.name === '*' || binding.name === 'default' ? binding.module : `${binding.module}.${binding.name}`;
      return this.isGlobal(n) ? n.name : null;
    }
    if (n.type === AST_NODE_TYPES.MemberExpression) {
      const prop = propertyName(n);
      if (prop === null) return null;
      const object = skipWrappers(n.object);
      let base: string | null;
      if (object.type === AST_NODE_TYPES.CallExpression) {
        base = requiredModule(object);
      } else {
        base = this.canonicalName(object);
      }
      if (base === null) return null;
      if (prop === 'promises' && (base === 'fs' || base === 'dns' || base === 'readline' || base === 'stream')) return `${base}/promises`;
      if ((base === 'timers' || base === 'fs/promises') && prop === 'default') return base;
      return `${base}.${prop}`;
    }
    if (n.type === AST_NODE_TYPES.CallExpression) return requiredModule(n);
    return null;
  }
}

/** `require('x')` → `x` (normalised), else null. */
export function requiredModule(node: TSESTree.Node): string | null {
  if (
    node.type === AST_NODE_TYPES.CallExpression &&
    node.callee.type === AST_NODE_TYPES.Identifier &&
    node.callee.name === 'require' &&
    node.arguments.length === 1 &&
    node.arguments[0]!.type === AST_NODE_TYPES.Literal &&
    typeof node.arguments[0]!.value === 'string'
  ) {
    return normalizeModule(node.arguments[0]!.value);
  }
  return null;
}

const cache = new WeakMap<TSESTree.Program, Bindings>();

/** The memoised `Bindings` of the file being linted. */
export function getBindings(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>): Bindings {
  const ast = context.sourceCode.ast;
  let b = cache.get(ast);
  if (!b) {
    b = new Bindings(context.sourceCode);
    cache.set(ast, b);
  }
  return b;
}
