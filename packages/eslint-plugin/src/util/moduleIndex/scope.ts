import type * as ts from 'typescript';
import type { ParsedModule } from './sources.js';

/** What a module-level name is bound to. */
export type Local =
  | { kind: 'import'; specifier: string; name: string }
  | { kind: 'decl'; node: ts.Node; name: string };

/** What an exported name is bound to. */
export type Export =
  | { kind: 'local'; name: string }
  | { kind: 'reexport'; specifier: string; name: string }
  | { kind: 'expression'; node: ts.Expression };

export interface ModuleScope {
  readonly locals: ReadonlyMap<string, Local>;
  readonly exports: ReadonlyMap<string, Export>;
  /** `export * from '...'` specifiers, in order. */
  readonly starExports: readonly string[];
  /** `module.exports = <expr>` (CommonJS), the module object itself. */
  readonly moduleExports: ts.Expression | null;
}

const scopes = new WeakMap<ParsedModule, ModuleScope>();

/** `require('x')` → `x`. */
export function requireSpecifier(t: typeof ts, node: ts.Node): string | null {
  if (t.isCallExpression(node) && t.isIdentifier(node.expression) && node.expression.text === 'require' && node.arguments.length === 1) {
    const arg = node.arguments[0]!;
    if (t.isStringLiteralLike(arg)) return arg.text;
  }
  return null;
}

