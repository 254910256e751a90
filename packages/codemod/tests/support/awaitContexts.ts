import fc from 'fast-check';

/**
 * Generated expressions around one target call, for the property tests of `awaitEdits`. Each
 * context is a template with a hole; the expression in the hole gets parentheses when its
 * precedence is below what the hole takes (or at random, to cover `await (f())`), so the generated
 * source parses and keeps the target a call.
 */

/** Precedence levels, JavaScript's order: a bigger number binds tighter. */
export const PREC = {
  comma: 0, assign: 1, nullish: 2, or: 3, and: 4, bitOr: 5, equality: 8, relational: 9, shift: 10, additive: 11,
  multiplicative: 12, exponent: 13, unary: 15, lhs: 16, always: 99,
} as const;

export interface Expr {
  text: string;
  prec: number;
  /** An unparenthesised optional chain (`o?.f()`): not allowed as a tag. */
  chain: boolean;
  /** Starts with `{`, `function` or `class` (needs parentheses as a statement or arrow body). */
  braceStart: boolean;
}

export interface Context {
  name: string;
  /** Where the context may stand: inside an async function body only (`parse`), or also in the end-to-end sync-to-async runs. */
  sync: boolean;
  hole: number;
  prec: number;
  make(inner: string): string;
  /** The hole takes no optional chain (tagged templates). */
  noChain?: boolean;
  /** The hole takes nothing that starts with `{`, `function` or `class` (arrow concise bodies). */
  noBrace?: boolean;
}

const binary = (op: string, prec: number, rightAssoc = false): Context[] => [
  { name: `left of ${op}`, sync: true, hole: rightAssoc ? PREC.lhs : prec, prec, make: (x) => `${x} ${op} o` },
  { name: `right of ${op}`, sync: true, hole: rightAssoc ? prec : prec + 1, prec, make: (x) => `o ${op} ${x}` },
];

