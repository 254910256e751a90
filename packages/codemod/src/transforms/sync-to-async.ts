import { ts } from 'ts-morph';
import { insertion, prefixRank, replacement, suffixRank, type TextEdit } from '../textEdit.js';
import { SYNC_APIS, moduleOfDeclarationFile, type SyncApi } from '../shared/syncApis.js';
import {
  awaitEdits, hasModifier, isInsideTry, isPromiseTypeNode, isThenable, lineIndent, needsAsiGuard, wrapEdits,
} from '../shared/syntax.js';
import type { ChangeChain, Need, Transform, TransformContext, TransformResult, TransformStop } from './Transform.js';

/** Array methods whose callback result is used synchronously: an async callback would break them. */
const SYNC_ONLY_CALLBACKS = new Set([
  'filter', 'find', 'findIndex', 'findLast', 'findLastIndex', 'some', 'every', 'sort', 'toSorted', 'reduce',
  'reduceRight', 'flatMap',
]);

type FunctionNode =
  | ts.FunctionDeclaration | ts.MethodDeclaration | ts.ArrowFunction | ts.FunctionExpression | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration | ts.SetAccessorDeclaration;

type CallbackPlan =
  | { kind: 'for-of'; call: ts.CallExpression; statement: ts.ExpressionStatement }
  | { kind: 'map-loop'; call: ts.CallExpression; declaration: ts.VariableDeclaration | ts.ReturnStatement }
  | { kind: 'promise-all'; call: ts.CallExpression; rename: boolean }
  | { kind: 'leaf'; callee: string }
  | { kind: 'iife'; call: ts.CallExpression };

interface Unit {
  id: number;
  /** A function with a body, a signature (interface member, abstract method, function-typed property) or a source file. */
  node: ts.Node;
  sf: ts.SourceFile;
  kind: 'body' | 'signature' | 'top-level' | 'class-init';
  callees: Set<Unit>;
  callers: Set<Unit>;
  links: Set<Unit>;
  seeds: Seed[];
  explored: boolean;
  /** Already returns a promise: callers need not change. */
  alreadyAsync: boolean;
  block?: { reason: string; at: ts.Node };
  poison?: string;
  plan?: CallbackPlan;
}

interface Seed {
  call: ts.CallExpression;
  api: SyncApi;
  unit: Unit;
}

interface CallSite {
  call: ts.CallExpression;
  caller: Unit;
  callee: Unit;
}

export const syncToAsync: Transform = {
  id: 'sync-to-async',
  summary: 'fs/child_process/zlib/crypto sync calls become awaited async calls; async/await propagates through callers',
  run: (context) => new SyncToAsyncAnalysis(context).run(),
};

class SyncToAsyncAnalysis {
  private readonly checker: ts.TypeChecker;
  private readonly units = new Map<ts.Node, Unit>();
  private readonly callSites: CallSite[] = [];
  private readonly stops: TransformStop[] = [];
  private readonly editable: Set<ts.SourceFile>;
  private nameIndex: Map<string, ts.Identifier[]> | undefined;
  private readonly exportCache = new Map<ts.SourceFile, Set<ts.Node>>();
  private nextId = 0;
  /** Callbacks that become loop bodies: a concise body's value is no longer returned. */
  private readonly loopBodies = new Set<ts.Node>();

  constructor(private readonly context: TransformContext) {
    this.checker = context.checker;
    this.editable = new Set(context.files);
  }

  run(): TransformResult {
    const seeds = this.findSeeds();
    if (seeds.length === 0) return { chains: [], stops: this.stops };
    const queue: Unit[] = seeds.map((s) => s.unit);
    while (queue.length > 0) {
      const unit = queue.pop()!;
      if (unit.explored) continue;
      unit.explored = true;
      this.explore(unit, queue);
    }
    this.poison();
    const asyncUnits = this.asyncClosure(seeds);
    for (const unit of this.units.values()) {
      if (unit.block && unit.explored) {
        this.stops.push({ file: unit.sf.fileName, pos: unit.block.at.getStart(unit.sf), reason: unit.block.reason });
      }
    }
    return { chains: this.buildChains(asyncUnits, seeds), stops: this.stops };
  }

  // ---- seeds -------------------------------------------------------------------------------