/** Top-level names, exports and re-exports of a module, ESM and CommonJS. Built once per parse. */
export function scopeOf(t: typeof ts, module: ParsedModule): ModuleScope {
  const cached = scopes.get(module);
  if (cached) return cached;
  const locals = new Map<string, Local>();
  const exports = new Map<string, Export>();
  const starExports: string[] = [];
  let moduleExports: ts.Expression | null = null;
  const isExported = (node: ts.Node): boolean =>
    (t.canHaveModifiers(node) ? t.getModifiers(node) : undefined)?.some((m) => m.kind === t.SyntaxKind.ExportKeyword) ?? false;
  const isDefault = (node: ts.Node): boolean =>
    (t.canHaveModifiers(node) ? t.getModifiers(node) : undefined)?.some((m) => m.kind === t.SyntaxKind.DefaultKeyword) ?? false;
  const declare = (name: string, node: ts.Node): void => {
    // A class and an interface of the same name merge: keep the class (it has the code).
    const prior = locals.get(name);
    if (prior?.kind === 'decl' && t.isClassDeclaration(prior.node)) return;
    locals.set(name, { kind: 'decl', node, name });
  };
  const cjsExport = (left: ts.Expression, right: ts.Expression): void => {
    // module.exports = x / module.exports.a = x / exports.a = x
    if (t.isPropertyAccessExpression(left) && t.isIdentifier(left.expression) && left.expression.text === 'module' && left.name.text === 'exports') {
      moduleExports = right;
      if (t.isObjectLiteralExpression(right)) {
        for (const p of right.properties) {
          if (t.isShorthandPropertyAssignment(p)) exports.set(p.name.text, { kind: 'local', name: p.name.text });
          else if (t.isPropertyAssignment(p) && (t.isIdentifier(p.name) || t.isStringLiteral(p.name))) exports.set(p.name.text, { kind: 'expression', node: p.initializer });
          else if (t.isMethodDeclaration(p) && t.isIdentifier(p.name)) exports.set(p.name.text, { kind: 'expression', node: p as unknown as ts.Expression });
        }
      }
      return;
    }
    if (!t.isPropertyAccessExpression(left)) return;
    const target = left.expression;
    const isExportsObject =
      (t.isIdentifier(target) && target.text === 'exports') ||
      (t.isPropertyAccessExpression(target) && t.isIdentifier(target.expression) && target.expression.text === 'module' && target.name.text === 'exports');
    if (isExportsObject) exports.set(left.name.text, { kind: 'expression', node: right });
  };

  for (const statement of module.source.statements) {
    if (t.isImportDeclaration(statement)) {
      if (!t.isStringLiteral(statement.moduleSpecifier)) continue;
      const specifier = statement.moduleSpecifier.text;
      const clause = statement.importClause;
      if (!clause) continue;
      if (clause.name) locals.set(clause.name.text, { kind: 'import', specifier, name: 'default' });
      const bindings = clause.namedBindings;
      if (bindings && t.isNamespaceImport(bindings)) locals.set(bindings.name.text, { kind: 'import', specifier, name: '*' });
      else if (bindings) {
        for (const el of bindings.elements) locals.set(el.name.text, { kind: 'import', specifier, name: (el.propertyName ?? el.name).text });
      }
    } else if (t.isImportEqualsDeclaration(statement)) {
      const ref = statement.moduleReference;
      if (t.isExternalModuleReference(ref) && t.isStringLiteral(ref.expression)) {
        locals.set(statement.name.text, { kind: 'import', specifier: ref.expression.text, name: '*' });
      }
    } else if (t.isFunctionDeclaration(statement) || t.isClassDeclaration(statement) || t.isInterfaceDeclaration(statement) || t.isTypeAliasDeclaration(statement)) {
      const name = statement.name?.text;
      if (name) declare(name, statement);
      if (isExported(statement)) {
        if (isDefault(statement)) exports.set('default', name ? { kind: 'local', name } : { kind: 'expression', node: statement as unknown as ts.Expression });
        else if (name) exports.set(name, { kind: 'local', name });
      }
    } else if (t.isVariableStatement(statement)) {
      const exported = isExported(statement);
      for (const d of statement.declarationList.declarations) {
        if (t.isIdentifier(d.name)) {
          const specifier = d.initializer ? requireSpecifier(t, d.initializer) : null;
          if (specifier !== null) locals.set(d.name.text, { kind: 'import', specifier, name: '*' });
          else declare(d.name.text, d);
          if (exported) exports.set(d.name.text, { kind: 'local', name: d.name.text });
        } else if (t.isObjectBindingPattern(d.name) && d.initializer) {
          // const { a, b: c } = require('./x')
          const specifier = requireSpecifier(t, d.initializer);
          if (specifier === null) continue;
          for (const el of d.name.elements) {
            if (!t.isIdentifier(el.name)) continue;
            const imported = el.propertyName && t.isIdentifier(el.propertyName) ? el.propertyName.text : el.name.text;
            locals.set(el.name.text, { kind: 'import', specifier, name: imported });
          }
        }
      }
    } else if (t.isExportDeclaration(statement)) {
      const specifier = statement.moduleSpecifier && t.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : null;
      const clause = statement.exportClause;
      if (!clause) {
        if (specifier !== null) starExports.push(specifier);
      } else if (t.isNamespaceExport(clause)) {
        if (specifier !== null) exports.set(clause.name.text, { kind: 'reexport', specifier, name: '*' });
      } else {
        for (const el of clause.elements) {
          const local = (el.propertyName ?? el.name).text;
          exports.set(el.name.text, specifier !== null ? { kind: 'reexport', specifier, name: local } : { kind: 'local', name: local });
        }
      }
    } else if (t.isExportAssignment(statement)) {
      // export default <expr> / export = <expr>
      if (statement.isExportEquals) moduleExports = statement.expression;
      else exports.set('default', t.isIdentifier(statement.expression) ? { kind: 'local', name: statement.expression.text } : { kind: 'expression', node: statement.expression });
    } else if (t.isExpressionStatement(statement) && t.isBinaryExpression(statement.expression) && statement.expression.operatorToken.kind === t.SyntaxKind.EqualsToken) {
      cjsExport(statement.expression.left, statement.expression.right);
    }
  }
  const scope: ModuleScope = { locals, exports, starExports, moduleExports };
  scopes.set(module, scope);
  return scope;
}
