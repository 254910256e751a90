import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';

export type FunctionNode =
  | TSESTree.ArrowFunctionExpression
  | TSESTree.FunctionDeclaration
  | TSESTree.FunctionExpression;

export function isFunctionNode(node: TSESTree.Node): node is FunctionNode {
  return (
    node.type === AST_NODE_TYPES.ArrowFunctionExpression ||
    node.type === AST_NODE_TYPES.FunctionDeclaration ||
    node.type === AST_NODE_TYPES.FunctionExpression
  );
}

/** Strips the wrappers that do not change a value: TS assertions, `!`, optional-chain wrappers. */
export function skipWrappers(node: TSESTree.Node): TSESTree.Node {
  let current = node;
  for (;;) {
    switch (current.type) {
      case AST_NODE_TYPES.TSAsExpression:
      case AST_NODE_TYPES.TSNonNullExpression:
      case AST_NODE_TYPES.TSSatisfiesExpression:
      case AST_NODE_TYPES.TSTypeAssertion:
      case AST_NODE_TYPES.TSInstantiationExpression:
        current = current.expression;
        break;
      case AST_NODE_TYPES.ChainExpression:
        current = current.expression;
        break;
      default:
        return current;
    }
  }
}

/** The name of a non-computed property key or member property (`a.b`, `a['b']`), or null. */
export function propertyName(node: TSESTree.MemberExpression): string | null {
  if (!node.computed && node.property.type === AST_NODE_TYPES.Identifier) return node.property.name;
  if (node.computed && node.property.type === AST_NODE_TYPES.Literal && typeof node.property.value === 'string') {
    return node.property.value;
  }
  return null;
}

/** The name a callee is called by: `f` for `f()`, `m` for `a.b.m()`; null otherwise. Allocation-free. */
export function calleeName(callee: TSESTree.Node): string | null {
  const n = skipWrappers(callee);
  if (n.type === AST_NODE_TYPES.Identifier) return n.name;
  if (n.type === AST_NODE_TYPES.MemberExpression) return propertyName(n);
  return null;
}

/** `a.b.c` → `['a', 'b', 'c']`; `this.x` → `['this', 'x']`; null when a segment is not a plain name. */
export function memberPath(node: TSESTree.Node): string[] | null {
  const n = skipWrappers(node);
  if (n.type === AST_NODE_TYPES.Identifier) return [n.name];
  if (n.type === AST_NODE_TYPES.ThisExpression) return ['this'];
  if (n.type === AST_NODE_TYPES.MemberExpression) {
    const name = propertyName(n);
    if (name === null) return null;
    const head = memberPath(n.object);
    return head === null ? null : [...head, name];
  }
  return null;
}

/**
 * The identifier a callee chain starts from: `test.only.each(...)(...)` → `test`.
 * Walks through member accesses and calls.
 */
export function rootIdentifier(node: TSESTree.Node): TSESTree.Identifier | null {
  let n = skipWrappers(node);
  for (;;) {
    if (n.type === AST_NODE_TYPES.Identifier) return n;
    if (n.type === AST_NODE_TYPES.MemberExpression) n = skipWrappers(n.object);
    else if (n.type === AST_NODE_TYPES.CallExpression) n = skipWrappers(n.callee);
    else if (n.type === AST_NODE_TYPES.TaggedTemplateExpression) n = skipWrappers(n.tag);
    else return null;
  }
}

/** The nearest enclosing function of `node` (not `node` itself), or null at module level. */
export function enclosingFunction(node: TSESTree.Node): FunctionNode | null {
  let n = node.parent;
  while (n) {
    if (isFunctionNode(n)) return n;
    n = n.parent;
  }
  return null;
}

/** The name a function is known by: its id, the variable/property/method it is assigned to. */
export function functionName(fn: FunctionNode): string | null {
  if (fn.id) return fn.id.name;
  const parent = fn.parent;
  switch (parent.type) {
    case AST_NODE_TYPES.VariableDeclarator:
      return parent.id.type === AST_NODE_TYPES.Identifier ? parent.id.name : null;
    case AST_NODE_TYPES.MethodDefinition:
    case AST_NODE_TYPES.Property:
    case AST_NODE_TYPES.PropertyDefinition:
      if (!parent.computed && parent.key.type === AST_NODE_TYPES.Identifier) return parent.key.name;
      if (parent.key.type === AST_NODE_TYPES.Literal) return String(parent.key.value);
      return null;
    case AST_NODE_TYPES.AssignmentExpression: {
      const path = memberPath(parent.left);
      return path ? (path[path.length - 1] ?? null) : null;
    }
    default:
      return null;
  }
}

