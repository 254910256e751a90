import { ts } from 'ts-morph';
import { awaitBlocker, awaitEdits, hasModifier, isPromiseTypeNode, isThenable } from '../shared/syntax.js';
import type { ChangeChain, Transform, TransformContext, TransformResult, TransformStop } from './Transform.js';
import { replacement } from '../textEdit.js';
import { Callbacks } from './sync-to-async/callbacks.js';
import { Callers } from './sync-to-async/callers.js';
import { Edits } from './sync-to-async/edits.js';
import { EntryMain, NOT_AN_ENTRY } from './sync-to-async/entryMain.js';
import { floatingCalls, type AsyncMark } from './sync-to-async/floating.js';
import { Hierarchy } from './sync-to-async/hierarchy.js';
import { calleeLabel, calleeText, declarationName, lineOf, needsAwait, unitLabel } from './sync-to-async/predicates.js';
import { Seeds } from './sync-to-async/seeds.js';
import { CallGraph, type FunctionNode, type Seed, type Unit } from './sync-to-async/units.js';

const COMMONJS_TOP_LEVEL = 'CommonJS top level runs while the module loads: CommonJS has no top-level await; move this code into an async main() and call it';

export const syncToAsync: Transform = {
  id: 'sync-to-async',
  summary: 'fs/child_process/zlib/crypto sync calls become awaited async calls; async/await propagates through callers',
  run: (context) => new SyncToAsyncAnalysis(context).run(),
};

/**
 * The orchestration: seeds → explore callers (and the members that must change with them) →
 * poison what can't become async → the async closure of the seeds → one change chain per
 * connected group of units.
 */
class SyncToAsyncAnalysis {
  private readonly checker: ts.TypeChecker;
  private readonly graph = new CallGraph();
  private readonly stops: TransformStop[] = [];
  private readonly editable: Set<ts.SourceFile>;
  /** Callbacks that become loop bodies: a concise body's value is no longer returned. */
  private readonly loopBodies = new Set<ts.Node>();
  private readonly seeds: Seeds;
  private readonly callers: Callers;
  private readonly hierarchy: Hierarchy;
  private readonly callbacks: Callbacks;
  private readonly edits: Edits;
  private readonly asyncMarks = new Map<ChangeChain, AsyncMark[]>();
  private entryMain: EntryMain | undefined;

  constructor(private readonly context: TransformContext) {
    this.checker = context.checker;
    this.editable = new Set(context.files);
    this.seeds = new Seeds(context, this.graph, this.stops);
    this.callers = new Callers(context, this.graph);
    this.hierarchy = new Hierarchy(this.checker, () => this.callers.index());
    this.callbacks = new Callbacks(context, this.graph, (fn, position) => this.callers.argumentsAt(fn, position));
    this.edits = new Edits(context, this.graph, this.loopBodies, this.asyncMarks);
  }

  run(): TransformResult {
    const seeds = this.seeds.find();
    if (seeds.length === 0) return { chains: [], stops: this.stops };
    this.entryMain = new EntryMain(this.context, new Set(seeds.map((seed) => seed.call)));
    const queue: Unit[] = seeds.map((s) => s.unit);
    while (queue.length > 0) {
      const unit = queue.pop()!;
      if (unit.explored) continue;
      unit.explored = true;
      this.explore(unit, queue);
    }
    this.callbacks.planSuites();
    this.blockUnawaitable(seeds);
    this.poison();
    const asyncUnits = this.asyncClosure(seeds);
    for (const unit of this.graph.units.values()) {
      if (unit.block && unit.explored) this.reportBlock(unit, unit.block);
    }
    return {
      chains: this.buildChains(asyncUnits, seeds), stops: this.stops,
      verify: (program, chains, toOriginal) => floatingCalls(program, chains, this.asyncMarks, toOriginal, this.context.relative),
    };
  }

