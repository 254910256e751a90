import { ts } from 'ts-morph';
import { isMemberDeclaration } from './predicates.js';

/** Interface members, base methods and overrides that must become async together. */
export class Hierarchy {
  constructor(private readonly checker: ts.TypeChecker, private readonly index: () => Map<string, ts.Identifier[]>) {}

  linkedDeclarations(naming: ts.NamedDeclaration): ts.Node[] {
    const result = new Set<ts.Node>();
    const up = (declaration: ts.Node): void => {
      for (const other of this.upward(declaration)) {
        if (!result.has(other)) {
          result.add(other);
          up(other);
        }
      }
    };
    up(naming);
    // Implementations and overrides of this member and of everything above it.
    const targets = new Set<ts.Node>([naming, ...result]);
    const name = naming.name && ts.isIdentifier(naming.name) ? naming.name.text : undefined;
    if (name !== undefined && isMemberDeclaration(naming)) {
      for (const id of this.index().get(name) ?? []) {
        const candidate = id.parent;
        if (!isMemberDeclaration(candidate) || (candidate as ts.NamedDeclaration).name !== id || targets.has(candidate)) continue;
        const above = new Set<ts.Node>();
        const collect = (d: ts.Node): void => {
          for (const other of this.upward(d)) {
            if (!above.has(other)) {
              above.add(other);
              collect(other);
            }
          }
        };
        collect(candidate);
        if ([...above].some((d) => targets.has(d))) result.add(candidate);
      }
    }
    result.delete(naming);
    return [...result];
  }

  /** Declarations this member implements or overrides (interfaces, base classes, a contextual type). */
  private upward(declaration: ts.Node): ts.Node[] {
    if (!isMemberDeclaration(declaration)) return [];
    const name = (declaration as ts.NamedDeclaration).name;
    if (name === undefined || !ts.isIdentifier(name)) return [];
    const owner = declaration.parent;
    const types: ts.Type[] = [];
    if (ts.isClassLike(owner) || ts.isInterfaceDeclaration(owner)) {
      for (const clause of owner.heritageClauses ?? []) {
        for (const expression of clause.types) types.push(this.checker.getTypeAtLocation(expression));
      }
    } else if (ts.isObjectLiteralExpression(owner)) {
      const contextual = this.checker.getContextualType(owner);
      if (contextual) types.push(contextual);
    }
    const found: ts.Node[] = [];
    for (const type of types) {
      const property = this.checker.getPropertyOfType(type, name.text);
      for (const d of property?.declarations ?? []) if (d !== declaration) found.push(d);
    }
    return found;
  }
}
