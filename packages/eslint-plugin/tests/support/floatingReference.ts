/**
 * Floating-promise snippets for the reference test (typed `no-missing-await` against
 * typescript-eslint's `no-floating-promises`). `theirs` is how many reports `no-floating-promises`
 * gives (default options, except `ignoreVoid` when set), checked by the test.
 */
export interface ReferenceCase {
  readonly name: string;
  readonly family: string;
  readonly code: string;
  readonly theirs: number;
  readonly ignoreVoid?: boolean;
}

/** Declarations the reference cases and the family tests share. */
export const PRELUDE = [
  'declare const p: Promise<number>;',
  'declare const q: Promise<string>;',
  'declare function load(): Promise<void>;',
  'declare function h(e: unknown): void;',
  'declare function ok(v: unknown): void;',
  'declare const cond: boolean;',
  'declare const n: number | undefined;',
].join('\n');

/** `body` inside an async function, after the shared declarations. */
const inAsync = (body: string): string => `${PRELUDE}\nexport async function run() {\n  ${body}\n}\n`;
/** `body` inside a plain function, after the shared declarations. */
const inSync = (body: string): string => `${PRELUDE}\nexport function run() {\n  ${body}\n}\n`;

const c = (family: string, name: string, code: string, theirs: number, ignoreVoid?: boolean): ReferenceCase =>
  ignoreVoid === undefined ? { family, name, code, theirs } : { family, name, code, theirs, ignoreVoid };