  private explore(unit: Unit, queue: Unit[]): void {
    const node = unit.node;
    const notEditable = this.editable.has(unit.sf) ? undefined : this.context.notEditable(unit.sf);
    if (notEditable !== undefined) {
      this.graph.block(unit, `can't edit ${this.context.relative(unit.sf.fileName)} (${notEditable}); the calls into it stay synchronous`);
      return;
    }
    if (unit.kind === 'top-level') {
      if (!this.allowsTopLevelAwait(unit.sf)) {
        const problem = this.entryMain!.problem(unit.sf);
        if (problem === undefined) unit.entryMain = true;
        else this.graph.block(unit, `${COMMONJS_TOP_LEVEL}${problem === NOT_AN_ENTRY ? '' : ` (this bin script can't move into an async main: ${problem})`}`);
      }
      unit.alreadyAsync = true;
      return;
    }
    if (unit.kind === 'class-init') {
      this.graph.block(unit, 'class field initializer runs in the constructor, which cannot be async; initialise it lazily (e.g. lazy() from @asyncguard/runtime) or in a static async factory');
      return;
    }
    if (ts.isConstructorDeclaration(node)) {
      this.graph.block(unit, 'constructor cannot be async; move the I/O into a lazy initialiser (e.g. lazy() from @asyncguard/runtime) or a static async create() factory');
      return;
    }
    if (ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) {
      this.graph.block(unit, `${ts.isGetAccessorDeclaration(node) ? 'getter' : 'setter'} cannot be async; turn it into an async method`);
      return;
    }
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isFunctionExpression(node)) && node.asteriskToken) {
      this.graph.block(unit, 'generator function: making it async would change its iteration protocol; convert it by hand');
      return;
    }
    const returnType = (ts.isFunctionLike(node) ? node.type : undefined) ?? this.graph.annotatedFunctionType(unit)?.type;
    if (returnType && ts.isTypePredicateNode(returnType)) {
      this.graph.block(unit, 'type predicate/assertion function cannot be async');
      return;
    }
    if (unit.kind === 'body' && hasModifier(node, ts.SyntaxKind.AsyncKeyword)) {
      unit.alreadyAsync = true;
      return;
    }
    if (unit.kind === 'body' && this.returnsPromise(node as FunctionNode)) {
      // It stays promise-returning for its callers; an await inside it needs `async`, which keeps
      // the result a native promise only when it already was one.
      unit.alreadyAsync = true;
      unit.promiseReturning = this.returnsNativePromise(node as FunctionNode) ? 'native' : 'other';
      return;
    }
    if (unit.kind === 'signature' && this.signatureReturnsPromise(unit)) {
      unit.alreadyAsync = true;
      return;
    }
    const naming = this.graph.namingDeclaration(unit);
    if (naming === undefined && unit.kind === 'body') {
      this.callbacks.planCallback(unit, queue);
      return;
    }
    if (naming === undefined) return;
    if (!this.context.options.includeExports && this.callers.isExported(naming)) {
      this.graph.block(unit, `exported API (${declarationName(naming)}): callers outside this project would break; re-run with --include-exports to convert it`, naming.name ?? naming);
      return;
    }
    if (ts.isVariableDeclaration(naming) || ts.isPropertyDeclaration(naming) || ts.isPropertySignature(naming)) {
      const type = naming.type;
      if (type && !ts.isFunctionTypeNode(type)) {
        this.graph.block(unit, `typed by ${type.getText()}: change that type's return type to a Promise by hand`, type);
        return;
      }
    }
    // Interface members, base methods and overrides that must change together.
    for (const linked of this.hierarchy.linkedDeclarations(naming)) {
      const other = this.graph.unitForDeclaration(linked);
      if (other === undefined) {
        this.graph.block(unit, `${declarationName(naming)} must match ${declarationName(linked as ts.NamedDeclaration)}, which can't become async`);
        return;
      }
      if (other === unit) continue;
      unit.links.add(other);
      other.links.add(unit);
      queue.push(other);
    }
    this.callers.findCallers(unit, naming, queue);
  }

