import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { enclosingFunction } from './ast.js';

/** Expressions that bind tighter than a unary operator: `await x` needs no parentheses around them. */
export function bindsTighterThanUnary(node: TSESTree.Node): boolean {
  switch (node.type) {
    case AST_NODE_TYPES.CallExpression:
    case AST_NODE_TYPES.NewExpression:
    case AST_NODE_TYPES.MemberExpression:
    case AST_NODE_TYPES.Identifier:
    case AST_NODE_TYPES.ImportExpression:
    case AST_NODE_TYPES.TaggedTemplateExpression:
    case AST_NODE_TYPES.ChainExpression:
    case AST_NODE_TYPES.ThisExpression:
    case AST_NODE_TYPES.Literal:
    case AST_NODE_TYPES.TemplateLiteral:
    case AST_NODE_TYPES.ArrayExpression:
    case AST_NODE_TYPES.ObjectExpression:
    case AST_NODE_TYPES.TSNonNullExpression:
      return true;
    default:
      return false;
  }
}

export function isParenthesized(node: TSESTree.Node, sourceCode: Readonly<TSESLint.SourceCode>): boolean {
  const before = sourceCode.getTokenBefore(node);
  const after = sourceCode.getTokenAfter(node);
  return before?.value === '(' && after?.value === ')' && before.range[1] <= node.range[0] && after.range[0] >= node.range[1];
}

/** Puts `prefix` before `node`, adding parentheses when the expression needs them. */
export function prefixExpression(
  fixer: TSESLint.RuleFixer,
  node: TSESTree.Node,
  prefix: string,
  sourceCode: Readonly<TSESLint.SourceCode>,
): TSESLint.RuleFix[] {
  if (bindsTighterThanUnary(node)) return [fixer.insertTextBefore(node, prefix)];
  // `(a, b)` becomes `void (a, b)`, not `(void a, b)`: the prefix goes before the parentheses.
  const open = sourceCode.getTokenBefore(node);
  if (open && isParenthesized(node, sourceCode)) return [fixer.insertTextBefore(open, prefix)];
  return [fixer.insertTextBefore(node, `${prefix}(`), fixer.insertTextAfter(node, ')')];
}

/** Whether `await` may be inserted at `node`: inside an async function, or at the top level of a module. */
export function canAwaitAt(node: TSESTree.Node, sourceCode: Readonly<TSESLint.SourceCode>): boolean {
  const fn = enclosingFunction(node);
  if (fn) return fn.async;
  return sourceCode.ast.sourceType === 'module' && !isInsideClassFieldOrStaticBlock(node);
}

function isInsideClassFieldOrStaticBlock(node: TSESTree.Node): boolean {
  let n: TSESTree.Node | undefined = node.parent;
  while (n) {
    if (n.type === AST_NODE_TYPES.PropertyDefinition || n.type === AST_NODE_TYPES.StaticBlock) return true;
    n = n.parent;
  }
  return false;
}
