/**
 * The floating-promise families of issue 15, each with valid and invalid cases: assertions,
 * intersections, generators, handlers that are not functions, spread handler arguments, and the
 * `||`/`&&`/`??`/comma/ternary combinations of handled and unhandled promises.
 */
import rule from '../../src/rules/no-missing-await.js';
import { at, runInBothModes, runTyped } from '../ruleTester.js';
import { PRELUDE } from '../support/floatingReference.js';

type MessageId = 'floating' | 'floatingArray' | 'uselessRejectionHandler' | 'valueContext';
const VOID = 'fire-and-forget: not awaited on purpose';

const DECLS = PRELUDE;

/** `body` in a plain function after the declarations: the only suggestion is `void` with a block comment. */
const sync = (body: string): string => `${DECLS}\nfunction f() { ${body} }`;
/** `body` in an async function after the declarations. */
const async_ = (body: string): string => `${DECLS}\nasync function f() { ${body} }`;

/**
 * One error on `statement` (as written in `code`, ending in `;`) outside an async function: the
 * `void` suggestion, with parentheses when the expression needs them.
 */
function floats(code: string, statement: string, messageId: MessageId = 'floating', parens = false) {
  const expression = statement.slice(0, -1);
  const fixed = parens ? `void (${expression}); /* ${VOID} */` : `void ${expression}; /* ${VOID} */`;
  return { messageId, ...at(code, statement), suggestions: [{ messageId: 'addVoid' as const, output: code.replace(statement, fixed) }] };
}

/** One error on `statement` inside an async function: `await` and `void` suggestions. */
function floatsInAsync(code: string, statement: string, parens = false) {
  const expression = statement.slice(0, -1);
  const wrap = (prefix: string): string => (parens ? `${prefix}(${expression})` : `${prefix}${expression}`);
  return {
    messageId: 'floating' as const,
    ...at(code, statement),
    suggestions: [
      { messageId: 'addAwait' as const, output: code.replace(statement, `${wrap('await ')};`) },
      { messageId: 'addVoid' as const, output: code.replace(statement, `${wrap('void ')}; /* ${VOID} */`) },
    ],
  };
}

const invalid = (code: string, error: ReturnType<typeof floats> | ReturnType<typeof floatsInAsync>) => ({ code, errors: [error] });

// ---- type assertions and intersections (types needed) ------------------------------------------

const asPromise = 'declare const x: unknown;\nfunction f() { x as Promise<void>; }';
const angle = 'declare const x: unknown;\nfunction f() { <Promise<void>>x; }';
const assertedCall = 'declare function get(): unknown;\nfunction f() { get() as Promise<number>; }';
const cancellable = 'type Cancellable<T> = Promise<T> & { cancel(): void };\ndeclare function start(): Cancellable<void>;\nfunction f() { start(); }';
const genericIntersection = 'function f<T>(x: T & Promise<void>) { x; }';
const objectIntersection = 'declare const both: { id: number } & Promise<void>;\nfunction f() { both; }';

runTyped('no-missing-await: assertions and intersections', rule, {
  valid: [
    'declare const x: unknown;\nfunction f() { (x as Promise<void>).catch(() => {}); }',
    'declare const x: Promise<void>;\nfunction f() { x as unknown as number; }',
    'declare const both: { id: number } & Promise<void>;\ndeclare function h(e: unknown): void;\nfunction f() { both.catch(h); }',
    // A thenable that is not a promise, alone or intersected: like no-floating-promises' default.
    'declare const t: { then(a: () => void, b: () => void): void } & { id: 1 };\nfunction f() { t; }',
    'declare const x: unknown;\nasync function f() { await (x as Promise<void>); }',
  ],
  invalid: [
    invalid(asPromise, floats(asPromise, 'x as Promise<void>;', 'floating', true)),
    invalid(angle, floats(angle, '<Promise<void>>x;', 'floating', true)),
    invalid(assertedCall, floats(assertedCall, 'get() as Promise<number>;', 'floating', true)),
    invalid(cancellable, floats(cancellable, 'start();')),
    invalid(genericIntersection, floats(genericIntersection, 'x;')),
    invalid(objectIntersection, floats(objectIntersection, 'both;')),
  ],
});

// ---- generators (types needed: the value sent in is typed by the generator's annotation) --------

const sentIn = 'function* g(): Generator<number, void, Promise<void>> { yield 1; }';
const sentInAsync = 'async function* g(): AsyncGenerator<number, void, Promise<void>> { yield 1; }';