export const CONTEXTS: readonly Context[] = [
  { name: 'condition', sync: true, hole: PREC.nullish, prec: PREC.assign, make: (x) => `${x} ? o : o` },
  { name: 'when true', sync: true, hole: PREC.assign, prec: PREC.assign, make: (x) => `o ? ${x} : o` },
  { name: 'when false', sync: true, hole: PREC.assign, prec: PREC.assign, make: (x) => `o ? o : ${x}` },
  ...binary('||', PREC.or), ...binary('&&', PREC.and),
  // `??` does not mix with `||`/`&&` unparenthesised: its holes take only bitwise-or and tighter.
  { name: 'left of ??', sync: true, hole: PREC.bitOr, prec: PREC.nullish, make: (x) => `${x} ?? o` },
  { name: 'right of ??', sync: true, hole: PREC.bitOr, prec: PREC.nullish, make: (x) => `o ?? ${x}` },
  ...binary('|', PREC.bitOr), ...binary('===', PREC.equality), ...binary('<', PREC.relational),
  ...binary('in', PREC.relational), ...binary('instanceof', PREC.relational), ...binary('<<', PREC.shift),
  ...binary('+', PREC.additive), ...binary('*', PREC.multiplicative), ...binary('**', PREC.exponent, true),
  { name: 'as', sync: true, hole: PREC.relational, prec: PREC.relational, make: (x) => `${x} as any` },
  { name: 'satisfies', sync: true, hole: PREC.relational, prec: PREC.relational, make: (x) => `${x} satisfies unknown` },
  { name: 'type assertion', sync: true, hole: PREC.unary, prec: PREC.unary, make: (x) => `<any>${x}` },
  { name: 'comma left', sync: true, hole: PREC.assign, prec: PREC.lhs, make: (x) => `(${x}, o)` },
  { name: 'comma right', sync: true, hole: PREC.assign, prec: PREC.lhs, make: (x) => `(o, ${x})` },
  { name: 'assignment', sync: true, hole: PREC.assign, prec: PREC.assign, make: (x) => `o.p = ${x}` },
  { name: 'compound assignment', sync: true, hole: PREC.assign, prec: PREC.assign, make: (x) => `o.p ??= ${x}` },
  { name: 'new argument', sync: true, hole: PREC.assign, prec: PREC.lhs, make: (x) => `new C(${x})` },
  { name: 'new callee', sync: true, hole: PREC.always, prec: PREC.lhs, make: (x) => `new ${x}()` },
  { name: 'member', sync: true, hole: PREC.lhs, prec: PREC.lhs, make: (x) => `${x}.g` },
  { name: 'element', sync: true, hole: PREC.lhs, prec: PREC.lhs, make: (x) => `${x}[0]` },
  { name: 'call of result', sync: true, hole: PREC.lhs, prec: PREC.lhs, make: (x) => `${x}()` },
  { name: 'method of result', sync: true, hole: PREC.lhs, prec: PREC.lhs, make: (x) => `${x}.m(o)` },
  { name: 'tagged template', sync: true, hole: PREC.lhs, prec: PREC.lhs, noChain: true, make: (x) => `${x}\`t\`` },
  { name: 'non-null', sync: true, hole: PREC.lhs, prec: PREC.lhs, make: (x) => `${x}!` },
  { name: 'non-null member', sync: true, hole: PREC.lhs, prec: PREC.lhs, make: (x) => `${x}!.g` },
  { name: 'optional member', sync: true, hole: PREC.lhs, prec: PREC.lhs, make: (x) => `${x}?.g` },
  { name: 'optional call', sync: true, hole: PREC.lhs, prec: PREC.lhs, make: (x) => `${x}?.()` },
  { name: 'optional element', sync: true, hole: PREC.lhs, prec: PREC.lhs, make: (x) => `${x}?.[0]` },
  { name: 'then receiver', sync: true, hole: PREC.lhs, prec: PREC.lhs, make: (x) => `${x}.then(o)` },
  { name: 'call argument', sync: true, hole: PREC.assign, prec: PREC.lhs, make: (x) => `o.h(o, ${x})` },
  { name: 'spread argument', sync: true, hole: PREC.assign, prec: PREC.lhs, make: (x) => `o.h(...${x})` },
  { name: 'array spread', sync: true, hole: PREC.assign, prec: PREC.lhs, make: (x) => `[o, ...${x}]` },
  { name: 'template span', sync: true, hole: PREC.comma, prec: PREC.lhs, make: (x) => `\`a\${${x}}b\`` },
  { name: 'tagged template span', sync: true, hole: PREC.comma, prec: PREC.lhs, make: (x) => `o.t\`a\${${x}}b\`` },
  { name: 'typeof', sync: true, hole: PREC.unary, prec: PREC.unary, make: (x) => `typeof ${x}` },
  { name: 'not', sync: true, hole: PREC.unary, prec: PREC.unary, make: (x) => `!${x}` },
  { name: 'minus', sync: true, hole: PREC.unary, prec: PREC.unary, make: (x) => `- ${x}` },
  { name: 'void', sync: true, hole: PREC.unary, prec: PREC.unary, make: (x) => `void ${x}` },
  { name: 'awaited', sync: false, hole: PREC.unary, prec: PREC.unary, make: (x) => `await ${x}` },
  { name: 'delete', sync: true, hole: PREC.lhs, prec: PREC.unary, make: (x) => `delete ${x}.p` },
  { name: 'property value', sync: true, hole: PREC.assign, prec: PREC.lhs, make: (x) => `({ k: ${x} })` },
  { name: 'computed key', sync: true, hole: PREC.assign, prec: PREC.lhs, make: (x) => `({ [${x}]: 1 })` },
  { name: 'array element', sync: true, hole: PREC.assign, prec: PREC.lhs, make: (x) => `[o, ${x}]` },
  { name: 'class heritage', sync: false, hole: PREC.lhs, prec: PREC.lhs, noChain: true, make: (x) => `(class extends ${x} {})` },
  { name: 'arrow body', sync: false, hole: PREC.assign, prec: PREC.assign, noBrace: true, make: (x) => `async () => ${x}` },
  { name: 'arrow object body', sync: false, hole: PREC.assign, prec: PREC.assign, make: (x) => `async () => ({ k: ${x} })` },
];

