import { ts } from 'ts-morph';
import { hasModifier } from '../../shared/syntax.js';
import type { TransformContext } from '../Transform.js';
import { isCommonJsExport, isMemberDeclaration, lineOf } from './predicates.js';
import type { CallGraph, Unit } from './units.js';

/** Finds the places that call a unit, and whether a declaration is part of a module's exports. */
export class Callers {
  private readonly checker: ts.TypeChecker;
  private nameIndex: Map<string, ts.Identifier[]> | undefined;
  private readonly exportCache = new Map<ts.SourceFile, Set<ts.Node>>();

  constructor(private readonly context: TransformContext, private readonly graph: CallGraph) {
    this.checker = context.checker;
  }

  index(): Map<string, ts.Identifier[]> {
    if (this.nameIndex !== undefined) return this.nameIndex;
    const index = new Map<string, ts.Identifier[]>();
    for (const sf of this.context.program.getSourceFiles()) {
      if (this.context.program.isSourceFileDefaultLibrary(sf) || /[\\/]node_modules[\\/]/.test(sf.fileName)) continue;
      const visit = (node: ts.Node): void => {
        if (ts.isIdentifier(node)) {
          let list = index.get(node.text);
          if (list === undefined) index.set(node.text, (list = []));
          list.push(node);
          return;
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
    this.nameIndex = index;
    return index;
  }

  findCallers(unit: Unit, naming: ts.NamedDeclaration, queue: Unit[]): void {
    const name = naming.name;
    if (name === undefined || !ts.isIdentifier(name)) {
      if (name !== undefined) this.graph.block(unit, `computed member name ${name.getText()}: its callers can't be found`, name);
      return;
    }
    for (const id of this.index().get(name.text) ?? []) {
      if (id === name) continue;
      const parent = id.parent;
      if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent) || ts.isImportClause(parent) || ts.isExportAssignment(parent) ||
        ts.isTypeQueryNode(parent) || ts.isNamespaceImport(parent)) continue;
      if ((ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodSignature(parent) ||
        ts.isPropertySignature(parent) || ts.isPropertyAssignment(parent) || ts.isFunctionDeclaration(parent) ||
        ts.isVariableDeclaration(parent) || ts.isBindingElement(parent)) && parent.name === id) continue;
      if (!this.refersTo(id, naming)) continue;
      if (isCommonJsExport(id)) continue;
      const callee: ts.Expression = ts.isPropertyAccessExpression(parent) && parent.name === id ? parent : id;
      const call = callee.parent;
      if (call && ts.isCallExpression(call) && call.expression === callee) {
        if (ts.isAwaitExpression(call.parent)) continue;
        const caller = this.graph.containerUnit(call);
        caller.callees.add(unit);
        unit.callers.add(caller);
        this.graph.callSites.push({ call, caller, callee: unit });
        queue.push(caller);
        continue;
      }
      const where = `${this.context.relative(id.getSourceFile().fileName)}:${lineOf(id)}`;
      this.graph.block(unit, `${name.text} is used as a value at ${where} (not called): calls through that value can't be followed; convert them by hand`);
      return;
    }
  }

  private refersTo(id: ts.Identifier, declaration: ts.Node): boolean {
    const symbol = this.checker.getSymbolAtLocation(id);
    if (symbol === undefined) return false;
    return this.targetDeclarations(symbol).includes(declaration);
  }

  targetDeclarations(start: ts.Symbol): ts.Node[] {
    let symbol = start;
    for (let i = 0; i < 6; i++) {
      if (symbol.flags & ts.SymbolFlags.Alias) {
        symbol = this.checker.getAliasedSymbol(symbol);
        continue;
      }
      const declaration = symbol.valueDeclaration;
      if (declaration && ts.isShorthandPropertyAssignment(declaration)) {
        const value = this.checker.getShorthandAssignmentValueSymbol(declaration);
        if (value && value !== symbol) {
          symbol = value;
          continue;
        }
      }
      if (declaration && ts.isPropertyAssignment(declaration) && ts.isIdentifier(declaration.initializer)) {
        const value = this.checker.getSymbolAtLocation(declaration.initializer);
        if (value && value !== symbol) {
          symbol = value;
          continue;
        }
      }
      if (declaration && (ts.isBinaryExpression(declaration) || ts.isPropertyAccessExpression(declaration))) {
        const assignment = ts.isBinaryExpression(declaration) ? declaration : declaration.parent;
        if (ts.isBinaryExpression(assignment) && ts.isIdentifier(assignment.right)) {
          const value = this.checker.getSymbolAtLocation(assignment.right);
          if (value && value !== symbol) {
            symbol = value;
            continue;
          }
        }
      }
      break;
    }
    return this.checker.getRootSymbols(symbol).flatMap((s) => s.declarations ?? []);
  }

  isExported(naming: ts.NamedDeclaration): boolean {
    let holder: ts.Node = naming;
    if (isMemberDeclaration(naming)) {
      if (hasModifier(naming, ts.SyntaxKind.PrivateKeyword) || (naming.name && ts.isPrivateIdentifier(naming.name))) return false;
      holder = naming.parent;
      if (ts.isObjectLiteralExpression(holder)) {
        const parent = holder.parent;
        if (ts.isVariableDeclaration(parent)) holder = parent;
        else return false;
      }
    }
    return this.exportedDeclarations(naming.getSourceFile()).has(holder);
  }

  private exportedDeclarations(sf: ts.SourceFile): Set<ts.Node> {
    let set = this.exportCache.get(sf);
    if (set !== undefined) return set;
    set = new Set();
    const moduleSymbol = this.checker.getSymbolAtLocation(sf);
    if (moduleSymbol !== undefined) {
      for (const exported of this.checker.getExportsOfModule(moduleSymbol)) {
        for (const d of this.targetDeclarations(exported)) set.add(d);
      }
      const exportEquals = moduleSymbol.exports?.get('export=' as ts.__String);
      if (exportEquals) for (const d of this.targetDeclarations(exportEquals)) set.add(d);
    }
    this.exportCache.set(sf, set);
    return set;
  }
}
