import { ts } from 'ts-morph';
import { skipParens } from './predicates.js';

/** Methods that the runtime or libraries call by name on objects handed to them. */
const PROTOCOL_METHODS = new Set([
  'toString', 'valueOf', 'toJSON', 'then', 'inspect', '_read', '_write', '_writev', '_transform', '_flush', '_final', '_destroy',
  'handleEvent',
]);

/**
 * Where a member's callers may be out of sight: it is a protocol method (`toJSON`, `then`, a
 * stream's `_transform`) called implicitly, or it belongs to an object literal that is handed
 * to other code (a call argument, an array element, a spread), directly, through the variable
 * holding it, or through the module it is exported as (`require`/`import` of its file).
 */
export class Escapes {
  private readonly requireCache = new Map<ts.SourceFile, ts.Node[]>();

  constructor(
    private readonly checker: ts.TypeChecker, private readonly program: ts.Program,
    private readonly index: () => Map<string, ts.Identifier[]>,
  ) {}

  /** The node where the member's object escapes (or the member itself for a protocol method), if any. */
  escapeOf(member: ts.NamedDeclaration): { at: ts.Node; why: string } | undefined {
    const name = member.name;
    if (name !== undefined && ts.isIdentifier(name) && PROTOCOL_METHODS.has(name.text) &&
      (ts.isMethodDeclaration(member) || ts.isPropertyDeclaration(member) || ts.isPropertyAssignment(member))) {
      return { at: name, why: `${name.text} is called implicitly by the runtime or libraries` };
    }
    const object = member.parent;
    if (!ts.isObjectLiteralExpression(object)) return undefined;
    const direct = escapingUse(object);
    if (direct !== undefined) return { at: direct, why: 'its object is handed to other code' };
    return this.escapeThroughHolders(this.holders(object), 'its object');
  }

  /**
   * Where a CommonJS module's exports object is handed to other code (`sinon.stub(config, 'get')`,
   * `Object.assign({}, utils)`): a function exported as `exports.name = …` may then be called,
   * or replaced, out of sight.
   */
  moduleEscapeOf(sf: ts.SourceFile): { at: ts.Node; why: string } | undefined {
    return this.escapeThroughHolders(this.moduleHolders(sf), 'its module object');
  }

  /** The first place where one of these variables (by reference, not by name) is handed to other code. */
  private escapeThroughHolders(holders: readonly ts.Node[], what: string): { at: ts.Node; why: string } | undefined {
    for (const holder of holders) {
      const holderName = (holder as ts.NamedDeclaration).name;
      if (holderName === undefined || !ts.isIdentifier(holderName)) continue;
      for (const id of this.index().get(holderName.text) ?? []) {
        if (id === holderName) continue;
        const symbol = this.checker.getSymbolAtLocation(id);
        if (symbol === undefined || !(symbol.declarations ?? []).includes(holder as ts.Declaration)) continue;
        const use = escapingUse(id);
        if (use !== undefined) return { at: use, why: `${what} (${holderName.text}) is handed to other code` };
      }
    }
    return undefined;
  }

  /** The variables that hold `object`: its own declaration, and (when it is module.exports) those holding the module. */
  private holders(object: ts.ObjectLiteralExpression): ts.Node[] {
    const holders: ts.Node[] = [];
    let node: ts.Node = object;
    let exported = false;
    while (ts.isParenthesizedExpression(node.parent) || (ts.isBinaryExpression(node.parent) &&
      node.parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && node.parent.right === node)) {
      if (ts.isBinaryExpression(node.parent) && node.parent.left.getText() === 'module.exports') exported = true;
      node = node.parent;
    }
    if (ts.isVariableDeclaration(node.parent) && node.parent.initializer === node) holders.push(node.parent);
    if (ts.isExportAssignment(node.parent)) exported = true;
    if (exported) holders.push(...this.moduleHolders(object.getSourceFile()));
    return holders;
  }

  /** Variables initialised with `require(<file>)` or imported as the whole module/default from it. */
  private moduleHolders(sf: ts.SourceFile): ts.Node[] {
    const cached = this.requireCache.get(sf);
    if (cached !== undefined) return cached;
    const found: ts.Node[] = [];
    for (const other of this.program.getSourceFiles()) {
      if (other.isDeclarationFile || /[\\/]node_modules[\\/]/.test(other.fileName)) continue;
      const visit = (node: ts.Node): void => {
        if (ts.isVariableDeclaration(node) && node.initializer !== undefined) {
          const init = skipParens(node.initializer);
          if (ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require' &&
            init.arguments.length === 1 && this.resolvesTo(init.arguments[0]!, sf)) found.push(node);
        }
        if (ts.isImportDeclaration(node) && node.importClause !== undefined && this.resolvesTo(node.moduleSpecifier, sf)) {
          const clause = node.importClause;
          if (clause.name !== undefined) found.push(clause);
          if (clause.namedBindings !== undefined && ts.isNamespaceImport(clause.namedBindings)) found.push(clause.namedBindings);
        }
        ts.forEachChild(node, visit);
      };
      visit(other);
    }
    this.requireCache.set(sf, found);
    return found;
  }

  private resolvesTo(specifier: ts.Expression, sf: ts.SourceFile): boolean {
    if (!ts.isStringLiteralLike(specifier)) return false;
    return this.checker.getSymbolAtLocation(specifier)?.valueDeclaration === sf;
  }
}

/** `x` handed on: a call/new argument, an array element, a spread. Returns the using expression. */
function escapingUse(expression: ts.Node): ts.Node | undefined {
  let node = expression;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(node as ts.Expression)) return parent;
  if (ts.isArrayLiteralExpression(parent) || ts.isSpreadElement(parent) || ts.isSpreadAssignment(parent)) return parent;
  return undefined;
}
