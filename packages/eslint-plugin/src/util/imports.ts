import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

/**
 * Fixes that make `name` from `module` available: returns the local name to use (an existing
 * import's, possibly renamed) and the fixes that add the import when it is missing.
 */
export function ensureNamedImport(
  fixer: TSESLint.RuleFixer,
  sourceCode: Readonly<TSESLint.SourceCode>,
  module: string,
  name: string,
): { local: string; fixes: TSESLint.RuleFix[] } {
  const program = sourceCode.ast;
  const imports = program.body.filter((s): s is TSESTree.ImportDeclaration => s.type === AST_NODE_TYPES.ImportDeclaration);
  for (const decl of imports) {
    if (decl.source.value !== module || decl.importKind === 'type') continue;
    for (const spec of decl.specifiers) {
      if (spec.type !== AST_NODE_TYPES.ImportSpecifier || spec.importKind === 'type') continue;
      const imported = spec.imported.type === AST_NODE_TYPES.Identifier ? spec.imported.name : spec.imported.value;
      if (imported === name) return { local: spec.local.name, fixes: [] };
    }
  }
  const target = imports.find(
    (d) => d.source.value === module && d.importKind !== 'type' && d.specifiers.some((s) => s.type === AST_NODE_TYPES.ImportSpecifier),
  );
  if (target) {
    const last = target.specifiers[target.specifiers.length - 1]!;
    return { local: name, fixes: [fixer.insertTextAfter(last, `, ${name}`)] };
  }
  const line = `import { ${name} } from '${module}';\n`;
  const lastImport = imports[imports.length - 1];
  if (lastImport) return { local: name, fixes: [fixer.insertTextAfter(lastImport, `\n${line.trimEnd()}`)] };
  const first = program.body[0];
  return { local: name, fixes: [first ? fixer.insertTextBefore(first, line) : fixer.insertTextAfterRange([0, 0], line)] };
}