  private findSeeds(): Seed[] {
    const seeds: Seed[] = [];
    for (const sf of this.context.files) {
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node)) {
          const api = this.syncApiOf(node);
          if (api !== undefined) {
            const refusal = this.seedRefusal(node, api);
            if (refusal !== undefined) {
              this.stops.push({ file: sf.fileName, pos: node.getStart(sf), reason: refusal });
            } else {
              const unit = this.containerUnit(node);
              const seed: Seed = { call: node, api, unit };
              unit.seeds.push(seed);
              seeds.push(seed);
            }
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
    return seeds;
  }

  private syncApiOf(call: ts.CallExpression): SyncApi | undefined {
    const callee = call.expression;
    const name = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name) ? callee.name : undefined;
    if (name === undefined) return undefined;
    const api = SYNC_APIS.get(name.text);
    if (api === undefined) return undefined;
    if (api.sync === 'randomBytes' && call.arguments.length !== 1) return undefined;
    let symbol = this.checker.getSymbolAtLocation(name);
    if (symbol === undefined) return undefined;
    if (symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
    const declaration = symbol.declarations?.[0];
    if (declaration === undefined) return undefined;
    return moduleOfDeclarationFile(declaration.getSourceFile().fileName) === api.module ? api : undefined;
  }

  private seedRefusal(call: ts.CallExpression, api: SyncApi): string | undefined {
    const callee = call.expression;
    if (ts.isPropertyAccessExpression(callee) && !ts.isIdentifier(callee.expression)) {
      return `${api.sync} is called on an expression (${callee.expression.getText()}); import the module first so the call can be rewritten`;
    }
    if (api.kind === 'exec') {
      const options = call.arguments[api.sync === 'execSync' ? 1 : 2] ?? (api.sync === 'execFileSync' ? call.arguments[1] : undefined);
      if (options && ts.isObjectLiteralExpression(options)) {
        for (const property of options.properties) {
          const key = property.name && ts.isIdentifier(property.name) ? property.name.text : undefined;
          if (key === 'stdio' || key === 'input') {
            return `${api.sync} with the \`${key}\` option has no exec/execFile equivalent; convert it by hand (spawn)`;
          }
        }
      }
    }
    return undefined;
  }

  // ---- units -------------------------------------------------------------------------------

  private unitOf(node: ts.Node, kind: Unit['kind']): Unit {
    let unit = this.units.get(node);
    if (unit === undefined) {
      unit = {
        id: this.nextId++, node, sf: node.getSourceFile(), kind, callees: new Set(), callers: new Set(), links: new Set(),
        seeds: [], explored: false, alreadyAsync: false,
      };
      this.units.set(node, unit);
    }
    return unit;
  }

  /** The unit whose body holds `node`: the nearest function, class field initializer or the file. */
  private containerUnit(node: ts.Node): Unit {
    for (let current = node.parent; current !== undefined; current = current.parent) {
      if (isFunctionWithBody(current)) return this.unitOf(current, 'body');
      if (ts.isPropertyDeclaration(current) || ts.isClassStaticBlockDeclaration(current)) return this.unitOf(current, 'class-init');
      if (ts.isSourceFile(current)) return this.unitOf(current, 'top-level');
    }
    throw new Error('node outside a source file');
  }

  /** The unit for a member/function declaration found by symbol lookup. */
  private unitForDeclaration(declaration: ts.Node): Unit | undefined {
    if (ts.isFunctionDeclaration(declaration) || ts.isMethodDeclaration(declaration)) {
      return this.unitOf(declaration, declaration.body ? 'body' : 'signature');
    }
    if (ts.isMethodSignature(declaration) || ts.isPropertySignature(declaration)) return this.unitOf(declaration, 'signature');
    if (ts.isPropertyDeclaration(declaration) || ts.isPropertyAssignment(declaration) || ts.isVariableDeclaration(declaration)) {
      const init = declaration.initializer;
      if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) return this.unitOf(init, 'body');
      if (!ts.isPropertyAssignment(declaration) && declaration.type) return this.unitOf(declaration, 'signature');
      return undefined;
    }
    if (ts.isShorthandPropertyAssignment(declaration)) return undefined;
    return undefined;
  }