runTyped('no-missing-await: yield', rule, {
  valid: [
    // The yielded promise goes to the consumer (sync generator) or is awaited (async generator).
    `${DECLS}\nfunction* g() { yield load(); }`,
    `${DECLS}\nasync function* g() { yield load(); }`,
    'async function* g(): AsyncGenerator<number, void, Promise<void>> { await (yield 1); }',
    'function* inner() { yield 1; }\nfunction* g() { yield* inner(); }',
  ],
  invalid: [
    // The value the consumer sends back with next() is a promise, and it is dropped.
    invalid(sentIn, floats(sentIn, 'yield 1;', 'floating', true)),
    invalid(sentInAsync, floatsInAsync(sentInAsync, 'yield 1;', true)),
  ],
});

// ---- handlers that are not functions, spreads ---------------------------------------------------

const maybeHandler = `declare const maybe: ((e: unknown) => void) | undefined;\n${sync('p.catch(maybe);')}`;

runTyped('no-missing-await: rejection handlers (typed)', rule, {
  valid: [
    sync('p.catch(h);'),
    sync('p.then(ok, h);'),
    sync('p.then(undefined, h);'),
    sync('p.catch(h).finally(() => {});'),
    sync('p.finally(() => {}).catch(h);'),
    sync('p.then(ok).catch(h);'),
    `declare const handler: { (e: unknown): void; label: string };\n${sync('p.catch(handler);')}`,
    `declare function log(e: Error): void;\ndeclare function log(e: unknown): void;\n${sync('p.catch(log);')}`,
    `declare const logger: { error(e: unknown): void };\n${sync('p.catch(logger.error.bind(logger));')}`,
    // An `any` handler is assumed to be a function (no-floating-promises reports it).
    `declare const anyHandler: any;\n${sync('p.catch(anyHandler);')}`,
    // The handler comes before the spread.
    `declare const more: never[];\n${sync('p.then(ok, h, ...more);')}`,
  ],
  invalid: [
    invalid(sync('p.catch(null);'), floats(sync('p.catch(null);'), 'p.catch(null);', 'uselessRejectionHandler')),
    invalid(sync('p.catch({});'), floats(sync('p.catch({});'), 'p.catch({});', 'uselessRejectionHandler')),
    invalid(sync('p.then(ok, null);'), floats(sync('p.then(ok, null);'), 'p.then(ok, null);', 'uselessRejectionHandler')),
    invalid(sync('p.then(undefined, undefined);'), floats(sync('p.then(undefined, undefined);'), 'p.then(undefined, undefined);', 'uselessRejectionHandler')),
    invalid(maybeHandler, floats(maybeHandler, 'p.catch(maybe);', 'uselessRejectionHandler')),
    invalid(sync('p.then(ok);'), floats(sync('p.then(ok);'), 'p.then(ok);')),
    invalid(sync('p.finally(() => {});'), floats(sync('p.finally(() => {});'), 'p.finally(() => {});')),
  ],
});

const PF = 'declare function h(e: unknown): void;\ndeclare const args: [(e: unknown) => void];\n';
const spreadThen = `${PF}function f() { fetch("x").then(...args); }`;
const spreadCatch = `${PF}function f() { fetch("x").catch(...args); }`;
const spreadRest = `${PF}function f() { fetch("x").then(() => {}, ...args); }`;
const spreadFinally = `${PF}function f() { fetch("x").finally(...args); }`;
const catchUndefined = 'function f() { fetch("x").catch(undefined); }';
const catchNumber = 'function f() { fetch("x").then(() => {}, 0); }';

runInBothModes('no-missing-await: rejection handlers and spreads', rule, {
  valid: [
    `${PF}function f() { fetch("x").then(() => {}, h, ...args); }`,
    `${PF}function f() { fetch("x").catch(h); }`,
    // Both operands handled, in a statement: no floating report and no value-context report.
    `${PF}async function f() { fetch("a").catch(h) || fetch("b").then(() => {}, h); }`,
    `${PF}async function f() { fetch("a").catch(h) && fetch("b").catch(h); }`,
  ],
  invalid: [
    // Which argument handles rejections can't be told: reported like no-floating-promises does.
    invalid(spreadThen, floats(spreadThen, 'fetch("x").then(...args);')),
    invalid(spreadCatch, floats(spreadCatch, 'fetch("x").catch(...args);')),
    invalid(spreadRest, floats(spreadRest, 'fetch("x").then(() => {}, ...args);')),
    invalid(spreadFinally, floats(spreadFinally, 'fetch("x").finally(...args);')),
    invalid(catchUndefined, floats(catchUndefined, 'fetch("x").catch(undefined);', 'uselessRejectionHandler')),
    invalid(catchNumber, floats(catchNumber, 'fetch("x").then(() => {}, 0);', 'uselessRejectionHandler')),
  ],
});

