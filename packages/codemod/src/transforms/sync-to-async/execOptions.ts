import { ts } from 'ts-morph';
import { isTypeOnlyWrapper } from '../../shared/syntax.js';

/**
 * How an `execSync`/`execFileSync` call's options carry over to the promisified `exec`/`execFile`.
 *
 * The two differ in three ways that change behaviour when ignored:
 * - `stdio`: the sync forms take it, `exec`/`execFile` ignore it and always pipe all three streams.
 *   All-pipe values (`'pipe'`, `[]`, `['pipe', 'pipe']`, `undefined`, …) mean the same thing on
 *   both sides and are dropped (the typings of `exec` have no `stdio`); anything else (`'inherit'`
 *   prints to this process's terminal, `'ignore'` discards) has no `exec` equivalent.
 * - `encoding`: without one, the sync forms return a Buffer while `exec` decodes stdout as UTF-8.
 *   Where the result is used, `encoding: 'buffer'` keeps it a Buffer.
 * - errors: the sync forms throw an error with `status` (the exit code); `exec` rejects with one
 *   whose `code` is the exit code and that has no `status`.
 *
 * The options are read statically: an object literal at the call, or a `const` it names (also
 * through an import), with spreads followed the same way.
 */
export interface ExecPlan {
  /** The options argument to delete (with its leading comma): it held nothing but an all-pipe `stdio`. */
  dropArgument?: ts.Expression;
  /** Properties to delete from the object literal written at the call (an all-pipe `stdio`). */
  dropProperties: ts.ObjectLiteralElementLike[];
  /** The result is used and would turn from a Buffer into a string: add `encoding: 'buffer'`. */
  keepBuffer: boolean;
  /** The options argument as written (undefined when the call has none). */
  options?: ts.Expression;
  /** The last argument before the options (where a new options argument goes). */
  before: ts.Expression;
  /** What the plan does, for the change description. */
  notes: string[];
}

interface ObjectValue {
  props: Map<string, { value: ts.Expression; element: ts.ObjectLiteralElementLike; local: boolean }>;
  /** False when some property may exist that we can't see (a computed key, a spread we can't read). */
  complete: boolean;
}

type Tri = 'yes' | 'no' | 'unknown';

