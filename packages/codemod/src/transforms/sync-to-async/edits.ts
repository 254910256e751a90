import { ts } from 'ts-morph';
import { insertion, prefixRank, replacement, suffixRank, type TextEdit } from '../../textEdit.js';
import { awaitEdits, isPromiseTypeNode, lineIndent, needsAsiGuard, wrapEdits } from '../../shared/syntax.js';
import type { Need } from '../../ImportPlanner.js';
import type { ChangeChain, TransformContext } from '../Transform.js';
import { isResultUsed, type ExecPlan } from './execOptions.js';
import type { AsyncMark } from './floating.js';
import { needsAwait, ownReturns, unitLabel } from './predicates.js';
import type { CallGraph, FunctionNode, Seed, Unit } from './units.js';
import { searchLoopEdits } from './searchLoops.js';
import { bindsName, flatMapLoopText, loopBinding, loopSource } from './loops.js';

/** The text edits of a chain: seeds rewritten, functions made async, callbacks turned into loops. */
export class Edits {
  constructor(
    private readonly context: TransformContext, private readonly graph: CallGraph,
    /** Callbacks that become loop bodies: a concise body's value is no longer returned. */
    private readonly loopBodies: ReadonlySet<ts.Node>,
    /** Where each chain inserts `async ` (for the floating-promise check). */
    private readonly asyncMarks: Map<ChangeChain, AsyncMark[]>,
  ) {}

