import rule from '../../src/rules/no-blocking-in-async.js';
import { at, runInBothModes, runTyped, runUntyped } from '../ruleTester.js';

const readSync = "import { readFileSync } from 'node:fs';\nexport async function load() {\n  return readFileSync('config.json', 'utf8');\n}";
const nsSync = "import * as fs from 'fs';\nexport const handler = async () => {\n  [1, 2].forEach(() => fs.writeFileSync('a', 'b'));\n};";
const defaultChild = "import cp from 'node:child_process';\nclass Job { async run() { return cp.execSync('ls'); } }\nexport { Job };";
const requireZlib = "const zlib = require('zlib');\nasync function pack(b: Buffer) { return zlib.gzipSync(b); }";
const kdf = "import crypto from 'node:crypto';\nexport async function hash(p: string) { return crypto.pbkdf2Sync(p, 's', 100000, 64, 'sha512'); }";
const atomics = 'export async function wait(sab: Int32Array) { Atomics.wait(sab, 0, 0, 100); }';
const busy = 'export async function pause(ms: number) {\n  const end = Date.now() + ms;\n  while (Date.now() < end) {}\n}';
const spin = 'export async function poll(flag: { done: boolean }) {\n  while (true) {\n    if (flag.done) break;\n  }\n}';
const helper = "import { readFileSync } from 'node:fs';\nfunction loadConfig() { return JSON.parse(readFileSync('c.json', 'utf8')); }\nfunction settings() { return loadConfig().settings; }\nexport async function start() {\n  return settings();\n}";
const sleepHelper = 'function sleep(ms: number) { const end = Date.now() + ms; while (Date.now() < end) {} }\nexport async function retry() { sleep(50); }';

runInBothModes('no-blocking-in-async', rule, {
  valid: [
    // Module top level and sync functions are not async code.
    "import { readFileSync } from 'node:fs';\nexport const config = readFileSync('c.json', 'utf8');",
    "import { readFileSync } from 'node:fs';\nexport function load() { return readFileSync('c.json', 'utf8'); }",
    "import { readFile } from 'node:fs/promises';\nexport async function load() { return readFile('c.json', 'utf8'); }",
    // A local function that happens to have a blocking name.
    'function readFileSync(p: string) { return p; }\nexport async function f() { return readFileSync("x"); }',
    'export async function f(queue: { next(): Promise<number | null> }) {\n  while (true) {\n    const job = await queue.next();\n    if (job === null) break;\n  }\n}',
    'export async function f() { for (let i = 0; i < 10; i++) { Date.now(); } }',
    'export async function* ticks() { while (true) { yield Date.now(); } }',
    { code: "import { existsSync } from 'node:fs';\nexport async function f() { return existsSync('x'); }", options: [{ allow: ['fs.existsSync'] }] },
    { code: spin, options: [{ checkLoops: false }] },
    { code: helper, options: [{ helperDepth: 1 }] },
    "import { readFileSync } from 'node:fs';\nfunction loadConfig() { return readFileSync('c', 'utf8'); }\nexport const config = loadConfig();",
  ],
  invalid: [
    {
      code: readSync,
      errors: [{ messageId: 'blockingCall', data: { what: 'fs.readFileSync', hint: "use `await readFile()` from 'node:fs/promises'" }, ...at(readSync, "readFileSync('config.json', 'utf8')") }],
    },
    { code: nsSync, errors: [{ messageId: 'blockingCall', data: { what: 'fs.writeFileSync', hint: "use `await writeFile()` from 'node:fs/promises'" }, ...at(nsSync, "fs.writeFileSync('a', 'b')") }] },
    { code: defaultChild, errors: [{ messageId: 'blockingCall', data: { what: 'child_process.execSync', hint: 'use `exec` (promisified) or `spawn`' }, ...at(defaultChild, "cp.execSync('ls')") }] },
    { code: requireZlib, errors: [{ messageId: 'blockingCall', data: { what: 'zlib.gzipSync', hint: 'use the callback form `zlib.gzip` promisified, or the stream API' }, ...at(requireZlib, 'zlib.gzipSync(b)') }] },
    { code: kdf, errors: [{ messageId: 'blockingCall', data: { what: 'crypto.pbkdf2Sync', hint: 'use the callback form `crypto.pbkdf2` promisified, or offload() it to a worker' }, ...at(kdf, "crypto.pbkdf2Sync(p, 's', 100000, 64, 'sha512')") }] },
    { code: atomics, errors: [{ messageId: 'blockingCall', data: { what: 'Atomics.wait', hint: 'use `Atomics.waitAsync`' }, ...at(atomics, 'Atomics.wait(sab, 0, 0, 100)') }] },
    { code: busy, errors: [{ messageId: 'busyWait', ...at(busy, 'while (Date.now() < end) {}') }] },
    { code: spin, errors: [{ messageId: 'infiniteLoop', ...at(spin, 'while (true) {\n    if (flag.done) break;\n  }') }] },
    {
      code: helper,
      errors: [
        {
          messageId: 'blockingHelper',
          data: { name: 'settings', cause: 'loadConfig() → fs.readFileSync', hint: "use `await readFile()` from 'node:fs/promises'" },
          ...at(helper, 'settings()', 1),
        },
      ],
    },
    {
      code: sleepHelper,
      errors: [{ messageId: 'blockingHelper', data: { name: 'sleep', cause: 'a busy-wait loop', hint: "use `await setTimeout(ms)` from 'node:timers/promises'" }, ...at(sleepHelper, 'sleep(50)') }],
    },
    {
      code: "import legacy from 'legacy-db';\nexport async function f() { return legacy.querySync('select 1'); }",
      options: [{ deny: [{ name: 'legacy-db.querySync', hint: 'use legacy.query()' }] }],
      errors: [{ messageId: 'blockingCall', data: { what: 'legacy-db.querySync', hint: 'use legacy.query()' }, ...at("import legacy from 'legacy-db';\nexport async function f() { return legacy.querySync('select 1'); }", "legacy.querySync('select 1')") }],
    },
    {
      code: 'export async function f(db: { querySync(q: string): void }) { db.querySync("q"); }',
      options: [{ deny: [{ name: 'db.querySync' }] }],
      errors: [{ messageId: 'blockingCall', data: { what: 'db.querySync', hint: 'use an asynchronous variant, or offload() it to a worker thread' }, ...at('export async function f(db: { querySync(q: string): void }) { db.querySync("q"); }', 'db.querySync("q")') }],
    },
  ],
});

const viaParam = "import type * as fs from 'node:fs';\nexport async function f(files: typeof fs) { return files.readFileSync('x'); }";
runUntyped('no-blocking-in-async, untyped only', rule, { valid: [viaParam], invalid: [] });
runTyped('no-blocking-in-async, typed only', rule, {
  valid: ['export async function f(x: { readFileSync(p: string): string }) { return x.readFileSync("p"); }'],
  invalid: [{ code: viaParam, errors: [{ messageId: 'blockingCall', data: { what: 'fs.readFileSync', hint: "use `await readFile()` from 'node:fs/promises'" }, ...at(viaParam, "files.readFileSync('x')") }] }],
});