  /** The declaration that names a unit (what references resolve to). */
  private namingDeclaration(unit: Unit): ts.NamedDeclaration | undefined {
    const node = unit.node;
    if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
      const parent = node.parent;
      if ((ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.initializer === node) {
        return parent;
      }
      return undefined;
    }
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isMethodSignature(node) ||
      ts.isPropertySignature(node) || ts.isPropertyDeclaration(node) || ts.isVariableDeclaration(node)) {
      return node;
    }
    return undefined;
  }

  private block(unit: Unit, reason: string, at: ts.Node = unit.node): void {
    unit.block ??= { reason, at };
  }

  private explore(unit: Unit, queue: Unit[]): void {
    const node = unit.node;
    const notEditable = this.editable.has(unit.sf) ? undefined : this.context.notEditable(unit.sf);
    if (notEditable !== undefined) {
      this.block(unit, `can't edit ${this.context.relative(unit.sf.fileName)} (${notEditable}); the calls into it stay synchronous`);
      return;
    }
    if (unit.kind === 'top-level') {
      if (!this.allowsTopLevelAwait(unit.sf)) {
        this.block(unit, 'CommonJS top level: top-level await is not available; move this code into an async main() and call it');
      }
      unit.alreadyAsync = true;
      return;
    }
    if (unit.kind === 'class-init') {
      this.block(unit, 'class field initializer runs in the constructor, which cannot be async; initialise it lazily (e.g. lazy() from @asyncguard/runtime) or in a static async factory');
      return;
    }
    if (ts.isConstructorDeclaration(node)) {
      this.block(unit, 'constructor cannot be async; move the I/O into a lazy initialiser (e.g. lazy() from @asyncguard/runtime) or a static async create() factory');
      return;
    }
    if (ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) {
      this.block(unit, `${ts.isGetAccessorDeclaration(node) ? 'getter' : 'setter'} cannot be async; turn it into an async method`);
      return;
    }
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isFunctionExpression(node)) && node.asteriskToken) {
      this.block(unit, 'generator function: making it async would change its iteration protocol; convert it by hand');
      return;
    }
    const returnType = (ts.isFunctionLike(node) ? node.type : undefined) ?? this.annotatedFunctionType(unit)?.type;
    if (returnType && ts.isTypePredicateNode(returnType)) {
      this.block(unit, 'type predicate/assertion function cannot be async');
      return;
    }
    if (unit.kind === 'body' && (hasModifier(node, ts.SyntaxKind.AsyncKeyword) || this.returnsPromise(node as FunctionNode))) {
      unit.alreadyAsync = true;
      return;
    }
    if (unit.kind === 'signature' && this.signatureReturnsPromise(unit)) {
      unit.alreadyAsync = true;
      return;
    }
    const naming = this.namingDeclaration(unit);
    if (naming === undefined && unit.kind === 'body') {
      this.planCallback(unit, queue);
      return;
    }
    if (naming === undefined) return;
    if (!this.context.options.includeExports && this.isExported(naming)) {
      this.block(unit, `exported API (${declarationName(naming)}): callers outside this project would break; re-run with --include-exports to convert it`, naming.name ?? naming);
      return;
    }
    if (ts.isVariableDeclaration(naming) || ts.isPropertyDeclaration(naming) || ts.isPropertySignature(naming)) {
      const type = naming.type;
      if (type && !ts.isFunctionTypeNode(type)) {
        this.block(unit, `typed by ${type.getText()}: change that type's return type to a Promise by hand`, type);
        return;
      }
    }
    // Interface members, base methods and overrides that must change together.
    for (const linked of this.linkedDeclarations(naming)) {
      const other = this.unitForDeclaration(linked);
      if (other === undefined) {
        this.block(unit, `${declarationName(naming)} must match ${declarationName(linked as ts.NamedDeclaration)}, which can't become async`);
        return;
      }
      if (other === unit) continue;
      unit.links.add(other);
      other.links.add(unit);
      queue.push(other);
    }
    this.findCallers(unit, naming, queue);
  }

  private allowsTopLevelAwait(sf: ts.SourceFile): boolean {
    if (sf.isDeclarationFile) return false;
    const options = this.context.program.getCompilerOptions();
    const module = options.module ?? ts.ModuleKind.CommonJS;
    const isNodeMode = module >= ts.ModuleKind.Node16 && module <= ts.ModuleKind.NodeNext;
    if (isNodeMode) return this.context.planner.format(sf) === ts.ModuleKind.ESNext && ts.isExternalModule(sf);
    return (module === ts.ModuleKind.ES2022 || module === ts.ModuleKind.ESNext || module === ts.ModuleKind.Preserve) &&
      ts.isExternalModule(sf) && !/\.c[jt]s$/.test(sf.fileName);
  }

  private returnsPromise(node: FunctionNode): boolean {
    if (node.type) return isPromiseTypeNode(node.type);
    const signature = this.checker.getSignatureFromDeclaration(node);
    if (signature === undefined) return false;
    return isThenable(this.checker, this.checker.getReturnTypeOfSignature(signature));
  }

  private signatureReturnsPromise(unit: Unit): boolean {
    const node = unit.node;
    const type = ts.isMethodSignature(node) || ts.isMethodDeclaration(node) ? node.type : this.annotatedFunctionType(unit)?.type;
    return isPromiseTypeNode(type);
  }

  /** For function-typed properties and variables: the `() => T` annotation. */
  private annotatedFunctionType(unit: Unit): ts.FunctionTypeNode | undefined {
    const naming = ts.isArrowFunction(unit.node) || ts.isFunctionExpression(unit.node) ? unit.node.parent : unit.node;
    if ((ts.isVariableDeclaration(naming) || ts.isPropertyDeclaration(naming) || ts.isPropertySignature(naming)) && naming.type &&
      ts.isFunctionTypeNode(naming.type)) {
      return naming.type;
    }
    return undefined;
  }

  // ---- callers -----------------------------------------------------------------------------

  private index(): Map<string, ts.Identifier[]> {
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

  private findCallers(unit: Unit, naming: ts.NamedDeclaration, queue: Unit[]): void {
    const name = naming.name;
    if (name === undefined || !ts.isIdentifier(name)) {
      if (name !== undefined) this.block(unit, `computed member name ${name.getText()}: its callers can't be found`, name);
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
        const caller = this.containerUnit(call);
        caller.callees.add(unit);
        unit.callers.add(caller);
        this.callSites.push({ call, caller, callee: unit });
        queue.push(caller);
        continue;
      }
      const where = `${this.context.relative(id.getSourceFile().fileName)}:${lineOf(id)}`;
      this.block(unit, `${name.text} is used as a value at ${where} (not called): calls through that value can't be followed; convert them by hand`);
      return;
    }
  }

  private refersTo(id: ts.Identifier, declaration: ts.Node): boolean {
    const symbol = this.checker.getSymbolAtLocation(id);
    if (symbol === undefined) return false;
    return this.targetDeclarations(symbol).includes(declaration);
  }

  private targetDeclarations(start: ts.Symbol): ts.Node[] {
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

  // ---- interfaces, base classes, overrides -------------------------------------------------

  private linkedDeclarations(naming: ts.NamedDeclaration): ts.Node[] {
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

  // ---- exports -----------------------------------------------------------------------------

  private isExported(naming: ts.NamedDeclaration): boolean {
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

  // ---- callbacks ---------------------------------------------------------------------------

  private planCallback(unit: Unit, queue: Unit[]): void {
    const fn = unit.node as ts.ArrowFunction | ts.FunctionExpression;
    let outer: ts.Node = fn.parent;
    while (ts.isParenthesizedExpression(outer)) outer = outer.parent;
    if (ts.isCallExpression(outer) && skipParens(outer.expression) === fn) {
      unit.plan = { kind: 'iife', call: outer };
      this.addEdge(this.containerUnit(outer), unit, outer, queue);
      return;
    }
    const call = fn.parent;
    if (ts.isNewExpression(call) && ts.isIdentifier(call.expression) && call.expression.text === 'Promise') {
      this.block(unit, 'Promise executor must stay synchronous; await the work outside new Promise(...)');
      return;
    }
    if (!ts.isCallExpression(call) || !call.arguments.includes(fn)) {
      this.block(unit, 'function value escapes (returned, stored or passed on); its callers can\'t be followed');
      return;
    }
    const callee = call.expression;
    const method = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name) ? callee.name.text : undefined;
    const receiver = ts.isPropertyAccessExpression(callee) ? callee.expression : undefined;
    const arrayReceiver = receiver !== undefined && this.isArrayLike(receiver);
    if (method !== undefined && arrayReceiver && SYNC_ONLY_CALLBACKS.has(method)) {
      this.block(unit, `sync-only callback: Array.prototype.${method} uses the callback's result synchronously (an async callback returns a promise); load the data first, then ${method}`);
      return;
    }
    if ((method === 'forEach' || method === 'map') && arrayReceiver) {
      const problem = this.loopabilityProblem(fn, call, method);
      if (this.context.options.parallelCallbacks) {
        if (problem && !problem.parallelOk) {
          this.block(unit, problem.reason);
          return;
        }
        unit.plan = { kind: 'promise-all', call, rename: method === 'forEach' };
      } else {
        if (problem) {
          this.block(unit, problem.reason);
          return;
        }
        if (method === 'forEach') unit.plan = { kind: 'for-of', call, statement: call.parent as ts.ExpressionStatement };
        else unit.plan = { kind: 'map-loop', call, declaration: call.parent as ts.VariableDeclaration | ts.ReturnStatement };
      }
      this.addEdge(this.containerUnit(call), unit, undefined, queue);
      return;
    }
    if (method === 'forEach' || method === 'map') {
      this.block(unit, `${method} on a ${this.checker.typeToString(this.checker.getTypeAtLocation(receiver!))}, not an array: its callbacks would run unawaited; convert it to a for…of loop by hand`);
      return;
    }
    const contextual = this.checker.getContextualType(fn);
    const signatures = contextual?.getCallSignatures() ?? [];
    const calleeText = callee.getText();
    if (signatures.length === 0) {
      this.block(unit, `callback passed to ${calleeText}: can't tell whether it may return a promise; convert it by hand`);
      return;
    }
    const acceptsPromise = signatures.every((signature) => {
      const returned = this.checker.getReturnTypeOfSignature(signature);
      return acceptsAnything(returned) || isThenable(this.checker, returned) ||
        (returned.isUnion() && returned.types.some((t) => acceptsAnything(t) || isThenable(this.checker, t)));
    });
    if (!acceptsPromise) {
      const returned = this.checker.typeToString(this.checker.getReturnTypeOfSignature(signatures[0]!));
      this.block(unit, `sync-only callback: ${calleeText} expects the callback to return ${returned} synchronously`);
      return;
    }
    unit.plan = { kind: 'leaf', callee: calleeText };
  }

  private addEdge(caller: Unit, callee: Unit, call: ts.CallExpression | undefined, queue: Unit[]): void {
    caller.callees.add(callee);
    callee.callers.add(caller);
    if (call) this.callSites.push({ call, caller, callee });
    queue.push(caller);
  }

  private isArrayLike(expression: ts.Expression): boolean {
    const type = this.checker.getTypeAtLocation(expression);
    const checker = this.checker as ts.TypeChecker & { isArrayType?(t: ts.Type): boolean; isTupleType?(t: ts.Type): boolean };
    return (checker.isArrayType?.(type) ?? false) || (checker.isTupleType?.(type) ?? false);
  }

  private loopabilityProblem(fn: ts.ArrowFunction | ts.FunctionExpression, call: ts.CallExpression, method: string):
    { reason: string; parallelOk: boolean } | undefined {
    if (call.arguments.length !== 1) return { reason: `${method} with a thisArg: convert it by hand`, parallelOk: false };
    if (ts.isFunctionExpression(fn) && usesThisOrArguments(fn.body)) {
      return { reason: `${method} callback uses this/arguments: convert it by hand`, parallelOk: false };
    }
    if (fn.parameters.length > 2 || fn.parameters.some((p) => p.initializer || p.dotDotDotToken)) {
      return { reason: `${method} callback parameters can't become a for…of binding; convert it by hand`, parallelOk: true };
    }
    if (method === 'forEach') {
      if (!ts.isExpressionStatement(call.parent)) return { reason: 'forEach result is used; convert it by hand', parallelOk: true };
      if (ts.isBlock(fn.body) && returnsWithValue(fn.body)) {
        return { reason: 'forEach callback returns a value; convert it by hand', parallelOk: true };
      }
      return undefined;
    }
    const declaration = call.parent;
    const receiver = (call.expression as ts.PropertyAccessExpression).expression;
    const simpleDeclaration = ts.isVariableDeclaration(declaration) && declaration.initializer === call && ts.isIdentifier(declaration.name) &&
      ts.isVariableDeclarationList(declaration.parent) && declaration.parent.declarations.length === 1 && ts.isVariableStatement(declaration.parent.parent);
    const simpleReturn = ts.isReturnStatement(declaration) && declaration.expression === call &&
      (ts.isBlock(declaration.parent) || ts.isSourceFile(declaration.parent));
    if ((!simpleDeclaration && !simpleReturn) || ts.isBlock(fn.body) || !isPlainReference(receiver)) {
      return {
        reason: 'map callback whose result feeds an expression: a sequential for…of needs a plain `const x = list.map(v => …)` or `return list.map(v => …)`; re-run with --parallel-callbacks to use Promise.all, or convert it by hand',
        parallelOk: true,
      };
    }
    return undefined;
  }

  // ---- deciding ----------------------------------------------------------------------------

  /** Blocked units stay synchronous, and so must everything they call synchronously. */
  private poison(): void {
    const queue: Unit[] = [];
    for (const unit of this.units.values()) {
      if (unit.block) {
        unit.poison = unit.block.reason;
        queue.push(unit);
      }
    }
    while (queue.length > 0) {
      const unit = queue.pop()!;
      for (const next of [...unit.callees, ...unit.links]) {
        if (next.poison === undefined && !next.alreadyAsync) {
          next.poison = unit.poison;
          queue.push(next);
        }
      }
    }
  }

  private asyncClosure(seeds: Seed[]): Set<Unit> {
    const result = new Set<Unit>();
    const queue: Unit[] = [];
    for (const seed of seeds) if (seed.unit.poison === undefined) queue.push(seed.unit);
    while (queue.length > 0) {
      const unit = queue.pop()!;
      if (result.has(unit) || unit.poison !== undefined) continue;
      result.add(unit);
      if (unit.alreadyAsync) continue;
      for (const next of [...unit.callers, ...unit.links]) queue.push(next);
    }
    return result;
  }

  // ---- edits -------------------------------------------------------------------------------

  private buildChains(asyncUnits: Set<Unit>, seeds: Seed[]): ChangeChain[] {
    const parent = new Map<Unit, Unit>();
    const find = (u: Unit): Unit => {
      let root = u;
      while (parent.get(root) !== undefined && parent.get(root) !== root) root = parent.get(root)!;
      parent.set(u, root);
      return root;
    };
    const union = (a: Unit, b: Unit): void => {
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) parent.set(ra, rb);
    };
    for (const unit of asyncUnits) {
      parent.set(unit, parent.get(unit) ?? unit);
      // An already-async caller has no edit of its own: it doesn't tie its callees' chains together.
      if (unit.alreadyAsync) continue;
      for (const other of [...unit.callees, ...unit.links]) if (asyncUnits.has(other) && !other.alreadyAsync) union(unit, other);
    }
    const chains = new Map<Unit, ChangeChain>();
    const chainOf = (unit: Unit): ChangeChain => {
      const root = find(unit);
      let chain = chains.get(root);
      if (chain === undefined) chains.set(root, (chain = { transform: 'sync-to-async', edits: [], needs: [], changes: [] }));
      return chain;
    };
    for (const unit of asyncUnits) {
      if (unit.plan?.kind === 'for-of' || unit.plan?.kind === 'map-loop') this.loopBodies.add(unit.node);
    }
    for (const seed of seeds) {
      if (!asyncUnits.has(seed.unit)) continue;
      this.convertSeed(seed, chainOf(seed.unit));
    }
    for (const unit of asyncUnits) {
      if (unit.alreadyAsync) continue;
      this.makeAsync(unit, chainOf(unit));
    }
    for (const site of this.callSites) {
      if (!asyncUnits.has(site.callee) || !asyncUnits.has(site.caller)) continue;
      const chain = chainOf(site.callee);
      const sf = site.call.getSourceFile();
      if (!needsAwait(site.call, this.loopBodies)) continue;
      chain.edits.push(...awaitEdits(site.call, sf));
      chain.changes.push({ file: sf.fileName, pos: site.call.getStart(sf), description: `await ${calleeLabel(site.call)}` });
    }
    return [...chains.values()];
  }

  private convertSeed(seed: Seed, chain: ChangeChain): void {
    const { call, api } = seed;
    const sf = call.getSourceFile();
    const file = sf.fileName;
    const planner = this.context.planner;
    const callee = call.expression;
    const namespace = ts.isPropertyAccessExpression(callee) ? (callee.expression as ts.Identifier).text : undefined;
    const calleeStart = callee.getStart(sf);
    const needs: Need[] = [];
    const isTs = !/\.(c|m)?jsx?$/.test(file);
    const semi = planner.style(sf).semi;
    const nl = planner.style(sf).newline;
    const named = (module: string, name: string): string => {
      const local = planner.importLocal(sf, module, name);
      needs.push({ kind: 'import', file, module, name, local });
      return local;
    };
    if (namespace === undefined) needs.push({ kind: 'release', file, local: (callee as ts.Identifier).text, count: 1 });
    let replaced: string;
    let description: string;
    switch (api.kind) {
      case 'promises': {
        replaced = namespace === undefined ? named('fs/promises', api.async) : `${namespace}.promises.${api.async}`;
        description = `${api.sync} → await ${replaced}`;
        break;
      }
      case 'exists': {
        const access = namespace === undefined ? named('fs/promises', 'access') : `${namespace}.promises.access`;
        const helper = planner.freeName(sf, 'pathExists', 'helper:pathExists');
        const signature = isTs ? `(path: Parameters<typeof ${access}>[0]): Promise<boolean>` : '(path)';
        needs.push({
          kind: 'helper', file, key: `helper:${helper}`,
          text: `/** True when \`path\` exists (the async stand-in for existsSync). */${nl}async function ${helper}${signature} {${nl}  try {${nl}    await ${access}(path)${semi}${nl}    return true${semi}${nl}  } catch {${nl}    return false${semi}${nl}  }${nl}}`,
        });
        replaced = helper;
        description = `existsSync → await ${helper} (access-based)`;
        break;
      }
      case 'exec':
      case 'promisify': {
        const base = namespace === undefined ? named(api.module, api.async) : `${namespace}.${api.async}`;
        const promisify = named('util', 'promisify');
        const helper = planner.freeName(sf, `${api.async}Async`, `helper:${api.module}:${api.async}`);
        needs.push({ kind: 'helper', file, key: `helper:${helper}`, text: `const ${helper} = ${promisify}(${base})${semi}` });
        replaced = helper;
        description = api.kind === 'exec' ? `${api.sync} → (await ${helper}(…)).stdout` : `${api.sync} → await ${helper}`;
        break;
      }
    }
    if (api.sync === 'randomBytes') {
      const index = needs.findIndex((n) => n.kind === 'release');
      if (index >= 0) needs.splice(index, 1);
    }
    chain.needs.push(...needs);
    if (namespace !== undefined && replaced.startsWith(`${namespace}.`)) {
      chain.edits.push(replacement(file, (callee as ts.PropertyAccessExpression).name.getStart(sf), callee.end, replaced.slice(namespace.length + 1)));
    } else {
      chain.edits.push(replacement(file, calleeStart, callee.end, replaced));
    }
    if (api.kind === 'exec') {
      const guard = needsAsiGuard(call, sf) ? ';' : '';
      chain.edits.push(insertion(file, call.getStart(sf), `${guard}(await `, prefixRank(call.end)));
      chain.edits.push(insertion(file, call.end, ').stdout', suffixRank(call.getStart(sf))));
    } else if (needsAwait(call, this.loopBodies)) {
      chain.edits.push(...awaitEdits(call, sf));
    }
    chain.changes.push({ file, pos: call.getStart(sf), description });
  }

  private makeAsync(unit: Unit, chain: ChangeChain): void {
    const sf = unit.sf;
    const file = sf.fileName;
    const node = unit.node;
    const label = unitLabel(unit);
    if (unit.kind === 'signature') {
      const type = ts.isMethodSignature(node) || ts.isMethodDeclaration(node) ? node.type : this.annotatedFunctionType(unit)?.type;
      if (type && !isPromiseTypeNode(type)) {
        chain.edits.push(...promiseTypeEdits(type, sf));
        chain.changes.push({ file, pos: node.getStart(sf), description: `${label} now returns a Promise` });
      }
      return;
    }
    if (unit.kind !== 'body') return;
    const fn = node as FunctionNode;
    const plan = unit.plan;
    if (plan?.kind === 'for-of') {
      chain.edits.push(...this.forOfEdits(fn as ts.ArrowFunction | ts.FunctionExpression, plan.call, plan.statement));
      chain.changes.push({ file, pos: plan.call.getStart(sf), description: 'forEach callback → sequential for…of' });
      return;
    }
    if (plan?.kind === 'map-loop') {
      chain.edits.push(...this.mapLoopEdits(fn as ts.ArrowFunction, plan.call, plan.declaration));
      chain.changes.push({ file, pos: plan.call.getStart(sf), description: 'map callback → sequential for…of with push' });
      return;
    }
    chain.edits.push(insertion(file, asyncKeywordPosition(fn, sf), 'async ', prefixRank(Number.MAX_SAFE_INTEGER)));
    if (fn.type && !isPromiseTypeNode(fn.type)) chain.edits.push(...promiseTypeEdits(fn.type, sf));
    const annotated = this.annotatedFunctionType(unit);
    if (annotated && !isPromiseTypeNode(annotated.type)) chain.edits.push(...promiseTypeEdits(annotated.type, sf));
    if (plan?.kind === 'promise-all') {
      const call = plan.call;
      chain.edits.push(...wrapEdits(call, sf, 'await Promise.all(', ')', true));
      if (plan.rename) {
        const name = (call.expression as ts.PropertyAccessExpression).name;
        chain.edits.push(replacement(file, name.getStart(sf), name.end, 'map'));
      }
      chain.changes.push({ file, pos: call.getStart(sf), description: 'callbacks run concurrently under await Promise.all' });
      return;
    }
    const description = plan?.kind === 'leaf'
      ? `callback passed to ${plan.callee} made async (${plan.callee} does not await it)`
      : `${label} made async`;
    chain.changes.push({ file, pos: fn.getStart(sf), description });
  }

  private forOfEdits(fn: ts.ArrowFunction | ts.FunctionExpression, call: ts.CallExpression, statement: ts.ExpressionStatement): TextEdit[] {
    const sf = fn.getSourceFile();
    const file = sf.fileName;
    const receiver = (call.expression as ts.PropertyAccessExpression).expression;
    const binding = loopBinding(fn, sf);
    const edits: TextEdit[] = [
      insertion(file, statement.getStart(sf), `for (const ${binding.text} of `, prefixRank(statement.end + 1)),
      replacement(file, receiver.end, fn.body.getStart(sf), `${binding.entries ? '.entries()' : ''}) `),
    ];
    if (ts.isBlock(fn.body)) {
      edits.push(replacement(file, fn.body.end, statement.end, ''));
      for (const ret of ownReturns(fn.body)) {
        edits.push(replacement(file, ret.getStart(sf), ret.end, ret.getText(sf).trimEnd().endsWith(';') ? 'continue;' : 'continue'));
      }
    } else {
      edits.push(replacement(file, fn.body.end, call.end, ''));
    }
    return edits;
  }

  private mapLoopEdits(fn: ts.ArrowFunction, call: ts.CallExpression, declaration: ts.VariableDeclaration | ts.ReturnStatement): TextEdit[] {
    const sf = fn.getSourceFile();
    const file = sf.fileName;
    const receiver = (call.expression as ts.PropertyAccessExpression).expression;
    const binding = loopBinding(fn, sf);
    const style = this.context.planner.style(sf);
    if (ts.isReturnStatement(declaration)) {
      // return list.map(v => f(v))  →  const results = []; for (const v of list) results.push(await f(v)); return results;
      const indent = lineIndent(sf, declaration.getStart(sf));
      const target = this.context.planner.freeName(sf, 'results', `results:${declaration.pos}`);
      return [
        replacement(file, declaration.getStart(sf), call.getStart(sf), `const ${target} = []${style.semi}${style.newline}${indent}for (const ${binding.text} of `),
        replacement(file, receiver.end, fn.body.getStart(sf), `${binding.entries ? '.entries()' : ''}) ${target}.push(`),
        replacement(file, fn.body.end, call.end, ')'),
        insertion(file, declaration.end, `${style.newline}${indent}return ${target}${style.semi}`, prefixRank(declaration.end)),
      ];
    }
    const statement = declaration.parent.parent;
    const indent = lineIndent(sf, statement.getStart(sf));
    const target = (declaration.name as ts.Identifier).text;
    return [
      insertion(file, call.getStart(sf), `[]${style.semi}${style.newline}${indent}for (const ${binding.text} of `, prefixRank(statement.end + 1)),
      replacement(file, receiver.end, fn.body.getStart(sf), `${binding.entries ? '.entries()' : ''}) ${target}.push(`),
      replacement(file, fn.body.end, call.end, ')'),
    ];
  }
}

