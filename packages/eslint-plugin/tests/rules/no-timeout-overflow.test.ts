import rule from '../../src/rules/no-timeout-overflow.js';
import { at, runInBothModes, runTyped, runUntyped } from '../ruleTester.js';

const month = 'const DAY = 24 * 60 * 60 * 1000;\nexport const t = setTimeout(() => {}, 30 * DAY);';
const promises = "import { setTimeout as sleep } from 'node:timers/promises';\nexport async function f() { await sleep(2 ** 31); }";
const wt = "import { withTimeout } from '@asyncguard/runtime';\nexport const p = withTimeout(Promise.resolve(1), 3_000_000_000);";
const signal = 'export const s = AbortSignal.timeout(Infinity);';
const interval = 'export const i = setInterval(() => {}, 2147483648);';

const rt = "import { withDeadline, withTimeout, timeoutPolicy } from '@asyncguard/runtime';\n";
const longer = `${rt}export const r = withDeadline(500, async () => withTimeout(fetchIt(), 2000));\ndeclare function fetchIt(): Promise<number>;`;
const nested = `${rt}const BUDGET = 2_000;\nexport const r = withDeadline(10_000, () => withDeadline(1000, async function inner() {\n  const p = timeoutPolicy(BUDGET);\n  return withDeadline(60_000, () => 1);\n}));`;

runInBothModes('no-timeout-overflow', rule, {
  valid: [
    'export const t = setTimeout(() => {}, 2147483647);',
    'const DAY = 24 * 60 * 60 * 1000;\nexport const t = setTimeout(() => {}, 24 * DAY);',
    'export function f(ms: number) { return setTimeout(() => {}, ms); }',
    "import { setTimeout as sleep } from 'node:timers/promises';\nexport async function f() { await sleep(1000, 3e9); }",
    // A local function called setTimeout is not a timer.
    'function setTimeout(fn: () => void, ms: number) { return ms; }\nexport const x = setTimeout(() => {}, 3e9);',
    // Budgets within the enclosing deadline, or not constant, or outside it.
    `${rt}export const r = withDeadline(5000, async () => withTimeout(Promise.resolve(1), 2000));`,
    `${rt}export const r = withDeadline(5000, () => withDeadline(5000, () => 1));`,
    `${rt}export function f(ms: number) { return withDeadline(100, () => withTimeout(Promise.resolve(1), ms)); }`,
    `${rt}export function f(ms: number) { return withDeadline(ms, () => withTimeout(Promise.resolve(1), 2000)); }`,
    `${rt}export const a = withDeadline(100, () => 1);\nexport const b = withTimeout(Promise.resolve(1), 2000);`,
    // A timer is not a budget the deadline cuts.
    `${rt}export const r = withDeadline(100, () => new Promise((resolve) => setTimeout(resolve, 1000)));`,
    // A local function named withDeadline is not the runtime's.
    `function withDeadline(ms: number, fn: () => unknown) { return fn(); }\nimport { withTimeout } from '@asyncguard/runtime';\nexport const r = withDeadline(100, () => withTimeout(Promise.resolve(1), 2000));`,
  ],
  invalid: [
    { code: month, errors: [{ messageId: 'overflow', data: { callee: 'setTimeout', ms: '2592000000' }, ...at(month, '30 * DAY') }] },
    { code: promises, errors: [{ messageId: 'overflow', data: { callee: 'sleep', ms: '2147483648' }, ...at(promises, '2 ** 31') }] },
    { code: wt, errors: [{ messageId: 'overflow', data: { callee: 'withTimeout', ms: '3000000000' }, ...at(wt, '3_000_000_000') }] },
    { code: signal, errors: [{ messageId: 'overflow', data: { callee: 'AbortSignal.timeout', ms: 'Infinity' }, ...at(signal, 'Infinity') }] },
    {
      code: longer,
      errors: [{ messageId: 'exceedsDeadline', data: { callee: 'withTimeout', ms: '2000', deadline: '500' }, ...at(longer, '2000') }],
    },
    {
      code: nested,
      errors: [
        { messageId: 'exceedsDeadline', data: { callee: 'timeoutPolicy', ms: '2000', deadline: '1000' }, ...at(nested, 'BUDGET', 1) },
        { messageId: 'exceedsDeadline', data: { callee: 'withDeadline', ms: '60000', deadline: '1000' }, ...at(nested, '60_000') },
      ],
    },
    { code: interval, errors: [{ messageId: 'overflow', data: { callee: 'setInterval', ms: '2147483648' }, ...at(interval, '2147483648') }] },
    {
      code: 'declare const queue: { delay(job: string, ms: number): void };\nqueue.delay("j", 4e9);',
      options: [{ functions: [{ name: 'queue.delay', argument: 1 }] }],
      errors: [{ messageId: 'overflow', data: { callee: 'queue.delay', ms: '4000000000' }, ...at('declare const queue: { delay(job: string, ms: number): void };\nqueue.delay("j", 4e9);', '4e9') }],
    },
  ],
});

// With types, a constant from another declaration is known by its literal type.
const declared = 'declare const FOREVER: 9999999999;\nexport const t = setTimeout(() => {}, FOREVER);';
runUntyped('no-timeout-overflow, untyped only', rule, { valid: [declared], invalid: [] });
runTyped('no-timeout-overflow, typed only', rule, {
  valid: [],
  invalid: [{ code: declared, errors: [{ messageId: 'overflow', data: { callee: 'setTimeout', ms: '9999999999' }, ...at(declared, 'FOREVER', 1) }] }],
});