  /**
   * A call the chain would have to await where `await` is not allowed (a default parameter value,
   * a class field initializer, a static block): the function around it stays synchronous, with
   * the reason at the call, instead of an edit the type check would roll back.
   */
  private blockUnawaitable(seeds: Seed[]): void {
    const check = (call: ts.CallExpression, unit: Unit, label: string): void => {
      if (!needsAwait(call, this.loopBodies)) return;
      const blocker = awaitBlocker(call);
      if (blocker !== undefined) this.graph.block(unit, `${label} runs in ${blocker}; move it into the function body to convert it`, call);
      if (unit.promiseReturning === 'other') {
        this.graph.block(unit, `${unitLabel(unit)} returns a promise-like value not declared a native Promise: making it async to await ${label} would change that value; convert it by hand`, call);
      }
    };
    for (const seed of seeds) check(seed.call, seed.unit, seed.api.sync);
    for (const site of this.graph.callSites) check(site.call, site.caller, site.noThrowSubject === undefined ? calleeLabel(site.call) : `${unitLabel(site.callee)}()`);
    for (const unit of this.graph.units.values()) {
      if (unit.entryMain !== true || unit.block !== undefined) continue;
      const calls = [...unit.seeds.map((seed) => seed.call), ...this.graph.callSites.filter((site) => site.caller === unit).map((site) => site.call)]
        .filter((call) => needsAwait(call, this.loopBodies));
      const hazard = calls.length === 0 ? undefined : this.entryMain!.prefixProblem(unit.sf, calls);
      if (hazard !== undefined) {
        const where = `${this.context.relative(hazard.getSourceFile().fileName)}:${lineOf(hazard)}`;
        this.graph.block(unit, `${COMMONJS_TOP_LEVEL} (this bin script can't move into an async main: ${ts.isCallExpression(hazard) ? calleeText(hazard) : hazard.getText().replace(/\s+/g, ' ').slice(0, 40)} at ${where} may run before an await and start asynchronous work, whose callbacks would then run before the rest of the script)`);
      }
    }
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

  /** The declared (or JSDoc) return type is the global Promise, so `async` returns the same kind of value. */
  private returnsNativePromise(node: FunctionNode): boolean {
    const signature = this.checker.getSignatureFromDeclaration(node);
    if (signature === undefined) return false;
    const type = this.checker.getReturnTypeOfSignature(signature);
    const symbol = type.getSymbol();
    return symbol?.getName() === 'Promise' &&
      (symbol.declarations ?? []).some((d) => /[\\/]typescript[\\/]lib[\\/]lib\.[^\\/]*\.d\.ts$/.test(d.getSourceFile().fileName));
  }

  private signatureReturnsPromise(unit: Unit): boolean {
    const node = unit.node;
    const type = ts.isMethodSignature(node) || ts.isMethodDeclaration(node) ? node.type : this.graph.annotatedFunctionType(unit)?.type;
    return isPromiseTypeNode(type);
  }

  // ---- deciding ----------------------------------------------------------------------------

  /** Blocked units stay synchronous, and so must everything they call synchronously. */
  private poison(): void {
    const queue: Unit[] = [];
    for (const unit of this.graph.units.values()) {
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
    const awaitsInside = (unit: Unit): boolean => (unit.promiseReturning === 'native' || unit.entryMain === true) && (
      unit.seeds.some((seed) => needsAwait(seed.call, this.loopBodies)) ||
      this.graph.callSites.some((site) => site.caller === unit && asyncUnits.has(site.callee) && needsAwait(site.call, this.loopBodies)));
    const gainsAsync = new Set([...asyncUnits].filter(awaitsInside));
    for (const unit of asyncUnits) {
      parent.set(unit, parent.get(unit) ?? unit);
      // An already-async caller has no edit of its own: it doesn't tie its callees' chains together
      // (unless it gains the `async` keyword for an await inside it).
      if (unit.alreadyAsync && !gainsAsync.has(unit)) continue;
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
      if (unit.plan?.kind === 'for-of' || unit.plan?.kind === 'map-loop' || unit.plan?.kind === 'flat-map-loop' || unit.plan?.kind === 'search-loop') this.loopBodies.add(unit.node);
    }
    for (const seed of seeds) {
      if (!asyncUnits.has(seed.unit)) continue;
      this.edits.convertSeed(seed, chainOf(seed.unit));
    }
    for (const unit of asyncUnits) {
      if (unit.alreadyAsync && !gainsAsync.has(unit)) continue;
      if (unit.entryMain === true) {
        const chain = chainOf(unit);
        chain.edits.push(...this.entryMain!.edits(unit.sf));
        chain.changes.push({ file: unit.sf.fileName, pos: unit.sf.statements[0]!.getStart(unit.sf), description: 'bin script body moved into async main() (a rejection is rethrown as an uncaught exception)' });
        continue;
      }
      this.edits.makeAsync(unit, chainOf(unit));
    }
    for (const site of this.graph.callSites) {
      if (!asyncUnits.has(site.callee) || !asyncUnits.has(site.caller)) continue;
      const chain = chainOf(site.callee);
      const sf = site.call.getSourceFile();
      const subject = site.noThrowSubject;
      if (subject !== undefined) {
        // `expect(f).not.toThrow()` → `await f()`, `expect(() => g()).not.toThrow()` → `await (async () => g())()`:
        // the text around the subject is replaced; edits inside it (the function made async) stand.
        const wrap = !ts.isIdentifier(subject) && !ts.isParenthesizedExpression(subject);
        chain.edits.push(replacement(sf.fileName, site.call.getStart(sf), subject.getStart(sf), wrap ? 'await (' : 'await '));
        chain.edits.push(replacement(sf.fileName, subject.end, site.call.end, wrap ? ')()' : '()'));
        chain.changes.push({ file: sf.fileName, pos: site.call.getStart(sf), description: `await ${unitLabel(site.callee)}() in place of its no-throw assertion` });
        continue;
      }
      if (!needsAwait(site.call, this.loopBodies)) continue;
      chain.edits.push(...awaitEdits(site.call, sf));
      chain.changes.push({ file: sf.fileName, pos: site.call.getStart(sf), description: `await ${calleeLabel(site.call)}` });
    }
    return [...chains.values()];
  }


  /** A blocked unit reached only by possible calls (untyped receivers) is reported at those calls. */
  private reportBlock(unit: Unit, block: NonNullable<Unit['block']>): void {
    const sites = this.graph.callSites.filter((site) => site.caller === unit);
    if (sites.length > 0 && sites.every((site) => site.uncertain === true)) {
      for (const site of sites) {
        const sf = site.call.getSourceFile();
        this.stops.push({
          file: sf.fileName, pos: site.call.getStart(sf),
          reason: `possible call ${calleeText(site.call)} (untyped receiver; may be ${unitLabel(site.callee)}, which becomes async) can't be awaited here: ${block.reason}`,
        });
      }
      return;
    }
    if (unit.kind === 'top-level' && block.at === unit.node) {
      // A module's top level is no function: the stop goes where it calls into a chain (the calls
      // stay synchronous there; nothing else about the module is blocked).
      const calls = [...unit.seeds.map((seed) => seed.call), ...sites.map((site) => site.call)];
      const reported = new Set<ts.CallExpression>();
      for (const call of calls.sort((a, b) => a.getStart(unit.sf) - b.getStart(unit.sf))) {
        if (reported.has(call)) continue;
        reported.add(call);
        this.stops.push({ file: unit.sf.fileName, pos: call.getStart(unit.sf), reason: `${calleeLabel(call)} is called at the top level: ${block.reason}` });
      }
      if (reported.size > 0) return;
    }
    this.stops.push({ file: unit.sf.fileName, pos: block.at.getStart(unit.sf), reason: block.reason });
  }
}