// ---- logical, comma and conditional combinations ------------------------------------------------

const orUnhandledLeft = async_('p || q.catch(h);');
const orUnhandledRight = async_('p.catch(h) || q;');
const nullishPromise = sync('n ?? load();');
const commaFirst = sync('(p, q.catch(h));');
const commaLast = sync('(p.catch(h), q);');
const ternaryOne = sync('cond ? load() : p.catch(h);');
const andPromise = sync('cond && load();');
const conditionOfIf = sync('if (p.catch(h) || q) ok(1);');

runTyped('no-missing-await: combinations of handled and unhandled promises', rule, {
  valid: [
    // Both operands handled: the statement's value is dropped, so no value-context report either.
    async_('p.catch(h) || q.then(ok, h);'),
    async_('p.catch(h) && q.then(ok, h);'),
    async_('p.catch(h) ?? q.catch(h);'),
    sync('p.catch(h) || q.then(ok, h);'),
    sync('cond && load().catch(h);'),
    sync('cond ? load().catch(h) : p.catch(h);'),
    sync('cond ? load().catch(h) : undefined;'),
    sync('(p.catch(h), 1);'),
    sync('void (cond && load());'),
    // A promise that may be absent: the condition tests presence, not the promise's value.
    'declare const pending: Promise<void> | undefined;\nasync function f() { if (pending) await pending; return pending && 1; }',
  ],
  invalid: [
    // One report, on the statement: the left operand is not also reported as a value.
    invalid(orUnhandledLeft, floatsInAsync(orUnhandledLeft, 'p || q.catch(h);', true)),
    invalid(orUnhandledRight, floatsInAsync(orUnhandledRight, 'p.catch(h) || q;', true)),
    invalid(nullishPromise, floats(nullishPromise, 'n ?? load();', 'floating', true)),
    invalid(commaFirst, floats(commaFirst, '(p, q.catch(h));')),
    invalid(commaLast, floats(commaLast, '(p.catch(h), q);')),
    invalid(ternaryOne, floats(ternaryOne, 'cond ? load() : p.catch(h);', 'floating', true)),
    invalid(andPromise, floats(andPromise, 'cond && load();', 'floating', true)),
    {
      // In a condition a value is meant: both operands are promises, always truthy.
      code: conditionOfIf,
      errors: [
        { messageId: 'valueContext', data: { context: 'a condition' }, ...at(conditionOfIf, 'p.catch(h)'), suggestions: [] },
        { messageId: 'valueContext', data: { context: 'a condition' }, ...at(conditionOfIf, 'q) ok'), endColumn: at(conditionOfIf, 'q) ok').column + 1, suggestions: [] },
      ],
    },
  ],
});

// ---- void and arrays -----------------------------------------------------------------------------

const arrowVoid = `${DECLS}\nconst f = () => void load();`;
const arrayLiteral = sync('[p, q];');
const mapped = `declare const ids: string[];\ndeclare function get(id: string): Promise<number>;\nfunction f() { ids.map((id) => get(id)); }`;

runTyped('no-missing-await: void and arrays', rule, {
  valid: [
    sync('void load();'),
    { code: sync('void ok(1);'), options: [{ ignoreVoid: false }] },
    sync('[1, 2];'),
    sync('Promise.all([p, q]).catch(h);'),
    'declare const ids: string[];\nfunction f() { ids.forEach(async () => {}); }',
  ],
  invalid: [
    { code: arrowVoid, options: [{ ignoreVoid: false }], errors: [{ messageId: 'floating', ...at(arrowVoid, 'void load()'), suggestions: [] }] },
    { code: arrayLiteral, errors: [{ messageId: 'floatingArray', ...at(arrayLiteral, '[p, q];'), suggestions: [] }] },
    { code: mapped, errors: [{ messageId: 'floatingArray', ...at(mapped, 'ids.map((id) => get(id));'), suggestions: [] }] },
    invalid(sync('Promise.all([p, q]);'), floats(sync('Promise.all([p, q]);'), 'Promise.all([p, q]);')),
  ],
});