// ---- helpers -------------------------------------------------------------------------------

function isFunctionWithBody(node: ts.Node): node is FunctionNode {
  return (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node) ||
    ts.isConstructorDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) && node.body !== undefined;
}

function isMemberDeclaration(node: ts.Node): boolean {
  return ts.isMethodDeclaration(node) || ts.isPropertyDeclaration(node) || ts.isMethodSignature(node) || ts.isPropertySignature(node) ||
    ts.isPropertyAssignment(node);
}

function skipParens(node: ts.Expression): ts.Expression {
  let current = node;
  while (ts.isParenthesizedExpression(current)) current = current.expression;
  return current;
}

function isCommonJsExport(id: ts.Identifier): boolean {
  let node: ts.Node = id;
  while (ts.isShorthandPropertyAssignment(node.parent) || ts.isPropertyAssignment(node.parent) || ts.isObjectLiteralExpression(node.parent)) {
    node = node.parent;
  }
  const parent = node.parent;
  if (!ts.isBinaryExpression(parent) || parent.operatorToken.kind !== ts.SyntaxKind.EqualsToken || parent.right !== node) return false;
  const left = parent.left.getText();
  return left === 'module.exports' || left.startsWith('exports.') || left.startsWith('module.exports.');
}

function acceptsAnything(type: ts.Type): boolean {
  return (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Void | ts.TypeFlags.Undefined)) !== 0;
}

