import { ts } from 'ts-morph';
import { awaitBlocker, wrapEdits } from '../../shared/syntax.js';
import { replacement, type TextEdit } from '../../textEdit.js';
import { ownReturns, usesThisOrArguments } from './predicates.js';

/**
 * Array methods whose callback decides a result (find, findIndex, some, every, filter): with an
 * async callback they become a sequential for…of inside an awaited async arrow, so the result is
 * the same value, found in the same order, stopping at the same element:
 *
 *   const hit = list.find((p) => existsSync(p))
 *   const hit = await (async () => { for (const p of list) if (await pathExists(p)) return p; return undefined; })()
 *
 * The arrow keeps `this`, `arguments` and `super` of the function around it, and `return` inside
 * it ends the search wherever the call stands (a declaration, a condition, an operand).
 */
export type SearchMethod = 'find' | 'findIndex' | 'some' | 'every' | 'filter';

export const SEARCH_METHODS: ReadonlySet<string> = new Set<SearchMethod>(['find', 'findIndex', 'some', 'every', 'filter']);

type Callback = ts.ArrowFunction | ts.FunctionExpression;

/** What the loop does when the callback's result is known (`hit`), per method; `end` is the result when no element decides. */
const OUTCOME: Record<SearchMethod, { end: string }> = {
  find: { end: 'undefined' },
  findIndex: { end: '-1' },
  some: { end: 'false' },
  every: { end: 'true' },
  filter: { end: '' },
};

/** Why `list.method(fn)` can't become a sequential search loop (undefined when it can). */
export function searchLoopProblem(fn: Callback, call: ts.CallExpression, method: SearchMethod): string | undefined {
  const callee = call.expression as ts.PropertyAccessExpression;
  if (call.arguments.length !== 1) return `${method} with a thisArg`;
  if (call.questionDotToken !== undefined || callee.questionDotToken !== undefined || ts.isOptionalChain(call)) return `optional call ?.${method}`;
  if (fn.typeParameters !== undefined) return `${method} callback has type parameters`;
  if (ts.isFunctionExpression(fn) && (fn.name !== undefined || usesThisOrArguments(fn.body))) {
    return `${method} callback is a function that uses this/arguments or its own name`;
  }
  if (fn.parameters.length > 2 || fn.parameters.some((p) => p.initializer !== undefined || p.dotDotDotToken !== undefined)) {
    return `${method} callback takes the array argument, a default or a rest parameter`;
  }
  const [value, index] = fn.parameters;
  if ((method === 'find' || method === 'filter') && (value === undefined || !ts.isIdentifier(value.name))) {
    return `${method} callback must name its element with a plain parameter (the loop returns that element)`;
  }
  if (index !== undefined && !ts.isIdentifier(index.name)) return `${method} callback destructures the index`;
  const names = new Set(fn.parameters.flatMap((p) => boundNames(p.name)));
  if (assignsAny(fn.body, names)) return `${method} callback assigns to its parameter`;
  if (ts.isBlock(fn.body)) {
    if (hasOwnVarOrFunction(fn.body)) return `${method} callback declares a var or a function (its scope would span the loop)`;
    const returns = ownReturns(fn.body);
    for (const ret of returns) {
      if (jumpsToNext(ret, fn.body, method) && insideLoopOrLabel(ret, fn.body)) {
        return `${method} callback returns from inside a loop of its own (a continue there would resume the inner loop)`;
      }
    }
    if (method === 'every') {
      const last = fn.body.statements[fn.body.statements.length - 1];
      if (last === undefined || !ts.isReturnStatement(last)) return 'every callback may end without a return (undefined stops every)';
    }
  }
  const receiver = callee.expression;
  const root = receiverName(receiver);
  if (root !== undefined && mentions(fn.body, root)) return `${method} callback reads ${root}, the array it iterates (a change to it during the awaits would change the loop)`;
  const blocker = awaitBlocker(call);
  if (blocker !== undefined) return `${method} runs in ${blocker}`;
  return undefined;
}

export interface SearchLoopNames {
  /** The loop's element binding when the callback has no value parameter. */
  value: () => string;
  /** The index binding when findIndex's callback has no index parameter. */
  index: () => string;
  /** filter's result array. */
  results: () => string;
}