/** How the target call is written: a plain call, a method call, or a call inside an optional chain. */
export const TARGET_FORMS: readonly string[] = ['target()', 'o.target(1)', 'o?.target()', 'o?.p.target()', 'o.p?.target(o)'];

/**
 * The expression as a statement after a line without `;`: braced starts get parentheses, and a
 * start that would continue the previous line gets the `;` a careful author writes.
 */
function lead(e: Expr): string {
  const text = e.braceStart ? `(${e.text})` : e.text;
  return /^[[(`+\-/<]/.test(text) ? `;${text}` : text;
}

/** Statements the expression can stand in, after a previous statement without `;` (ASI hazards). */
export const STATEMENTS: ReadonlyArray<{ name: string; sync: boolean; make(expr: Expr): string }> = [
  { name: 'expression statement', sync: true, make: (e) => `o.q = o\n  ${lead(e)}` },
  { name: 'expression statement with ;', sync: true, make: (e) => `o.q = o;\n  ${lead(e)};` },
  { name: 'statement after if', sync: true, make: (e) => `if (o) o.q = o\n  ${lead(e)}` },
  { name: 'statement in case', sync: true, make: (e) => `switch (o) {\n    case 1:\n      o.q = o\n      ${lead(e)}\n  }` },
  { name: 'if body', sync: true, make: (e) => `if (o)\n    ${lead(e)}` },
  { name: 'const', sync: true, make: (e) => `const v = ${e.text}\n  o.q = v` },
  { name: 'return', sync: true, make: (e) => `return ${e.text}` },
  { name: 'return in try', sync: true, make: (e) => `try {\n    return ${e.text}\n  } finally {\n    o.q = o\n  }` },
  { name: 'throw', sync: true, make: (e) => `throw ${e.text}` },
  { name: 'for of', sync: true, make: (e) => `for (const k of ${e.text}) o.q = k` },
  { name: 'yield', sync: false, make: (e) => `yield ${e.text}` },
  { name: 'decorator', sync: false, make: (e) => `o.q = class {\n    @(${e.text}) m() {}\n  }` },
];

export interface Generated {
  expr: Expr;
  contexts: string[];
  statement: string;
  body: string;
}

function wrap(inner: Expr, context: Context, parens: boolean): Expr {
  const needs = parens || inner.prec < context.hole || (context.noChain === true && inner.chain) ||
    (context.noBrace === true && inner.braceStart);
  let hole = needs ? `(${inner.text})` : inner.text;
  // TypeScript's parser takes `o << (<any>(x) …` (and `o << (o in <any>(x))`) for the start of type
  // arguments and fails, while `o << ((<any>(x) …))` parses: one more pair of parentheses there.
  if (context.name === 'right of <<' && hole.startsWith('(') && hole.includes('<any>')) hole = `(${hole})`;
  const text = context.make(hole);
  const suffix = context.make('');
  const continues = /^[.?![]/.test(suffix) || suffix.startsWith('()');
  return {
    text,
    prec: context.prec,
    chain: continues && (suffix.startsWith('?.') || (inner.chain && !needs)),
    braceStart: /^(\{|function\b|class\b)/.test(text),
  };
}

/** Nested contexts (random depth) around a target form, in a statement. */
export function generated(target: fc.Arbitrary<string>, sync: boolean, maxDepth = 4): fc.Arbitrary<Generated> {
  const contexts = CONTEXTS.filter((c) => !sync || c.sync);
  const statements = STATEMENTS.filter((s) => !sync || s.sync);
  return fc.record({
    target,
    layers: fc.array(fc.record({ context: fc.constantFrom(...contexts), parens: fc.integer({ min: 0, max: 5 }).map((n) => n === 0) }), { maxLength: maxDepth }),
    statement: fc.constantFrom(...statements),
  }).map(({ target: call, layers, statement }) => {
    let expr: Expr = { text: call, prec: PREC.lhs, chain: call.includes('?.'), braceStart: false };
    for (const layer of layers) expr = wrap(expr, layer.context, layer.parens);
    return { expr, contexts: layers.map((l) => l.context.name), statement: statement.name, body: statement.make(expr) };
  });
}