/** The class a method/constructor function belongs to, if any. */
export function enclosingClass(node: TSESTree.Node): TSESTree.ClassDeclaration | TSESTree.ClassExpression | null {
  let n = node.parent;
  while (n) {
    if (n.type === AST_NODE_TYPES.ClassDeclaration || n.type === AST_NODE_TYPES.ClassExpression) return n;
    n = n.parent;
  }
  return null;
}

export function isConstructor(fn: FunctionNode): boolean {
  return fn.parent.type === AST_NODE_TYPES.MethodDefinition && fn.parent.kind === 'constructor';
}

/**
 * Folds a numeric constant expression made of number literals, `+ - * / % **`, unary minus and
 * parentheses. `resolveIdentifier` may supply values for const identifiers. Null when not constant.
 */
export function foldNumber(
  node: TSESTree.Node,
  resolveIdentifier?: (id: TSESTree.Identifier) => TSESTree.Node | null,
  depth = 0,
): number | null {
  if (depth > 16) return null;
  const n = skipWrappers(node);
  switch (n.type) {
    case AST_NODE_TYPES.Literal:
      return typeof n.value === 'number' ? n.value : null;
    case AST_NODE_TYPES.UnaryExpression: {
      if (n.operator !== '-' && n.operator !== '+') return null;
      const v = foldNumber(n.argument, resolveIdentifier, depth + 1);
      return v === null ? null : n.operator === '-' ? -v : v;
    }
    case AST_NODE_TYPES.BinaryExpression: {
      if (n.left.type === AST_NODE_TYPES.PrivateIdentifier) return null;
      const l = foldNumber(n.left, resolveIdentifier, depth + 1);
      if (l === null) return null;
      const r = foldNumber(n.right, resolveIdentifier, depth + 1);
      if (r === null) return null;
      switch (n.operator) {
        case '+': return l + r;
        case '-': return l - r;
        case '*': return l * r;
        case '/': return l / r;
        case '%': return l % r;
        case '**': return l ** r;
        default: return null;
      }
    }
    case AST_NODE_TYPES.Identifier: {
      const init = resolveIdentifier?.(n);
      return init ? foldNumber(init, resolveIdentifier, depth + 1) : null;
    }
    default:
      return null;
  }
}

/**
 * Visits every node below `root` without entering nested functions (and classes), calling
 * `visit`; stops early when `visit` returns true. Returns whether it stopped early.
 */
export function someInSameFunction(root: TSESTree.Node, visit: (node: TSESTree.Node) => boolean): boolean {
  const stack: TSESTree.Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (visit(node)) return true;
    for (const child of childNodes(node)) {
      if (isFunctionNode(child) || child.type === AST_NODE_TYPES.ClassDeclaration || child.type === AST_NODE_TYPES.ClassExpression) continue;
      stack.push(child);
    }
  }
  return false;
}

/** All descendants, including nested functions; stops early when `visit` returns true. */
export function someDescendant(root: TSESTree.Node, visit: (node: TSESTree.Node) => boolean): boolean {
  const stack: TSESTree.Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (visit(node)) return true;
    for (const child of childNodes(node)) stack.push(child);
  }
  return false;
}

let visitorKeys: Readonly<Record<string, readonly string[] | undefined>> | null = null;

/** Installs the parser's visitor keys (from `context.sourceCode.visitorKeys`) for `childNodes`. */
export function useVisitorKeys(keys: Readonly<Record<string, readonly string[] | undefined>> | undefined): void {
  if (keys) visitorKeys = keys;
}

/** The direct AST children of a node, by the parser's visitor keys (generic property scan as a fallback). */
export function childNodes(node: TSESTree.Node): TSESTree.Node[] {
  const out: TSESTree.Node[] = [];
  const record = node as unknown as Record<string, unknown>;
  const keys = visitorKeys?.[node.type] ?? Object.keys(node).filter((k) => k !== 'parent' && k !== 'range' && k !== 'loc' && k !== 'tokens' && k !== 'comments');
  for (const key of keys) {
    const value = record[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) out.push(item);
    } else if (isNode(value)) {
      out.push(value);
    }
  }
  return out;
}

function isNode(value: unknown): value is TSESTree.Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