export const REFERENCE_CASES: readonly ReferenceCase[] = [
  // Plain statements.
  c('plain', 'a call returning a promise', inAsync('load();'), 1),
  c('plain', 'a promise variable', inSync('p;'), 1),
  c('plain', 'awaited', inAsync('await load();'), 0),
  c('plain', 'returned', `${PRELUDE}\nexport function run() { return load(); }`, 0),
  c('plain', 'assigned', inSync('let x: Promise<void>; x = load(); ok(x);'), 0),
  c('plain', 'a non-promise call', inSync('ok(1);'), 0),
  c('plain', 'new Promise', inSync('new Promise<void>((resolve) => resolve());'), 1),
  c('plain', 'an async IIFE', inSync('(async () => { await load(); })();'), 1),
  c('plain', 'an optional call', 'declare const api: { get(): Promise<number> } | undefined;\nexport function run() { api?.get(); }', 1),
  c('plain', 'a method chain', 'declare const db: { table(n: string): { insert(v: number): Promise<void> } };\nexport function run() { db.table("t").insert(1); }', 1),
  c('plain', 'a Promise subclass', 'class Task<T> extends Promise<T> {}\ndeclare function task(): Task<number>;\nexport function run() { task(); }', 1),
  c('plain', 'a promise or undefined', 'declare const maybe: Promise<void> | undefined;\nexport function run() { maybe; }', 1),
  c('plain', 'a generic constrained to a promise', 'export function run<T extends Promise<void>>(t: T) { t; }', 1),
  c('plain', 'stored and never read', inAsync('const pending = load();'), 0),
  c('plain', 'an any beside an async call', 'declare const anything: any;\nexport async function run() { anything; fetch("x"); }', 1),
  c('plain', 'PromiseLike is not reported by default', 'declare const pl: PromiseLike<void>;\nexport function run() { pl; }', 0),
  c('plain', 'a thenable that is not a promise', 'declare const t: { then(a: () => void, b: () => void): void };\nexport function run() { t; }', 0),
  c('plain', 'node:test registration call', "import { test } from 'node:test';\ntest('x', async () => {});", 1),

  // Type assertions and non-null wrappers.
  c('assertion', 'as Promise', 'declare const x: unknown;\nexport function run() { x as Promise<void>; }', 1),
  c('assertion', 'angle-bracket assertion', 'declare const x: unknown;\nexport function run() { <Promise<void>>x; }', 1),
  c('assertion', 'a call result asserted to a promise', 'declare function get(): unknown;\nexport function run() { get() as Promise<number>; }', 1),
  c('assertion', 'non-null promise', 'declare const maybe: Promise<void> | null;\nexport function run() { maybe!; }', 1),
  c('assertion', 'satisfies', inSync('p satisfies Promise<number>;'), 1),
  c('assertion', 'asserted promise with a handler', 'declare const x: unknown;\nexport function run() { (x as Promise<void>).catch(() => {}); }', 0),
  c('assertion', 'assertion to unknown', 'export async function run() { fetch("x") as unknown; }', 0),
  c('assertion', 'a promise asserted to a non-promise', 'declare const x: Promise<void>;\nexport function run() { x as unknown as number; }', 0),

  // Intersections.
  c('intersection', 'a cancellable promise', 'type Cancellable<T> = Promise<T> & { cancel(): void };\ndeclare function start(): Cancellable<void>;\nexport function run() { start(); }', 1),
  c('intersection', 'object and promise', 'declare const both: { id: number } & Promise<void>;\nexport function run() { both; }', 1),
  c('intersection', 'generic and promise', 'export function run<T>(x: T & Promise<void>) { x; }', 1),
  c('intersection', 'an intersection in a union', 'declare const u: (Promise<void> & { id: 1 }) | string;\nexport function run() { u; }', 1),
  c('intersection', 'handled intersection', 'declare const both: { id: number } & Promise<void>;\ndeclare function h(e: unknown): void;\nexport function run() { both.catch(h); }', 0),
  c('intersection', 'an intersection without a promise', 'declare const t: { then(a: () => void, b: () => void): void } & { id: 1 };\nexport function run() { t; }', 0),

  // Generators.
  c('yield', 'yield in a sync generator passes the promise to the consumer', `${PRELUDE}\nexport function* run() { yield load(); }`, 0),
  c('yield', 'yield in an async generator awaits the promise', `${PRELUDE}\nexport async function* run() { yield load(); }`, 0),
  c('yield', 'a promise sent into a sync generator and dropped', 'export function* run(): Generator<number, void, Promise<void>> { yield 1; }', 1),
  c('yield', 'a promise sent into an async generator and dropped', 'export async function* run(): AsyncGenerator<number, void, Promise<void>> { yield 1; }', 1),
  c('yield', 'a promise sent in and awaited', 'export async function* run(): AsyncGenerator<number, void, Promise<void>> { await (yield 1); }', 0),
  c('yield', 'yield* of a generator', `${PRELUDE}\nfunction* inner() { yield 1; }\nexport function* run() { yield* inner(); }`, 0),

  // Handlers that are not functions.
  c('handler', 'catch(undefined)', inSync('p.catch(undefined);'), 1),
  c('handler', 'catch(null)', inSync('p.catch(null);'), 1),
  c('handler', 'catch of a number', inSync('p.catch(42);'), 1),
  c('handler', 'catch of an object', inSync('p.catch({});'), 1),
  c('handler', 'catch with no argument', inSync('p.catch();'), 1),
  c('handler', 'then(f) has no rejection handler', inSync('p.then(ok);'), 1),
  c('handler', 'then(f, undefined)', inSync('p.then(ok, undefined);'), 1),
  c('handler', 'then(undefined, null)', inSync('p.then(undefined, null);'), 1),
  c('handler', 'a handler that may be undefined', 'declare const maybeHandler: ((e: unknown) => void) | undefined;\ndeclare const p: Promise<void>;\nexport function run() { p.catch(maybeHandler); }', 1),
  c('handler', 'a handler typed any', 'declare const anyHandler: any;\ndeclare const p: Promise<void>;\nexport function run() { p.catch(anyHandler); }', 1),
  c('handler', 'finally alone', inSync('p.finally(() => {});'), 1),
  c('handler', 'catch(h)', inSync('p.catch(h);'), 0),
  c('handler', 'then(f, g)', inSync('p.then(ok, h);'), 0),
  c('handler', 'then(undefined, g)', inSync('p.then(undefined, h);'), 0),
  c('handler', 'finally after catch', inSync('p.catch(h).finally(() => {});'), 0),
  c('handler', 'catch after finally', inSync('p.finally(() => {}).catch(h);'), 0),
  c('handler', 'catch after then(f)', inSync('p.then(ok).catch(h);'), 0),
  c('handler', 'a handler that is a callable object', 'declare const handler: { (e: unknown): void; label: string };\ndeclare const p: Promise<void>;\nexport function run() { p.catch(handler); }', 0),
  c('handler', 'an overloaded handler', 'declare function log(e: Error): void;\ndeclare function log(e: unknown): void;\ndeclare const p: Promise<void>;\nexport function run() { p.catch(log); }', 0),
  c('handler', 'a bound method as handler', 'declare const logger: { error(e: unknown): void };\ndeclare const p: Promise<void>;\nexport function run() { p.catch(logger.error.bind(logger)); }', 0),

  // Spread arguments: which argument is the rejection handler can't be told.
  c('spread', 'then(...args)', 'declare const args: [(v: number) => void, (e: unknown) => void];\ndeclare const p: Promise<number>;\nexport function run() { p.then(...args); }', 1),
  c('spread', 'catch(...args)', 'declare const args: [(e: unknown) => void];\ndeclare const p: Promise<number>;\nexport function run() { p.catch(...args); }', 1),
  c('spread', 'then(f, ...rest)', 'declare const rest: [(e: unknown) => void];\ndeclare const p: Promise<number>;\nexport function run() { p.then(() => {}, ...rest); }', 1),
  c('spread', 'finally(...args) on an unhandled promise', 'declare const args: [() => void];\ndeclare const p: Promise<number>;\nexport function run() { p.finally(...args); }', 1),
  c('spread', 'then(f, g, ...more) has its handler before the spread', 'declare const more: never[];\ndeclare const p: Promise<number>;\ndeclare function h(e: unknown): void;\nexport function run() { p.then(() => {}, h, ...more); }', 0),

  // Logical, comma and conditional combinations.
  c('combination', 'handled || handled', inAsync('p.catch(h) || q.then(ok, h);'), 0),
  c('combination', 'handled && handled', inAsync('p.catch(h) && q.then(ok, h);'), 0),
  c('combination', 'handled ?? handled', inAsync('p.catch(h) ?? q.catch(h);'), 0),
  c('combination', 'handled || handled outside async', inSync('p.catch(h) || q.then(ok, h);'), 0),
  c('combination', 'unhandled || handled', inAsync('p || q.catch(h);'), 1),
  c('combination', 'handled || unhandled', inAsync('p.catch(h) || q;'), 1),
  c('combination', 'condition && promise', inSync('cond && load();'), 1),
  c('combination', 'condition && handled', inSync('cond && load().catch(h);'), 0),
  c('combination', 'value ?? promise', inSync('n ?? load();'), 1),
  c('combination', 'ternary with one unhandled branch', inSync('cond ? load() : p.catch(h);'), 1),
  c('combination', 'ternary with both handled', inSync('cond ? load().catch(h) : p.catch(h);'), 0),
  c('combination', 'ternary with a non-promise branch', inSync('cond ? load().catch(h) : undefined;'), 0),
  c('combination', 'comma with an unhandled first', inSync('(p, q.catch(h));'), 1),
  c('combination', 'comma with an unhandled last', inSync('(p.catch(h), q);'), 1),
  c('combination', 'comma with a non-promise', inSync('(p.catch(h), 1);'), 0),
  c('combination', 'nested in parentheses and logical', inSync('(cond && (n ?? load())) || ok(1);'), 1),

  // void.
  c('void', 'void is handled by default', inSync('void load();'), 0),
  c('void', 'void with ignoreVoid off', inSync('void load();'), 1, false),
  c('void', 'an arrow returning void with ignoreVoid off', `${PRELUDE}\nexport const run = () => void load();`, 1, false),
  c('void', 'void of a non-promise with ignoreVoid off', inSync('void ok(1);'), 0, false),

  // Arrays.
  c('array', 'an array literal of promises', inSync('[p, q];'), 1),
  c('array', 'map with an async callback', 'declare const ids: string[];\ndeclare function get(id: string): Promise<number>;\nexport function run() { ids.map(async (id) => get(id)); }', 1),
  c('array', 'map returning promises', 'declare const ids: string[];\ndeclare function get(id: string): Promise<number>;\nexport function run() { ids.map((id) => get(id)); }', 1),
  c('array', 'a variable holding promises', 'declare const ps: Promise<void>[];\nexport function run() { ps; }', 1),
  c('array', 'a tuple with a promise', inSync('[p, 1] as const;'), 1),
  c('array', 'an array of numbers', inSync('[1, 2];'), 0),
  c('array', 'Promise.all handled', inSync('Promise.all([p, q]).catch(h);'), 0),
  c('array', 'Promise.all unhandled', inSync('Promise.all([p, q]);'), 1),
  c('array', 'forEach with an async callback', 'declare const ids: string[];\nexport function run() { ids.forEach(async () => {}); }', 0),
];