/** The edits turning `list.method(fn)` into the awaited async arrow with the loop. */
export function searchLoopEdits(fn: Callback, call: ts.CallExpression, method: SearchMethod, names: SearchLoopNames): TextEdit[] {
  const sf = fn.getSourceFile();
  const file = sf.fileName;
  const receiver = (call.expression as ts.PropertyAccessExpression).expression;
  const [valueParam, indexParam] = fn.parameters;
  const value = valueParam !== undefined ? valueParam.name.getText(sf) : names.value();
  const index = indexParam !== undefined ? indexParam.name.getText(sf) : method === 'findIndex' ? names.index() : undefined;
  const binding = index !== undefined ? `[${index}, ${value}]` : value;
  const results = method === 'filter' ? names.results() : '';
  const decided = (expression: string): string => {
    switch (method) {
      case 'find': return `if (${expression}) return ${value}`;
      case 'findIndex': return `if (${expression}) return ${index!}`;
      case 'some': return `if (${expression}) return true`;
      case 'every': return `if (!(${expression})) return false`;
      case 'filter': return `if (${expression}) ${results}.push(${value})`;
    }
  };
  const end = method === 'filter' ? `return ${results};` : `return ${OUTCOME[method].end};`;
  const open = `await (async () => { ${method === 'filter' ? `const ${results} = []; ` : ''}for (const ${binding} of `;
  const edits: TextEdit[] = [...wrapEdits(call, sf, open, '', true)];
  const entries = index !== undefined ? '.entries()' : '';
  if (!ts.isBlock(fn.body)) {
    const [before, after] = decided('\u0000').split('\u0000') as [string, string];
    edits.push(replacement(file, receiver.end, fn.body.getStart(sf), `${entries}) ${before}`));
    edits.push(replacement(file, fn.body.end, call.end, `${after}; ${end} })()`));
    return edits;
  }
  edits.push(replacement(file, receiver.end, fn.body.getStart(sf), `${entries}) `));
  for (const ret of ownReturns(fn.body)) {
    const semi = ret.getText(sf).trimEnd().endsWith(';') ? ';' : '';
    const braces = !isStatementListMember(ret);
    const more = !isTail(ret, fn.body);
    let text: string;
    const known = ret.expression === undefined ? false : literalTruth(ret.expression);
    if (known === false || (known === true && method === 'every')) {
      // No value to test: a falsy result moves on (every stops), every's truthy result moves on.
      text = method === 'every' && known === false ? `return false${semi}` : `continue${semi}`;
      edits.push(replacement(file, ret.getStart(sf), ret.end, text));
      continue;
    }
    if (known === true) {
      const taken = method === 'find' ? `return ${value}` : method === 'findIndex' ? `return ${index!}`
        : method === 'some' ? 'return true' : `${results}.push(${value})`;
      text = method === 'filter' && !isTail(ret, fn.body) ? `{ ${taken}; continue; }` : braces ? `{ ${taken}; }` : `${taken}${semi}`;
      edits.push(replacement(file, ret.getStart(sf), ret.end, text));
      continue;
    }
    if (ret.expression === undefined) continue;
    const [before, after] = decided('\u0000').split('\u0000') as [string, string];
    const open = braces || more ? '{ ' : '';
    const close = more ? `; continue; }` : braces ? '; }' : semi;
    edits.push(replacement(file, ret.getStart(sf), ret.expression.getStart(sf), `${open}${before}`));
    edits.push(replacement(file, ret.expression.end, ret.end, `${after}${close}`));
  }
  edits.push(replacement(file, fn.body.end, call.end, ` ${end} })()`));
  return edits;
}

/** The callback's last statement: after it the loop moves on by itself. */
function isTail(ret: ts.ReturnStatement, body: ts.Block): boolean {
  return ret.parent === body && body.statements[body.statements.length - 1] === ret;
}

/**
 * Whether the rewritten `return` moves to the next element with `continue` (every's bare `return`
 * becomes `return false` instead; a valued `return` as the last statement needs no jump).
 */
function jumpsToNext(ret: ts.ReturnStatement, body: ts.Block, method: SearchMethod): boolean {
  const known = ret.expression === undefined ? false : literalTruth(ret.expression);
  if (known === false) return method !== 'every';
  if (known === true) return method === 'every' || (method === 'filter' && !isTail(ret, body));
  return !isTail(ret, body);
}

/** The truth of a literal result (`true`, `false`, `null`, `0`, `''`, `1`, `'x'`), else undefined. */
function literalTruth(expression: ts.Expression): boolean | undefined {
  let node = expression;
  while (ts.isParenthesizedExpression(node)) node = node.expression;
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (node.kind === ts.SyntaxKind.FalseKeyword || node.kind === ts.SyntaxKind.NullKeyword) return false;
  if (ts.isNumericLiteral(node)) return Number(node.text) !== 0;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text !== '';
  return undefined;
}

function isStatementListMember(statement: ts.Statement): boolean {
  const parent = statement.parent;
  return ts.isBlock(parent) || ts.isCaseClause(parent) || ts.isDefaultClause(parent) || ts.isSourceFile(parent) || ts.isModuleBlock(parent);
}

export function insideLoopOrLabel(node: ts.Node, body: ts.Block): boolean {
  for (let current = node.parent; current !== body; current = current.parent) {
    if (ts.isIterationStatement(current, false) || ts.isLabeledStatement(current)) return true;
  }
  return false;
}

export function boundNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((element) => ts.isOmittedExpression(element) ? [] : boundNames(element.name));
}

/** An assignment (or ++/--) to one of `names` anywhere in `node`, nested functions included. */
export function assignsAny(node: ts.Node, names: ReadonlySet<string>): boolean {
  let found = false;
  const target = (expression: ts.Expression): boolean => ts.isIdentifier(expression) && names.has(expression.text);
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      n.operatorToken.kind <= ts.SyntaxKind.LastAssignment && (target(n.left) || ts.isObjectLiteralExpression(n.left) || ts.isArrayLiteralExpression(n.left))) found = true;
    if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) &&
      (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken) && target(n.operand)) found = true;
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

export function hasOwnVarOrFunction(body: ts.Block): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isFunctionDeclaration(n)) {
      found = true;
      return;
    }
    if (ts.isVariableDeclarationList(n) && (n.flags & ts.NodeFlags.BlockScoped) === 0) found = true;
    if (ts.isFunctionLike(n) || ts.isClassLike(n)) return;
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
  return found;
}

/** The name a change to the receiver would go through: `list` in `list`, `this.list`, `a.b.list`. */
function receiverName(receiver: ts.Expression): string | undefined {
  let node = receiver;
  while (ts.isParenthesizedExpression(node) || ts.isNonNullExpression(node)) node = node.expression;
  if (ts.isIdentifier(node)) return node.text;
  if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.name)) return node.name.text;
  return undefined;
}

function mentions(node: ts.Node, name: string): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && n.text === name) found = true;
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}
