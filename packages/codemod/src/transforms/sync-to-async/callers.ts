import { ts } from 'ts-morph';
import { hasModifier } from '../../shared/syntax.js';
import type { TransformContext } from '../Transform.js';
import {
  calleeText, declarationName, dynamicUse, isCommonJsExport, isHarmlessRead, isMemberDeclaration, keyMayBe, lineOf, listenerEvent, moduleObjectOf, skipParens,
} from './predicates.js';
import { linkNoThrowAssertion, noThrowAssertion } from './assertions.js';
import { callbackReturn } from './callbacks.js';
import { Escapes } from './escapes.js';
import type { CallGraph, Unit } from './units.js';

/** Finds the places that call a unit, and whether a declaration is part of a module's exports. */
export class Callers {
  private readonly checker: ts.TypeChecker;
  private nameIndex: Map<string, ts.Identifier[]> | undefined;
  private readonly exportCache = new Map<ts.SourceFile, Set<ts.Node>>();
  private dynamic: { calls: ts.CallExpression[]; strings: Set<string> } | undefined;

  private readonly escapes: Escapes;

  constructor(private readonly context: TransformContext, private readonly graph: CallGraph) {
    this.checker = context.checker;
    this.escapes = new Escapes(this.checker, context.program, () => this.index());
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
    const dynamic = this.dynamicCallOf(name.text, naming);
    if (dynamic !== undefined) {
      this.graph.block(unit, `${declarationName(naming)} may be called dynamically at ${this.where(dynamic)} (${dynamic.expression.getText().slice(0, 40)}(…)): that call can't be awaited safely; convert it by hand`);
      return;
    }
    const escape = isMemberDeclaration(naming) ? this.escapes.escapeOf(naming)
      : ts.isPropertyAccessExpression(naming) ? this.escapes.moduleEscapeOf(naming.getSourceFile(), ts.isIdentifier(naming.name) ? naming.name.text : undefined) : undefined;
    if (escape !== undefined) {
      this.graph.block(unit, `${declarationName(naming)} may be called out of sight: ${escape.why} at ${this.where(escape.at)}; convert it by hand`);
      return;
    }
    for (const id of this.index().get(name.text) ?? []) {
      if (id === name) continue;
      const parent = id.parent;
      if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent) || ts.isImportClause(parent) || ts.isExportAssignment(parent) ||
        ts.isTypeQueryNode(parent) || ts.isNamespaceImport(parent)) continue;
      if (ts.isBindingElement(parent) && (parent.propertyName ?? parent.name) === id && ts.isObjectBindingPattern(parent.parent) &&
        !this.refersTo(id, naming) && this.isUntyped(parent)) {
        this.graph.block(unit, `${name.text} may be read from an untyped value at ${this.where(id)} (destructured): calls through that value can't be followed; convert them by hand`);
        return;
      }
      if ((ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodSignature(parent) ||
        ts.isPropertySignature(parent) || ts.isPropertyAssignment(parent) || ts.isFunctionDeclaration(parent) ||
        ts.isVariableDeclaration(parent) || ts.isBindingElement(parent)) && parent.name === id) continue;
      const typed = this.refersTo(id, naming);
      // Field-based rule: `e.m` whose receiver has no declared type may be this `m`.
      // …and `t.m()` typed by a project interface the member's class fits without naming it.
      const possible = !typed && ts.isPropertyAccessExpression(parent) && parent.name === id &&
        ((this.isUntypedMember(parent) && this.reachableAsProperty(naming)) || this.isStructuralMember(parent, naming));
      if (!typed && !possible) continue;
      if (isCommonJsExport(id)) continue;
      const callee: ts.Expression = ts.isPropertyAccessExpression(parent) && parent.name === id ? parent : id;
      // f.call(this, …) / f.apply(this, args) on a typed reference: a direct call of f with another `this`.
      const use = dynamicUse(callee);
      const viaCallApply = typed && (use === 'call' || use === 'apply') && ts.isCallExpression(callee.parent.parent) &&
        callee.parent.parent.expression === callee.parent;
      const call = viaCallApply ? callee.parent.parent : callee.parent;
      if (call && ts.isCallExpression(call) && (call.expression === callee || viaCallApply)) {
        if (ts.isAwaitExpression(call.parent)) continue;
        if (possible && this.untypedPolicy === 'stop') {
          this.graph.block(unit, `${declarationName(naming)} may be called through an untyped receiver at ${this.where(call)} (${calleeText(call)}): the chain stops there (untyped-receiver policy: stop)`);
          return;
        }
        const caller = this.graph.containerUnit(call);
        caller.callees.add(unit);
        unit.callers.add(caller);
        this.graph.callSites.push({ call, caller, callee: unit, uncertain: possible });
        queue.push(caller);
        continue;
      }
      // A plain function reaches a field only by a reference to it (found above); a member lives in field `m`.
      if (possible && !isMemberDeclaration(naming)) continue;
      if (isHarmlessRead(callee)) continue;
      if (typed && this.passedToAwaitingApi(callee)) continue;
      // `f.should.not.throw()`: the assertion calls f; it becomes `await f()` (see noThrowAssertion).
      const assertion = typed ? noThrowAssertion(callee) : undefined;
      if (assertion !== undefined) {
        if (!linkNoThrowAssertion(this.graph, this.context, unit, name.text, assertion, queue)) return;
        continue;
      }
      if (use !== undefined) {
        this.graph.block(unit, `${name.text} is called dynamically (.${use}) at ${this.where(id)}: that call can't be awaited safely; convert it by hand`);
        return;
      }
      const listened = callee.parent;
      const event = !possible && ts.isCallExpression(listened) ? listenerEvent(listened, callee) : undefined;
      if (event !== undefined) {
        this.graph.block(unit, `${name.text} is registered as the ${event} listener at ${this.where(id)} (${listenerCallee(listened as ts.CallExpression)}): an event emitter calls its listeners and ignores what they return, so made async its promise would float (errors become unhandled rejections, code after the emit stops waiting for its I/O); convert it by hand`);
        return;
      }
      this.graph.block(unit, `${name.text} is used as a value at ${this.where(id)} (not called${possible ? ', untyped receiver' : ''}): calls through that value can't be followed; convert them by hand`);
      return;
    }
  }

  /**
   * `p.then(f)`: a reference handed to an API that waits for a promise its callback returns
   * (see callbackReturn). Made async, `f` is still called by that API, which adopts its promise.
   */
  private passedToAwaitingApi(reference: ts.Expression): boolean {
    let node: ts.Node = reference;
    while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
    const call = node.parent;
    if (!ts.isCallExpression(call) || !call.arguments.includes(node as ts.Expression)) return false;
    return callbackReturn(this.checker, call, node as ts.Expression).kind === 'awaits';
  }

  /**
   * Whether `x.name(…)` on an untyped `x` may reach this declaration: a member may; a plain
   * function only when its module exports it (any other way into an object is a use as a value,
   * which stops the chain by itself).
   */
  private reachableAsProperty(naming: ts.NamedDeclaration): boolean {
    if (isMemberDeclaration(naming) || !(ts.isFunctionDeclaration(naming) || ts.isVariableDeclaration(naming))) return true;
    return this.exportedDeclarations(naming.getSourceFile()).has(naming);
  }

  private where(node: ts.Node): string {
    return `${this.context.relative(node.getSourceFile().fileName)}:${lineOf(node)}`;
  }

  private get untypedPolicy(): 'update' | 'stop' {
    return this.context.options.untypedReceivers ?? 'update';
  }

  /** `e.m` where `e` has no declared type (any/unknown, or a type without `m`): the checker can't say which `m` it is. */
  private isUntypedMember(access: ts.PropertyAccessExpression): boolean {
    if (ts.isIdentifier(access.expression) && this.isPackageObject(access.expression)) return false;
    const symbol = this.checker.getSymbolAtLocation(access.name);
    if (symbol === undefined) return true;
    return this.isUntyped(access);
  }

  /**
   * `t.m()` where `m` resolves only to signatures of the project's own interfaces or type literals
   * (`function revive<T extends { fromObject(o): void }>(t: T)`) that the member's class or object
   * fits without naming them. TypeScript lets a method returning a promise fill a `void` slot, so
   * the type check says nothing when `m` becomes async, yet this call would no longer wait for it:
   * it is a possible caller, like a call through an untyped receiver.
   */
  private isStructuralMember(access: ts.PropertyAccessExpression, naming: ts.NamedDeclaration): boolean {
    if (!isMemberDeclaration(naming)) return false;
    const owner = naming.parent;
    const ownerType = ts.isClassLike(owner) && owner.name !== undefined
      ? this.declaredType(owner.name)
      : ts.isObjectLiteralExpression(owner) ? this.checker.getTypeAtLocation(owner) : undefined;
    if (ownerType === undefined) return false;
    const declarations = this.checker.getSymbolAtLocation(access.name)?.declarations ?? [];
    if (declarations.length === 0) return false;
    return declarations.every((d) => {
      if (!ts.isMethodSignature(d) && !ts.isPropertySignature(d)) return false;
      const sf = d.getSourceFile();
      if (sf.isDeclarationFile || /[\\/]node_modules[\\/]/.test(sf.fileName)) return false;
      // Only a slot a promise fills unnoticed (void, any, unknown): for any other return type an
      // async method no longer fits, and the type check catches a flow of it into this type.
      if (!this.promiseFitsSilently(d)) return false;
      const container = d.parent;
      const containerType = ts.isInterfaceDeclaration(container) ? this.declaredType(container.name)
        : ts.isTypeLiteralNode(container) ? this.checker.getTypeFromTypeNode(container) : undefined;
      if (containerType === undefined) return false;
      // A generic type can't be compared without its arguments: count it as a fit.
      if (ts.isInterfaceDeclaration(container) && container.typeParameters !== undefined) return true;
      return this.checker.isTypeAssignableTo(ownerType, containerType) || this.mentionsTypeParameter(container);
    });
  }

  /** A type literal such as `{ fromObject(d: D, o: T): void }` that uses a type parameter of its surroundings. */
  private mentionsTypeParameter(node: ts.Node): boolean {
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (ts.isTypeReferenceNode(n) && ((this.checker.getSymbolAtLocation(n.typeName)?.flags ?? 0) & ts.SymbolFlags.TypeParameter) !== 0) {
        found = true;
        return;
      }
      ts.forEachChild(n, visit);
    };
    visit(node);
    return found;
  }

  private promiseFitsSilently(signature: ts.MethodSignature | ts.PropertySignature): boolean {
    const signatures = ts.isMethodSignature(signature)
      ? [this.checker.getSignatureFromDeclaration(signature)].filter((x): x is ts.Signature => x !== undefined)
      : this.checker.getNonNullableType(this.checker.getTypeAtLocation(signature)).getCallSignatures();
    const silent = ts.TypeFlags.Void | ts.TypeFlags.Undefined | ts.TypeFlags.Any | ts.TypeFlags.Unknown;
    return signatures.some((sig) => {
      const returned = this.checker.getReturnTypeOfSignature(sig);
      return returned.isUnion() ? returned.types.some((t) => (t.flags & silent) !== 0) : (returned.flags & silent) !== 0;
    });
  }

  private declaredType(name: ts.Identifier): ts.Type | undefined {
    const symbol = this.checker.getSymbolAtLocation(name);
    return symbol === undefined ? undefined : this.checker.getDeclaredTypeOfSymbol(symbol);
  }

  /**
   * `fse` in `const fse = require('fs-extra')` or `import fse from 'fs-extra'`: the module object of
   * a package (a bare specifier, not a project file). Its members are the package's own functions,
   * never a project function (putting one there is an assignment, which is a use as a value).
   */
  private isPackageObject(id: ts.Identifier): boolean {
    const module = moduleObjectOf(this.checker, id);
    return module !== undefined && module.constant && !/^(\.|\/|#)/.test(module.specifier);
  }


  private isUntyped(node: ts.Node): boolean {
    const type = this.checker.getTypeAtLocation(node);
    return (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0;
  }

  /**
   * A call `x[k](…)` with a computed key that may reach member `m`: the key may be `m` (see
   * keyMayBe), `x` is not a package's module object, and the receiver's type has `m` or the
   * receiver is untyped and the name `m` appears as a string somewhere in the project.
   */
  private dynamicCallOf(name: string, naming: ts.NamedDeclaration): ts.CallExpression | undefined {
    if (!isMemberDeclaration(naming)) return undefined;
    const { calls, strings } = this.dynamicCalls();
    for (const call of calls) {
      const access = skipParens(call.expression) as ts.ElementAccessExpression;
      if (!keyMayBe(this.checker, access.argumentExpression, name)) continue;
      const receiver = skipParens(access.expression);
      // A package's module object holds the package's own functions (see isPackageObject).
      if (ts.isIdentifier(receiver) && this.isPackageObject(receiver)) continue;
      const type = this.checker.getTypeAtLocation(receiver);
      if ((type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0) {
        if (strings.has(name)) return call;
      } else if (this.checker.getPropertyOfType(type, name) !== undefined) {
        return call;
      }
    }
    return undefined;
  }

  private dynamicCalls(): { calls: ts.CallExpression[]; strings: Set<string> } {
    if (this.dynamic !== undefined) return this.dynamic;
    const calls: ts.CallExpression[] = [];
    const strings = new Set<string>();
    for (const sf of this.context.program.getSourceFiles()) {
      if (this.context.program.isSourceFileDefaultLibrary(sf) || sf.isDeclarationFile || /[\\/]node_modules[\\/]/.test(sf.fileName)) continue;
      const visit = (node: ts.Node): void => {
        if (ts.isStringLiteralLike(node)) strings.add(node.text);
        if (ts.isCallExpression(node)) {
          const callee = skipParens(node.expression);
          if (ts.isElementAccessExpression(callee) && !ts.isStringLiteralLike(callee.argumentExpression) &&
            !ts.isNumericLiteral(callee.argumentExpression)) calls.push(node);
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
    this.dynamic = { calls, strings };
    return this.dynamic;
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

  /**
   * The argument expressions every call of `fn` passes at `position`, or undefined when not every
   * call is known: `fn` is a function declaration or a `const` holding a function, not exported,
   * never used other than by a direct call (not stored, passed on, exported through
   * module.exports, called with .call/.apply or a spread), and called at least once.
   */
  argumentsAt(fn: ts.FunctionLikeDeclaration, position: number): ts.Expression[] | undefined {
    let naming: ts.NamedDeclaration;
    if (ts.isFunctionDeclaration(fn) && fn.name !== undefined) naming = fn;
    else if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent) && fn.parent.initializer === fn &&
      ts.isIdentifier(fn.parent.name) && ts.isVariableDeclarationList(fn.parent.parent) && (fn.parent.parent.flags & ts.NodeFlags.Const) !== 0) {
      naming = fn.parent;
    } else return undefined;
    const name = naming.name as ts.Identifier;
    if (this.isExported(naming)) return undefined;
    const found: ts.Expression[] = [];
    for (const id of this.index().get(name.text) ?? []) {
      if (id === name || !this.refersTo(id, naming)) continue;
      const call = id.parent;
      if (!ts.isCallExpression(call) || call.expression !== id) return undefined;
      if (call.arguments.slice(0, position + 1).some((a) => ts.isSpreadElement(a))) return undefined;
      const argument = call.arguments[position];
      if (argument === undefined) return undefined;
      found.push(argument);
    }
    return found.length > 0 ? found : undefined;
  }

  isExported(naming: ts.NamedDeclaration): boolean {
    let holder: ts.Node = naming;
    if (isMemberDeclaration(naming)) {
      if (hasModifier(naming, ts.SyntaxKind.PrivateKeyword) || (naming.name && ts.isPrivateIdentifier(naming.name))) return false;
      holder = naming.parent;
      if (ts.isObjectLiteralExpression(holder)) {
        // `const api = { … }` is exported by its variable; `module.exports = { m() {} }` lists `m`
        // itself among the module's exports.
        holder = ts.isVariableDeclaration(holder.parent) ? holder.parent : naming;
      }
    }
    const entries = this.context.options.publicEntries;
    // A class's instances can reach users without its name (a public function returns one), so
    // an exported class keeps its members public; the entry rule judges functions and values.
    if (entries === undefined || ts.isClassLike(holder)) return this.exportedDeclarations(naming.getSourceFile()).has(holder);
    if (this.publicDeclarations === undefined) {
      this.publicDeclarations = new Set();
      for (const fileName of entries) {
        const sf = this.context.program.getSourceFile(fileName);
        if (sf !== undefined) for (const d of this.exportedDeclarations(sf)) this.publicDeclarations.add(d);
      }
    }
    return this.publicDeclarations.has(holder);
  }

  /** With publicEntries: what the entry modules export (re-exports followed to their declarations). */
  private publicDeclarations: Set<ts.Node> | undefined;

  private exportedDeclarations(sf: ts.SourceFile): Set<ts.Node> {
    let set = this.exportCache.get(sf);
    if (set !== undefined) return set;
    set = new Set();
    // A CommonJS JavaScript file (`module.exports = …`, `exports.x = …`) is no external module to
    // getSymbolAtLocation, but its symbol holds the exports all the same.
    const moduleSymbol = this.checker.getSymbolAtLocation(sf) ?? (sf as unknown as { symbol?: ts.Symbol }).symbol;
    if (moduleSymbol !== undefined) {
      for (const exported of this.checker.getExportsOfModule(moduleSymbol)) {
        for (const d of this.targetDeclarations(exported)) set.add(d);
      }
      const exportEquals = moduleSymbol.exports?.get('export=' as ts.__String);
      if (exportEquals) for (const d of this.targetDeclarations(exportEquals)) set.add(d);
      // `module.exports = { load, save() {} }`: each member is exported, and what a member names.
      for (const d of exportEquals?.declarations ?? []) {
        const value = ts.isBinaryExpression(d) ? skipParens(d.right) : undefined;
        if (value === undefined || !ts.isObjectLiteralExpression(value)) continue;
        for (const member of value.properties) {
          set.add(member);
          const symbol = this.checker.getSymbolAtLocation(member.name ?? member);
          if (symbol !== undefined) for (const target of this.targetDeclarations(symbol)) set.add(target);
        }
      }
    }
    this.exportCache.set(sf, set);
    return set;
  }
}

/** `server.on()`, or `….on()` when the receiver is long or spans lines (a chain of .on calls). */
function listenerCallee(call: ts.CallExpression): string {
  const callee = skipParens(call.expression) as ts.PropertyAccessExpression;
  return /\s|.{41}/.test(callee.expression.getText()) ? `….${callee.name.text}()` : calleeText(call);
}
