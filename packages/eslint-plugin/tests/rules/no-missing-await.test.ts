import rule from '../../src/rules/no-missing-await.js';
import { runInBothModes, runTyped, runUntyped } from '../ruleTester.js';

const REDIS = "import Redis from 'ioredis';\nconst redis = new Redis();\n";
const VOID = 'fire-and-forget: not awaited on purpose';
/** The only suggestion outside async functions: `void` plus a block comment (code follows on the line). */
const voidOnly = (before: string, statement: string, after: string) => ({
  messageId: 'addVoid' as const,
  output: `${before}void ${statement} /* ${VOID} */${after}`,
});

runInBothModes('no-missing-await', rule, {
  valid: [
    'async function f() { await fetch("x"); }',
    'function f() { return fetch("x"); }',
    'void fetch("x");',
    'fetch("x").catch(() => {});',
    'fetch("x").then(() => {}, () => {});',
    'fetch("x").finally(() => {}).catch(console.error);',
    'Promise.all([fetch("a"), fetch("b")]).catch(() => {});',
    'async function load() {}\nasync function main() { await load(); }',
    'async function load() {}\nexport const p = load();',
    'async function load() {}\nfunction f() { const p = load(); return p; }',
    'async function load() {}\nfunction f(g: (p: Promise<void>) => void) { const p = load(); g(p); }',
    // Test runners' registration calls are not reported by default, including `.only`/`.each`.
    "import { test, describe } from 'node:test';\ndescribe('x', () => {});\ntest.only('y', async () => {});",
    'let x: Promise<void> | undefined;\nx = fetch("x").then(() => {});',
    'function sync() { return 1; }\nsync();',
    // A rejection handler that is a variable holding a function.
    'const onError = (e: unknown) => console.error(e);\nfetch("x").catch(onError);',
    'async function f() { const res = await fetch("x"); if (res.ok) return res; }',
    '"use strict";',
    `${REDIS}async function f() { await redis.get('k'); }`,
  ],
  invalid: [
    {
      code: 'async function f() {\n  fetch("x");\n}',
      errors: [
        {
          messageId: 'floating',
          line: 2, column: 3, endLine: 2, endColumn: 14,
          suggestions: [
            { messageId: 'addAwait', output: 'async function f() {\n  await fetch("x");\n}' },
            { messageId: 'addVoid', output: `async function f() {\n  void fetch("x"); // ${VOID}\n}` },
          ],
        },
      ],
    },
    {
      // Not inside an async function: only the `void` suggestion.
      code: 'import { readFile } from "node:fs/promises";\nfunction f() { readFile("a"); }',
      errors: [
        {
          messageId: 'floating',
          line: 2, column: 16, endLine: 2, endColumn: 30,
          suggestions: [voidOnly('import { readFile } from "node:fs/promises";\nfunction f() { ', 'readFile("a");', ' }')],
        },
      ],
    },
    {
      code: `${REDIS}async function f() { redis.set('k', 'v'); }`,
      errors: [
        {
          messageId: 'floating',
          line: 3, column: 22, endLine: 3, endColumn: 42,
          suggestions: [
            { messageId: 'addAwait', output: `${REDIS}async function f() { await redis.set('k', 'v'); }` },
            { messageId: 'addVoid', output: `${REDIS}async function f() { void redis.set('k', 'v'); /* ${VOID} */ }` },
          ],
        },
      ],
    },
    {
      code: 'async function load() {}\nfunction f() { load().then(() => {}); }',
      errors: [{ messageId: 'floating', line: 2, column: 16, endLine: 2, endColumn: 38, suggestions: [voidOnly('async function load() {}\nfunction f() { ', 'load().then(() => {});', ' }')] }],
    },
    {
      code: 'async function load() {}\nfunction f() { load().catch(42); }',
      errors: [{ messageId: 'uselessRejectionHandler', line: 2, column: 16, endLine: 2, endColumn: 33, suggestions: [voidOnly('async function load() {}\nfunction f() { ', 'load().catch(42);', ' }')] }],
    },
    {
      code: 'function f() { new Promise((resolve) => setTimeout(resolve, 10)); }',
      errors: [{ messageId: 'floating', line: 1, column: 16, endLine: 1, endColumn: 66, suggestions: [voidOnly('function f() { ', 'new Promise((resolve) => setTimeout(resolve, 10));', ' }')] }],
    },
    {
      code: 'function f(a: boolean) { a ? fetch("x") : fetch("y"); }',
      errors: [
        {
          messageId: 'floating',
          line: 1, column: 26, endLine: 1, endColumn: 54,
          suggestions: [{ messageId: 'addVoid', output: `function f(a: boolean) { void (a ? fetch("x") : fetch("y")); /* ${VOID} */ }` }],
        },
      ],
    },
    {
      code: 'async function f(ok: boolean) { ok && fetch("x"); }',
      errors: [
        {
          messageId: 'floating',
          line: 1, column: 33, endLine: 1, endColumn: 50,
          suggestions: [
            { messageId: 'addAwait', output: 'async function f(ok: boolean) { await (ok && fetch("x")); }' },
            { messageId: 'addVoid', output: `async function f(ok: boolean) { void (ok && fetch("x")); /* ${VOID} */ }` },
          ],
        },
      ],
    },
    {
      code: 'function f() { (async () => { await fetch("x"); })(); }',
      errors: [{ messageId: 'floating', line: 1, column: 16, endLine: 1, endColumn: 54, suggestions: [voidOnly('function f() { ', '(async () => { await fetch("x"); })();', ' }')] }],
    },
    {
      code: 'async function f(ids: string[]) {\n  ids.map(async (id) => fetch(id));\n}',
      errors: [
        {
          messageId: 'floatingArray',
          line: 2, column: 3, endLine: 2, endColumn: 36,
          suggestions: [{ messageId: 'awaitAll', output: 'async function f(ids: string[]) {\n  await Promise.all(ids.map(async (id) => fetch(id)));\n}' }],
        },
      ],
    },
    {
      code: 'async function load() {}\nasync function f() {\n  const pending = load();\n}',
      errors: [
        {
          messageId: 'storedNeverAwaited',
          data: { name: 'pending' },
          line: 3, column: 9, endLine: 3, endColumn: 16,
          suggestions: [{ messageId: 'addAwait', output: 'async function load() {}\nasync function f() {\n  const pending = await load();\n}' }],
        },
      ],
    },
    {
      code: 'async function ready() { return true; }\nasync function f() {\n  if (ready()) return 1;\n}',
      errors: [
        {
          messageId: 'valueContext',
          data: { context: 'a condition' },
          line: 3, column: 7, endLine: 3, endColumn: 14,
          suggestions: [{ messageId: 'addAwait', output: 'async function ready() { return true; }\nasync function f() {\n  if (await ready()) return 1;\n}' }],
        },
      ],
    },
    {
      code: 'async function name() { return "n"; }\nfunction f() { return `hello ${name()}`; }',
      errors: [{ messageId: 'valueContext', data: { context: 'a template string value' }, line: 2, column: 32, endLine: 2, endColumn: 38, suggestions: [] }],
    },
    {
      code: 'async function ready() { return true; }\nfunction f(x: number) { return ready() && x; }',
      errors: [{ messageId: 'valueContext', data: { context: 'the left operand of `&&`' }, line: 2, column: 32, endLine: 2, endColumn: 39, suggestions: [] }],
    },
    {
      code: 'async function list() { return [1]; }\nfunction f() { return [...list() as any]; }',
      errors: [{ messageId: 'valueContext', data: { context: 'a spread' }, line: 2, column: 27, endLine: 2, endColumn: 40, suggestions: [] }],
    },
    {
      code: 'async function ready() { return true; }\nfunction f() { return !ready(); }',
      errors: [{ messageId: 'valueContext', data: { context: 'the operand of `!`' }, line: 2, column: 24, endLine: 2, endColumn: 31, suggestions: [] }],
    },
    {
      code: 'import { setTimeout as sleep } from "node:timers/promises";\nsleep(10);',
      errors: [
        {
          messageId: 'floating',
          line: 2, column: 1, endLine: 2, endColumn: 11,
          suggestions: [
            { messageId: 'addAwait', output: 'import { setTimeout as sleep } from "node:timers/promises";\nawait sleep(10);' },
            { messageId: 'addVoid', output: `import { setTimeout as sleep } from "node:timers/promises";\nvoid sleep(10); // ${VOID}` },
          ],
        },
      ],
    },
    {
      code: 'class Repo {\n  async load() {}\n  start() { this.load(); }\n}',
      errors: [{ messageId: 'floating', line: 3, column: 13, endLine: 3, endColumn: 25, suggestions: [voidOnly('class Repo {\n  async load() {}\n  start() { ', 'this.load();', ' }\n}')] }],
    },
    {
      code: 'async function load() {}\nasync function f() { void load(); }',
      options: [{ ignoreVoid: false }],
      errors: [
        {
          messageId: 'floating',
          line: 2, column: 22, endLine: 2, endColumn: 34,
          suggestions: [{ messageId: 'addAwait', output: 'async function load() {}\nasync function f() { await load(); }' }],
        },
      ],
    },
  ],
});

