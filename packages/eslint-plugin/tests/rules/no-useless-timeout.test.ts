import rule from '../../src/rules/no-useless-timeout.js';
import { at, runInBothModes, runTyped, runUntyped } from '../ruleTester.js';

const W = "import { withTimeout } from '@asyncguard/runtime';\n";
const awaited = `${W}export async function f(p: Promise<number>) { return withTimeout(await p, 1000); }`;
const sync = `${W}import { readFileSync } from 'node:fs';\nexport const c = withTimeout(() => readFileSync('c.json', 'utf8'), 1000);`;
const syncDirect = `${W}import { readFileSync } from 'node:fs';\nexport const c = withTimeout(readFileSync('c.json'), 1000);`;
const literal = `${W}export const c = withTimeout(42, 1000);`;
const block = `${W}export const c = withTimeout(function () { const x = 1; return { x }; }, 1000);`;

runInBothModes('no-useless-timeout', rule, {
  valid: [
    `${W}export const c = withTimeout(fetch('x'), 1000);`,
    `${W}export const c = withTimeout(async () => 1, 1000);`,
    `${W}export const c = withTimeout((signal: AbortSignal) => fetch('x', { signal }), 1000);`,
    `${W}export function f(p: Promise<void>) { return withTimeout(p, 1000); }`,
    `${W}export function f(work: () => Promise<void>) { return withTimeout(work, 1000); }`,
    // A sync function that returns something that may be a promise is fine.
    `${W}declare function load(): Promise<void>;\nexport const c = withTimeout(() => load(), 1000);`,
    'export function withTimeoutLike(x: number) { return x; }\nwithTimeoutLike(3);',
  ],
  invalid: [
    {
      code: awaited,
      errors: [
        {
          messageId: 'alreadyAwaited',
          data: { wrapper: 'withTimeout' },
          ...at(awaited, 'await p'),
          suggestions: [{ messageId: 'removeAwait', output: awaited.replace('await p', 'p') }],
        },
      ],
    },
    { code: sync, errors: [{ messageId: 'syncWork', data: { wrapper: 'withTimeout' }, ...at(sync, "() => readFileSync('c.json', 'utf8')") }] },
    {
      code: syncDirect,
      errors: [{ messageId: 'notPromise', data: { wrapper: 'withTimeout', what: 'the result of fs.readFileSync() (synchronous)' }, ...at(syncDirect, "readFileSync('c.json')") }],
    },
    { code: literal, errors: [{ messageId: 'notPromise', data: { wrapper: 'withTimeout', what: 'a literal' }, ...at(literal, '42') }] },
    { code: block, errors: [{ messageId: 'syncWork', data: { wrapper: 'withTimeout' }, ...at(block, 'function () { const x = 1; return { x }; }') }] },
    {
      code: 'declare function pTimeout<T>(p: T, ms: number): Promise<T>;\nexport const c = pTimeout(`text`, 10);',
      options: [{ wrappers: ['pTimeout'] }],
      errors: [{ messageId: 'notPromise', data: { wrapper: 'pTimeout', what: 'a string' }, ...at('declare function pTimeout<T>(p: T, ms: number): Promise<T>;\nexport const c = pTimeout(`text`, 10);', '`text`') }],
    },
  ],
});

const typedValue = `${W}export function f(n: number) { return withTimeout(n as any as number, 1000); }`;
const typedFn = `${W}export function f(compute: () => number) { return withTimeout(compute, 1000); }`;
runUntyped('no-useless-timeout, untyped only', rule, { valid: [typedValue, typedFn], invalid: [] });
runTyped('no-useless-timeout, typed only', rule, {
  valid: [`${W}export function f(x: any) { return withTimeout(x, 1000); }`, `${W}export function f(x: PromiseLike<number>) { return withTimeout(x, 1000); }`],
  invalid: [
    { code: typedValue, errors: [{ messageId: 'notPromise', data: { wrapper: 'withTimeout', what: 'a value' }, ...at(typedValue, 'n as any as number') }] },
    { code: typedFn, errors: [{ messageId: 'syncWork', data: { wrapper: 'withTimeout' }, ...at(typedFn, 'compute', 1) }] },
  ],
});