export function planExec(call: ts.CallExpression, sync: string, checker: ts.TypeChecker): ExecPlan | string {
  const index = optionsIndex(call, sync, checker);
  const options = index === undefined ? undefined : call.arguments[index];
  const before = call.arguments[(index ?? call.arguments.length) - 1] ?? call.arguments[0]!;
  const plan: ExecPlan = { dropProperties: [], keepBuffer: false, options, before, notes: [] };
  // 'yes': the sync call returns a Buffer and exec would not; 'no-change': both return the same kind.
  let encoding: Tri | 'no-change' = 'yes';
  if (options !== undefined) {
    const object = readObject(options, checker, true, 0);
    if (object === undefined || !object.complete) {
      const type = checker.getTypeAtLocation(options);
      const hidden = ['stdio', 'input'].find((name) => type.getProperty(name) !== undefined);
      if (hidden !== undefined || object === undefined && (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0) {
        return `${sync}'s options (${short(options)}) may set \`${hidden ?? 'stdio'}\`, which exec/execFile don't take, and they can't be read statically; convert it by hand`;
      }
    }
    const input = object?.props.get('input');
    if (input !== undefined) return `${sync} with the \`input\` option (stdin text) has no exec/execFile equivalent; convert it by hand (spawn)`;
    const stdio = object?.props.get('stdio');
    if (stdio !== undefined) {
      const pipe = allPipe(stdio.value, checker, 0);
      if (pipe !== 'yes') {
        return pipe === 'no'
          ? `${sync} with \`stdio: ${short(stdio.value)}\`: exec/execFile always pipe the child's output into a buffer (no 'inherit' or 'ignore'); convert it by hand (spawn)`
          : `${sync} with \`stdio: ${short(stdio.value)}\`, which can't be read statically; exec/execFile always pipe, so only an all-'pipe' stdio converts; convert it by hand`;
      }
      if (stdio.local) {
        if (object!.props.size === 1 && object!.complete && ts.isObjectLiteralExpression(skipOuter(options))) plan.dropArgument = options;
        else plan.dropProperties.push(stdio.element);
      } else if (object!.props.size === 1 && object!.complete) {
        plan.dropArgument = options;
      } else {
        // The stdio sits in a shared object with other options: pass the object as is (the
        // checker accepts it, exec ignores stdio). A literal at the call can't hold it: excess property.
      }
      plan.notes.push(`stdio ${short(stdio.value)} dropped: exec always pipes`);
    }
    const declared = object?.props.get('encoding');
    // A declared encoding means the same on both sides ('buffer'/null: a Buffer, else a string).
    encoding = declared !== undefined ? returnsBuffer(declared.value, checker, 0) === 'unknown' ? 'unknown' : 'no-change'
      : object?.complete === true ? 'yes' : 'unknown';
  }
  if (isResultUsed(call) && !convertedToString(call)) {
    if (encoding === 'unknown') {
      return `${sync}'s result is used and its \`encoding\` can't be read statically: without one ${sync} returns a Buffer where exec resolves to a string; convert it by hand`;
    }
    if (encoding === 'yes') {
      plan.keepBuffer = true;
      plan.notes.push(`encoding: 'buffer' keeps the Buffer ${sync} returned`);
    }
  }
  const catchReadsStatus = enclosingCatchReadsStatus(call);
  if (catchReadsStatus !== undefined) {
    return `${sync} is inside a try whose catch reads \`${catchReadsStatus}\`: exec/execFile reject with the exit code in \`code\`, not \`status\`; convert it by hand`;
  }
  return plan;
}

/** Where the options argument is: execSync(cmd, options); execFileSync(file, args?, options?). */
function optionsIndex(call: ts.CallExpression, sync: string, checker: ts.TypeChecker): number | undefined {
  if (sync === 'execSync') return call.arguments.length > 1 ? 1 : undefined;
  if (call.arguments.length > 2) return 2;
  const second = call.arguments[1];
  if (second === undefined) return undefined;
  const inner = skipOuter(second);
  if (ts.isArrayLiteralExpression(inner)) return undefined;
  if (ts.isObjectLiteralExpression(inner)) return 1;
  return checker.isArrayLikeType(checker.getTypeAtLocation(second)) ? undefined : 1;
}

function readObject(expression: ts.Expression, checker: ts.TypeChecker, local: boolean, depth: number): ObjectValue | undefined {
  if (depth > 8) return undefined;
  const node = skipOuter(expression);
  if (ts.isObjectLiteralExpression(node)) {
    const value: ObjectValue = { props: new Map(), complete: true };
    for (const element of node.properties) {
      if (ts.isSpreadAssignment(element)) {
        const spread = readObject(element.expression, checker, false, depth + 1);
        if (spread === undefined) {
          value.complete = false;
          continue;
        }
        for (const [key, prop] of spread.props) value.props.set(key, { ...prop, local: false });
        value.complete &&= spread.complete;
        continue;
      }
      const name = element.name && (ts.isIdentifier(element.name) || ts.isStringLiteral(element.name)) ? element.name.text : undefined;
      if (name === undefined) {
        value.complete = false;
        continue;
      }
      if (ts.isPropertyAssignment(element)) value.props.set(name, { value: element.initializer, element, local });
      else if (ts.isShorthandPropertyAssignment(element)) value.props.set(name, { value: element.name, element, local });
      else value.complete = false; // a method or accessor named like an option
    }
    return value;
  }
  const initializer = constInitializer(node, checker);
  return initializer === undefined ? undefined : readObject(initializer, checker, false, depth + 1);
}

/** The initializer of the `const` an identifier names (through imports), else undefined. */
function constInitializer(node: ts.Expression, checker: ts.TypeChecker): ts.Expression | undefined {
  if (!ts.isIdentifier(node)) return undefined;
  let symbol = checker.getSymbolAtLocation(node);
  if (symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.declarations?.length === 1 ? symbol.declarations[0] : undefined;
  if (declaration === undefined || !ts.isVariableDeclaration(declaration) || declaration.initializer === undefined) return undefined;
  if (!ts.isIdentifier(declaration.name)) return undefined;
  const list = declaration.parent;
  if (!ts.isVariableDeclarationList(list) || (list.flags & ts.NodeFlags.Const) === 0) return undefined;
  return declaration.initializer;
}

/** Every stream a pipe: what exec/execFile always do. */
function allPipe(expression: ts.Expression, checker: ts.TypeChecker, depth: number): Tri {
  if (depth > 8) return 'unknown';
  const node = skipOuter(expression);
  if (isNullish(node)) return 'yes';
  if (ts.isStringLiteralLike(node)) return node.text === 'pipe' || node.text === 'overlapped' ? 'yes' : 'no';
  if (ts.isArrayLiteralExpression(node)) {
    if (node.elements.length > 3) return 'no';
    let result: Tri = 'yes';
    for (const element of node.elements) {
      if (ts.isOmittedExpression(element)) continue;
      const entry = allPipe(element, checker, depth + 1);
      if (entry === 'no') return 'no';
      if (entry === 'unknown') result = 'unknown';
    }
    return result;
  }
  if (ts.isConditionalExpression(node)) return both(allPipe(node.whenTrue, checker, depth + 1), allPipe(node.whenFalse, checker, depth + 1));
  if (ts.isNumericLiteral(node) || node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword) return 'no';
  const initializer = constInitializer(node, checker);
  return initializer === undefined ? 'unknown' : allPipe(initializer, checker, depth + 1);
}

/** Does this `encoding` value make the sync call return a Buffer? */
function returnsBuffer(expression: ts.Expression, checker: ts.TypeChecker, depth: number): Tri {
  if (depth > 8) return 'unknown';
  const node = skipOuter(expression);
  if (isNullish(node)) return 'yes';
  if (ts.isStringLiteralLike(node)) return node.text === 'buffer' ? 'yes' : 'no';
  if (ts.isConditionalExpression(node)) {
    const a = returnsBuffer(node.whenTrue, checker, depth + 1);
    const b = returnsBuffer(node.whenFalse, checker, depth + 1);
    return a === b ? a : 'unknown';
  }
  const initializer = constInitializer(node, checker);
  return initializer === undefined ? 'unknown' : returnsBuffer(initializer, checker, depth + 1);
}

function both(a: Tri, b: Tri): Tri {
  return a === 'no' || b === 'no' ? 'no' : a === 'unknown' || b === 'unknown' ? 'unknown' : 'yes';
}

function isNullish(node: ts.Expression): boolean {
  return node.kind === ts.SyntaxKind.NullKeyword || ts.isIdentifier(node) && node.text === 'undefined'
    || ts.isVoidExpression(node);
}

function skipOuter(expression: ts.Expression): ts.Expression {
  let node = expression;
  while (ts.isParenthesizedExpression(node) || isTypeOnlyWrapper(node)) node = node.expression;
  return node;
}

export function isResultUsed(call: ts.CallExpression): boolean {
  let node: ts.Node = call;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if (ts.isExpressionStatement(parent) || ts.isVoidExpression(parent)) return false;
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.CommaToken && parent.left === node) return false;
  return true;
}

/** `execSync(…).toString()` (or with 'utf8'): the same string whether the result was a Buffer or a string. */
function convertedToString(call: ts.CallExpression): boolean {
  let node: ts.Node = call;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const access = node.parent;
  if (!ts.isPropertyAccessExpression(access) || access.expression !== node || access.name.text !== 'toString') return false;
  const invoke = access.parent;
  if (!ts.isCallExpression(invoke) || invoke.expression !== access) return false;
  const [argument] = invoke.arguments;
  return invoke.arguments.length === 0 || invoke.arguments.length === 1 && ts.isStringLiteralLike(argument!) && /^utf-?8$/i.test(argument.text);
}

/** A catch clause (of a try the call sits in, within its function) that reads `.status` or `.signal`-free exit info. */
function enclosingCatchReadsStatus(call: ts.CallExpression): string | undefined {
  for (let node: ts.Node = call; !ts.isSourceFile(node) && !ts.isFunctionLike(node); node = node.parent) {
    const parent = node.parent;
    if (ts.isTryStatement(parent) && parent.tryBlock === node && parent.catchClause) {
      const variable = parent.catchClause.variableDeclaration?.name;
      if (variable === undefined || !ts.isIdentifier(variable)) continue;
      let found: string | undefined;
      const visit = (n: ts.Node): void => {
        if (found) return;
        if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === variable.text && n.name.text === 'status') {
          found = `${variable.text}.status`;
          return;
        }
        ts.forEachChild(n, visit);
      };
      visit(parent.catchClause.block);
      if (found) return found;
    }
  }
  return undefined;
}

function short(node: ts.Node): string {
  const text = node.getText().replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