// Options that switch checks off.
runInBothModes('no-missing-await options', rule, {
  valid: [
    { code: 'async function load() {}\nfunction f() { const p = load(); }', options: [{ checkStoredPromises: false }] },
    { code: 'async function ready() {}\nfunction f() { if (ready()) {} }', options: [{ checkValueContexts: false }] },
    { code: 'function f() { (async () => {})(); }', options: [{ ignoreIIFE: true }] },
    { code: 'async function load() {}\nfunction f() { load(); }', options: [{ knownSafeCalls: ['load'] }] },
    { code: 'class Queue { async add() {} }\nconst queue = new Queue();\nqueue.add();', options: [{ knownSafeCalls: ['queue.add'] }] },
  ],
  invalid: [],
});

// Without types, calls to unknown code are not assumed to be promises.
runUntyped('no-missing-await, untyped only', rule, {
  valid: [
    "import { loadUser } from './users.js';\nfunction f() { loadUser(1); }",
    'function f(client: { get(): Promise<string> }) { client.get(); }',
  ],
  invalid: [],
});

// With types, everything typescript-eslint's no-floating-promises finds (defaults) is found.
runTyped('no-missing-await, typed only', rule, {
  valid: [
    // Types say it is not a promise, whatever its name.
    'const redis = { get(k: string) { return k; } };\nfunction f() { redis.get("k"); }',
    'function f(x: { then(): number }) { x.then(); }',
    'declare const p: Promise<void>;\nasync function f() { await p; }',
    'function f(x: { ok: boolean }, name: string) { if (x.ok) return `${name}`; }',
  ],
  invalid: [
    {
      code: 'function f(client: { get(): Promise<string> }) { client.get(); }',
      errors: [{ messageId: 'floating', line: 1, column: 50, endLine: 1, endColumn: 63, suggestions: [voidOnly('function f(client: { get(): Promise<string> }) { ', 'client.get();', ' }')] }],
    },
    {
      // Typed value contexts ask the checker about variables annotated or initialised as promises.
      code: 'function f(ready: Promise<boolean>) { if (ready) return 1; }',
      errors: [{ messageId: 'valueContext', data: { context: 'a condition' }, line: 1, column: 43, endLine: 1, endColumn: 48, suggestions: [] }],
    },
    {
      code: 'declare function load(): Promise<string>;\nfunction f() { const text = load(); return `${text}`; }',
      errors: [{ messageId: 'valueContext', data: { context: 'a template string value' }, line: 2, column: 47, endLine: 2, endColumn: 51, suggestions: [] }],
    },
    {
      code: 'class Queue { async add() {} }\nconst queue = new Queue();\nqueue.add();',
      options: [{ knownSafeCalls: ['queue.remove'] }],
      errors: [{ messageId: 'floating', line: 3, column: 1, endLine: 3, endColumn: 13, suggestions: [{ messageId: 'addAwait', output: 'class Queue { async add() {} }\nconst queue = new Queue();\nawait queue.add();' }, { messageId: 'addVoid', output: 'class Queue { async add() {} }\nconst queue = new Queue();\nvoid queue.add(); // fire-and-forget: not awaited on purpose' }] }],
    },
    {
      code: 'declare const ps: Promise<void>[];\nfunction f() { ps; }',
      errors: [{ messageId: 'floatingArray', line: 2, column: 16, endLine: 2, endColumn: 19 }],
    },
    {
      code: 'class MyPromise<T> extends Promise<T> {}\ndeclare function make(): MyPromise<number>;\nfunction f() { make(); }',
      errors: [{ messageId: 'floating', line: 3, column: 16, endLine: 3, endColumn: 23, suggestions: [voidOnly('class MyPromise<T> extends Promise<T> {}\ndeclare function make(): MyPromise<number>;\nfunction f() { ', 'make();', ' }')] }],
    },
    {
      code: 'declare function load(): Promise<boolean>;\nfunction f() { const ok = load(); }',
      errors: [{ messageId: 'storedNeverAwaited', line: 2, column: 22, endLine: 2, endColumn: 24, suggestions: [] }],
    },
    {
      code: 'declare const p: Promise<number> | undefined;\nfunction f() { p?.then(() => {}); }',
      errors: [{ messageId: 'floating', line: 2, column: 16, endLine: 2, endColumn: 34, suggestions: [voidOnly('declare const p: Promise<number> | undefined;\nfunction f() { ', 'p?.then(() => {});', ' }')] }],
    },
    {
      code: "import { Redis } from 'ioredis';\nfunction f(redis: Redis) { redis.get('k'); }",
      errors: [{ messageId: 'floating', line: 2, column: 28, endLine: 2, endColumn: 43, suggestions: [voidOnly("import { Redis } from 'ioredis';\nfunction f(redis: Redis) { ", "redis.get('k');", ' }')] }],
    },
  ],
});