function usesThisOrArguments(node: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (n.kind === ts.SyntaxKind.ThisKeyword || (ts.isIdentifier(n) && n.text === 'arguments')) {
      found = true;
      return;
    }
    if (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isClassLike(n)) return;
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

function ownReturns(body: ts.Block): ts.ReturnStatement[] {
  const found: ts.ReturnStatement[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isReturnStatement(n)) found.push(n);
    if (ts.isFunctionLike(n) || ts.isClassLike(n)) return;
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
  return found;
}

function returnsWithValue(body: ts.Block): boolean {
  return ownReturns(body).some((r) => r.expression !== undefined);
}

function isPlainReference(node: ts.Expression): boolean {
  if (ts.isIdentifier(node) || node.kind === ts.SyntaxKind.ThisKeyword) return true;
  return ts.isPropertyAccessExpression(node) && isPlainReference(node.expression);
}

function loopBinding(fn: ts.ArrowFunction | ts.FunctionExpression, sf: ts.SourceFile): { text: string; entries: boolean } {
  const [value, index] = fn.parameters;
  const valueText = value ? value.name.getText(sf) : '_';
  if (index === undefined) return { text: valueText, entries: false };
  return { text: `[${index.name.getText(sf)}, ${valueText}]`, entries: true };
}

/** `return f()` outside a try returns the promise itself; every other use needs `await`. */
function needsAwait(call: ts.CallExpression, loopBodies: ReadonlySet<ts.Node>): boolean {
  const parent = call.parent;
  if (ts.isAwaitExpression(parent)) return false;
  if (ts.isReturnStatement(parent)) return isInsideTry(parent);
  if (ts.isArrowFunction(parent) && parent.body === call) return loopBodies.has(parent);
  return true;
}

function asyncKeywordPosition(fn: FunctionNode, sf: ts.SourceFile): number {
  if (ts.isArrowFunction(fn)) return fn.getStart(sf);
  if (ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn)) {
    const keyword = fn.getChildren(sf).find((c) => c.kind === ts.SyntaxKind.FunctionKeyword);
    return keyword ? keyword.getStart(sf) : fn.getStart(sf);
  }
  const name = (fn as ts.MethodDeclaration).name;
  return name.getStart(sf);
}

function promiseTypeEdits(type: ts.TypeNode, sf: ts.SourceFile): TextEdit[] {
  const start = type.getStart(sf);
  return [
    insertion(sf.fileName, start, 'Promise<', prefixRank(type.end)),
    insertion(sf.fileName, type.end, '>', suffixRank(start)),
  ];
}

function declarationName(declaration: ts.NamedDeclaration): string {
  const name = declaration.name?.getText() ?? '(anonymous)';
  const owner = declaration.parent;
  if (owner && (ts.isClassLike(owner) || ts.isInterfaceDeclaration(owner)) && owner.name) return `${owner.name.text}.${name}`;
  return name;
}

function unitLabel(unit: Unit): string {
  const node = unit.node;
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
    const parent = node.parent;
    if ((ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.name) {
      return declarationName(parent);
    }
    return 'callback';
  }
  return declarationName(node as ts.NamedDeclaration);
}

function calleeLabel(call: ts.CallExpression): string {
  const callee = call.expression;
  if (ts.isPropertyAccessExpression(callee)) return `${callee.name.getText()}()`;
  return `${callee.getText().slice(0, 40)}()`;
}

function lineOf(node: ts.Node): number {
  const sf = node.getSourceFile();
  return sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
}
