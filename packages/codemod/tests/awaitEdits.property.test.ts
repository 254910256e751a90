import fc from 'fast-check';
import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { awaitBlocker, awaitEdits } from '../src/shared/syntax.js';
import { applyEdits } from '../src/textEdit.js';
import { generated, TARGET_FORMS, type Generated } from './support/awaitContexts.js';
import { checkAwaited, fcOptions, isAwaitedInTest, isPromiseReceiverInTest, parse, single, syntaxErrors, type TargetTest } from './support/awaitShape.js';

const isTarget: TargetTest = (call) => {
  const callee = call.expression;
  return (ts.isIdentifier(callee) && callee.text === 'target') || (ts.isPropertyAccessExpression(callee) && callee.name.text === 'target');
};

const wrapInFunction = (body: string): string =>
  `declare const o: any;\ndeclare class C {}\nexport async function* outer() {\n  ${body}\n}\n`;


function edit(text: string, test: TargetTest): string {
  const sf = parse(text);
  const call = single(sf, test, text);
  return applyEdits(text, awaitEdits(call, sf));
}

/**
 * Property: wherever a call stands (nested conditional, binary, comma, assignment, `new`, member
 * and element access, calls of the result, tags, optional chains, `!`, `as`, arrow bodies,
 * spreads, template spans, unary operators, decorators, statements after a line without `;`),
 * `awaitEdits` on it yields a program that parses, in which exactly that call is the direct operand
 * of a new `await`, everything else keeps its structure, and a second `awaitEdits` is a no-op.
 *
 * Reproduce a failure with the seed fast-check prints: ASYNCGUARD_FC_SEED=<seed>; more runs with
 * ASYNCGUARD_FC_RUNS=<n>.
 */
describe('awaitEdits (property)', () => {
  it('awaits exactly the target call in any nesting of contexts, and a second run changes nothing', () => {
    fc.assert(
      fc.property(generated(fc.constantFrom(...TARGET_FORMS), false), (g: Generated) => {
        const original = wrapInFunction(g.body);
        const before = parse(original);
        expect(syntaxErrors(before), `${g.contexts.join(' > ')}\n${original}`).toEqual([]);
        const call = single(before, isTarget, original);
        const edited = edit(original, isTarget);
        checkAwaited(original, edited, isTarget, !isPromiseReceiverInTest(call) && !isAwaitedInTest(call));
        expect(edit(edited, isTarget)).toBe(edited);
      }),
      fcOptions(300),
    );
  }, 120_000);
});

describe('awaitEdits (examples)', () => {
  const cases: Array<[string, string, string]> = [
    ['conditional return', 'return isWindows ? target() : b()', 'return isWindows ? await target() : b()'],
    ['member of the result', 'o.q = target().x', 'o.q = (await target()).x'],
    ['left of **', 'o.q = target() ** 2', 'o.q = (await target()) ** 2'],
    ['nullish', 'o.q = o ?? target()', 'o.q = o ?? await target()'],
    ['optional chain continues', 'o.q = o?.target().g', 'o.q = (await o?.target())?.g'],
    ['optional call continues', 'o.q = o?.target()()', 'o.q = (await o?.target())?.()'],
    ['optional element continues through !', 'o.q = o?.target()![0]', 'o.q = (await o?.target())!?.[0]'],
    ['ASI after a line without ;', 'o.q = o\n  target().x', 'o.q = o\n  ;(await target()).x'],
    ['no ASI guard in an if body', 'if (o)\n    target().x', 'if (o)\n    (await target()).x'],
    ['ASI after an if whose body ends open', 'if (o) o.q = o\n  target().x', 'if (o) o.q = o\n  ;(await target()).x'],
    ['no ASI guard after a block', 'if (o) {}\n  target().x', 'if (o) {}\n  (await target()).x'],
    ['arrow concise body', 'o.q = async () => target()', 'o.q = async () => await target()'],
    ['already awaited', 'o.q = await (target())', 'o.q = await (target())'],
    ['already awaited through as', 'o.q = await (target() as any)', 'o.q = await (target() as any)'],
    ['then receiver', 'o.q = await target().then(o)', 'o.q = await target().then(o)'],
  ];
  it.each(cases)('%s', (_name, body, expected) => {
    expect(edit(wrapInFunction(body), (c) => isTarget(c))).toBe(wrapInFunction(expected));
  });

  it('awaits a non-unary expression as a whole: await (c ? a() : b())', () => {
    const text = wrapInFunction('return c ? a() : b()');
    const sf = parse(text);
    const ret = sf.statements[2] as ts.FunctionDeclaration;
    const expr = (ret.body!.statements[0] as ts.ReturnStatement).expression!;
    expect(applyEdits(text, awaitEdits(expr, sf))).toBe(wrapInFunction('return await (c ? a() : b())'));
  });

  it.each([
    ['async function f(p = target()) {}', 'default parameter value'],
    ['class K { x = target() }', 'class field initializer'],
    ['class K { static { target() } }', 'class static block'],
  ])('awaitBlocker names %s', (text, reason) => {
    const sf = parse(text);
    expect(awaitBlocker(single(sf, isTarget, text))).toContain(reason);
  });

  it('awaitBlocker allows an arrow inside a class field', () => {
    const text = 'class K { x = async () => target() }';
    const sf = parse(text);
    expect(awaitBlocker(single(sf, isTarget, text))).toBeUndefined();
  });
});