  convertSeed(seed: Seed, chain: ChangeChain): void {
    const { call, api } = seed;
    const sf = call.getSourceFile();
    const file = sf.fileName;
    const planner = this.context.planner;
    const callee = call.expression;
    // The module object: an identifier, or `require('fs')` written at the call.
    const namespace = ts.isPropertyAccessExpression(callee) ? callee.expression.getText(sf) : undefined;
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
          // In JavaScript the parameter's type comes from JSDoc (checkJs with noImplicitAny would flag it).
          text: `${isTs ? '/** True when `path` exists (the async stand-in for existsSync). */' : `/**${nl} * True when \`path\` exists (the async stand-in for existsSync).${nl} * @param {import('fs').PathLike} path${nl} */`}${nl}async function ${helper}${signature} {${nl}  try {${nl}    await ${access}(path)${semi}${nl}    return true${semi}${nl}  } catch {${nl}    return false${semi}${nl}  }${nl}}`,
        });
        replaced = helper;
        description = `existsSync → await ${helper} (access-based)`;
        break;
      }
      case 'same-module': {
        // fs-extra: the seed always has a module-object receiver (named bindings are stopped).
        replaced = `${namespace ?? ''}.${api.async}`;
        description = `${api.sync} → await ${replaced} (fs-extra returns a promise without a callback)`;
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
    if (api.kind === 'exec' && !isResultUsed(call)) {
      description = `${api.sync} → await ${replaced} (result unused)`;
      chain.edits.push(...awaitEdits(call, sf));
      if (seed.exec !== undefined) {
        chain.edits.push(...execOptionEdits(seed.exec, sf));
        if (seed.exec.notes.length > 0) description += ` (${seed.exec.notes.join('; ')})`;
      }
    } else if (api.kind === 'exec') {
      const guard = needsAsiGuard(call, sf) ? ';' : '';
      chain.edits.push(insertion(file, call.getStart(sf), `${guard}(await `, prefixRank(call.end)));
      chain.edits.push(insertion(file, call.end, ').stdout', suffixRank(call.getStart(sf))));
      if (seed.exec !== undefined) {
        chain.edits.push(...execOptionEdits(seed.exec, sf));
        if (seed.exec.notes.length > 0) description += ` (${seed.exec.notes.join('; ')})`;
      }
    } else if (needsAwait(call, this.loopBodies)) {
      chain.edits.push(...awaitEdits(call, sf));
    }
    chain.changes.push({ file, pos: call.getStart(sf), description });
  }

  makeAsync(unit: Unit, chain: ChangeChain): void {
    const sf = unit.sf;
    const file = sf.fileName;
    const node = unit.node;
    const label = unitLabel(unit);
    if (unit.kind === 'signature') {
      const type = ts.isMethodSignature(node) || ts.isMethodDeclaration(node) ? node.type : this.graph.annotatedFunctionType(unit)?.type;
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
    if (plan?.kind === 'flat-map-loop') {
      chain.edits.push(...this.flatMapLoopEdits(fn as ts.ArrowFunction | ts.FunctionExpression, plan.call, plan.declaration));
      chain.changes.push({ file, pos: plan.call.getStart(sf), description: 'flatMap callback → sequential for…of pushing each element of its result' });
      return;
    }
    if (plan?.kind === 'suite') {
      this.suiteHookEdits(plan, sf, chain);
      return;
    }
    if (plan?.kind === 'search-loop') {
      const planner = this.context.planner;
      const at = plan.call.getStart(sf);
      chain.edits.push(...searchLoopEdits(fn as ts.ArrowFunction | ts.FunctionExpression, plan.call, plan.method, {
        value: () => planner.freeName(sf, 'item', `search-item:${at}`),
        index: () => planner.freeName(sf, 'index', `search-index:${at}`),
        results: () => planner.freeName(sf, 'results', `search-results:${at}`),
      }));
      chain.changes.push({ file, pos: at, description: `${plan.method} callback → sequential for…of in an awaited async arrow` });
      return;
    }
    const asyncPos = asyncKeywordPosition(fn, sf);
    chain.edits.push(insertion(file, asyncPos, 'async ', prefixRank(Number.MAX_SAFE_INTEGER)));
    let marks = this.asyncMarks.get(chain);
    if (marks === undefined) this.asyncMarks.set(chain, (marks = []));
    marks.push({ file, pos: asyncPos });
    if (fn.type && !isPromiseTypeNode(fn.type)) chain.edits.push(...promiseTypeEdits(fn.type, sf));
    const annotated = this.graph.annotatedFunctionType(unit);
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
    if (plan?.kind === 'assertion') {
      chain.edits.push(replacement(file, plan.name.getStart(sf), plan.name.end, plan.twin));
      chain.changes.push({ file, pos: plan.call.getStart(sf), description: `${plan.name.text}(fn) → await ${plan.twin}(async fn)` });
      return;
    }
    const description = plan?.kind === 'leaf'
      ? plan.awaited === true ? `${plan.callee} callback made async (the test framework awaits it)` : `callback passed to ${plan.callee} made async (${plan.callee} does not await it)`
      : `${label} made async`;
    chain.changes.push({ file, pos: fn.getStart(sf), description });
  }

  /** Each moved statement becomes `before(async () => { … })` where it was; a `const` leaves its names as `let`s. */
  private suiteHookEdits(plan: Extract<NonNullable<Unit['plan']>, { kind: 'suite' }>, sf: ts.SourceFile, chain: ChangeChain): void {
    if (plan.moves.length === 0) return;
    const file = sf.fileName;
    const style = this.context.planner.style(sf);
    const semi = style.semi;
    const nl = style.newline;
    const hook = this.context.planner.importLocal(sf, plan.module, plan.hook);
    chain.needs.push({ kind: 'import', file, module: plan.module, name: plan.hook, local: hook });
    for (const { statement, names } of plan.moves) {
      const start = statement.getStart(sf);
      const indent = lineIndent(sf, start);
      const open = `${hook}(async () => {${nl}${indent}  `;
      if (ts.isVariableStatement(statement)) {
        const declaration = statement.declarationList.declarations[0]!;
        const init = declaration.initializer!;
        const pattern = !ts.isIdentifier(declaration.name);
        chain.edits.push(insertion(file, start, `let ${names.join(', ')}${semi}${nl}${indent}${open}`, prefixRank(statement.end)));
        chain.edits.push(replacement(file, start, init.getStart(sf), `${pattern ? '(' : ''}${declaration.name.getText(sf)} = `));
        if (pattern) chain.edits.push(insertion(file, init.end, ')', suffixRank(start + 1)));
      } else {
        chain.edits.push(insertion(file, start, open, prefixRank(statement.end)));
      }
      chain.edits.push(insertion(file, statement.end, `${nl}${indent}})${semi}`, suffixRank(start)));
      chain.changes.push({ file, pos: start, description: `${plan.name} body: statement moved into a ${plan.hook}(async …) hook (the suite body stays synchronous)` });
    }
  }

  private forOfEdits(fn: ts.ArrowFunction | ts.FunctionExpression, call: ts.CallExpression, statement: ts.ExpressionStatement): TextEdit[] {
    const sf = fn.getSourceFile();
    const file = sf.fileName;
    const { receiver, edits: helper } = loopSource(call, fn, sf);
    const binding = loopBinding(fn, sf);
    const edits: TextEdit[] = [
      ...helper,
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

  private flatMapLoopEdits(fn: ts.ArrowFunction | ts.FunctionExpression, call: ts.CallExpression, declaration: ts.VariableDeclaration | ts.ReturnStatement): TextEdit[] {
    const sf = fn.getSourceFile();
    const file = sf.fileName;
    const planner = this.context.planner;
    const style = planner.style(sf);
    const at = call.getStart(sf);
    const item = planner.freeName(sf, 'item', `flat-map-item:${at}`);
    const binding = loopBinding(fn, sf);
    if (ts.isReturnStatement(declaration)) {
      const indent = lineIndent(sf, declaration.getStart(sf));
      const target = planner.freeName(sf, 'results', `results:${declaration.pos}`);
      return [
        replacement(file, declaration.getStart(sf), at, `const ${target} = []${style.semi}${style.newline}${indent}for (const ${binding.text} of `),
        ...flatMapLoopText(fn, call, target, item, style, declaration.end),
        insertion(file, declaration.end, `${style.newline}${indent}return ${target}${style.semi}`, prefixRank(declaration.end)),
      ];
    }
    const statement = declaration.parent.parent;
    const indent = lineIndent(sf, statement.getStart(sf));
    const target = (declaration.name as ts.Identifier).text;
    if (bindsName(fn, target)) {
      // The callback has its own `target`: the loop fills a fresh array, which the declaration then takes.
      const fresh = planner.freeName(sf, 'results', `results:${statement.pos}`);
      return [
        replacement(file, statement.getStart(sf), at, `const ${fresh} = []${style.semi}${style.newline}${indent}for (const ${binding.text} of `),
        ...flatMapLoopText(fn, call, fresh, item, style, statement.end),
        insertion(file, statement.end, `${style.newline}${indent}${sf.text.slice(statement.getStart(sf), at)}${fresh}${style.semi}`, prefixRank(statement.end)),
      ];
    }
    return [
      insertion(file, at, `[]${style.semi}${style.newline}${indent}for (const ${binding.text} of `, prefixRank(statement.end + 1)),
      ...flatMapLoopText(fn, call, target, item, style, statement.end),
    ];
  }

  private mapLoopEdits(fn: ts.ArrowFunction, call: ts.CallExpression, declaration: ts.VariableDeclaration | ts.ReturnStatement): TextEdit[] {
    const sf = fn.getSourceFile();
    const file = sf.fileName;
    const { receiver, edits: helper } = loopSource(call, fn, sf);
    const binding = loopBinding(fn, sf);
    const style = this.context.planner.style(sf);
    if (ts.isReturnStatement(declaration)) {
      // return list.map(v => f(v))  →  const results = []; for (const v of list) results.push(await f(v)); return results;
      const indent = lineIndent(sf, declaration.getStart(sf));
      const target = this.context.planner.freeName(sf, 'results', `results:${declaration.pos}`);
      if (ts.isBlock(fn.body)) {
        return [
          ...helper,
          replacement(file, declaration.getStart(sf), call.getStart(sf), `const ${target} = []${style.semi}${style.newline}${indent}for (const ${binding.text} of `),
          replacement(file, receiver.end, fn.body.getStart(sf), `${binding.entries ? '.entries()' : ''}) `),
          replacement(file, fn.body.end, declaration.end, ''),
          ...pushReturnEdits(fn.body, target, style.semi, sf),
          insertion(file, declaration.end, `${style.newline}${indent}return ${target}${style.semi}`, prefixRank(declaration.end)),
        ];
      }
      return [
        ...helper,
        replacement(file, declaration.getStart(sf), call.getStart(sf), `const ${target} = []${style.semi}${style.newline}${indent}for (const ${binding.text} of `),
        replacement(file, receiver.end, fn.body.getStart(sf), `${binding.entries ? '.entries()' : ''}) ${target}.push(`),
        replacement(file, fn.body.end, call.end, ')'),
        insertion(file, declaration.end, `${style.newline}${indent}return ${target}${style.semi}`, prefixRank(declaration.end)),
      ];
    }
    const statement = declaration.parent.parent;
    const indent = lineIndent(sf, statement.getStart(sf));
    const target = (declaration.name as ts.Identifier).text;
    if (ts.isBlock(fn.body)) {
      // const xs = list.map(v => { …; return f(v); })  →  const xs = []; for (const v of list) { …; xs.push(f(v)); }
      return [
        ...helper,
        insertion(file, call.getStart(sf), `[]${style.semi}${style.newline}${indent}for (const ${binding.text} of `, prefixRank(statement.end + 1)),
        replacement(file, receiver.end, fn.body.getStart(sf), `${binding.entries ? '.entries()' : ''}) `),
        replacement(file, fn.body.end, statement.end, ''),
        ...pushReturnEdits(fn.body, target, style.semi, sf),
      ];
    }
    return [
      ...helper,
      insertion(file, call.getStart(sf), `[]${style.semi}${style.newline}${indent}for (const ${binding.text} of `, prefixRank(statement.end + 1)),
      replacement(file, receiver.end, fn.body.getStart(sf), `${binding.entries ? '.entries()' : ''}) ${target}.push(`),
      replacement(file, fn.body.end, call.end, ')'),
    ];
  }
}

/**
 * The returns of a map callback's block turned loop body: each pushes its value; all but the last
 * statement then go on to the next element (`{ xs.push(v); continue; }`).
 */
function pushReturnEdits(body: ts.Block, target: string, semi: string, sf: ts.SourceFile): TextEdit[] {
  const file = sf.fileName;
  const last = body.statements[body.statements.length - 1];
  return ownReturns(body).flatMap((ret) => {
    const value = ret.expression!;
    const closing = ret.getText(sf).trimEnd().endsWith(';') ? ';' : semi;
    if (ret === last) {
      return [replacement(file, ret.getStart(sf), value.getStart(sf), `${target}.push(`), replacement(file, value.end, ret.end, `)${closing}`)];
    }
    return [replacement(file, ret.getStart(sf), value.getStart(sf), `{ ${target}.push(`), replacement(file, value.end, ret.end, `); continue${closing} }`)];
  });
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

/** The options of an exec/execFile call as the async form needs them (see execOptions.ts). */
function execOptionEdits(plan: ExecPlan, sf: ts.SourceFile): TextEdit[] {
  const file = sf.fileName;
  const edits: TextEdit[] = [];
  const options = plan.dropArgument === undefined ? plan.options : undefined;
  if (plan.dropArgument !== undefined) edits.push(replacement(file, plan.before.end, plan.dropArgument.end, ''));
  for (const element of plan.dropProperties) {
    const literal = element.parent as ts.ObjectLiteralExpression;
    const index = literal.properties.indexOf(element);
    const next = literal.properties[index + 1];
    const previous = literal.properties[index - 1];
    if (next !== undefined) edits.push(replacement(file, element.getStart(sf), next.getStart(sf), ''));
    else if (previous !== undefined) edits.push(replacement(file, previous.end, literal.properties.hasTrailingComma ? literal.properties.end : element.end, ''));
  }
  if (plan.keepBuffer) {
    if (options === undefined) {
      edits.push(insertion(file, plan.before.end, `, { encoding: 'buffer' }`, suffixRank(plan.before.getStart(sf))));
    } else {
      let inner: ts.Expression = options;
      while (ts.isParenthesizedExpression(inner)) inner = inner.expression;
      if (ts.isObjectLiteralExpression(inner)) {
        const open = inner.getStart(sf) + 1;
        const remaining = inner.properties.filter((p) => !plan.dropProperties.includes(p));
        edits.push(insertion(file, open, remaining.length === 0 ? ` encoding: 'buffer' ` : ` encoding: 'buffer',`, prefixRank(open)));
      } else {
        edits.push(insertion(file, options.getStart(sf), '{ ...', prefixRank(options.end)));
        edits.push(insertion(file, options.end, `, encoding: 'buffer' }`, suffixRank(options.getStart(sf))));
      }
    }
  }
  return edits;
}
