import rule from '../../src/rules/require-timeout.js';
import { at, runInBothModes, runTyped, runUntyped } from '../ruleTester.js';

const IMPORTS = "import { Redis, Cluster } from 'ioredis';\nimport { withTimeout } from '@asyncguard/runtime';\n";
const CLIENT = `${IMPORTS}const redis = new Redis();\n`;

const missingGet = `import { Redis } from 'ioredis';\nconst redis = new Redis();\nexport async function f() { return await redis.get('k'); }`;
const withRuntimeImport = `import { Redis } from 'ioredis';\nimport { TimeoutError } from '@asyncguard/runtime';\nconst redis = new Redis();\nexport async function f() { return redis.hgetall('h'); }\nexport { TimeoutError };`;
const noImports = `const Redis = require('ioredis');\nconst redis = new Redis();\nasync function f() { await redis.set('k', 'v'); }`;
const llama = `import { VectorStoreIndex, Document } from 'llamaindex';\nexport async function f(docs: Document[]) {\n  const index = await VectorStoreIndex.fromDocuments(docs);\n  const engine = index.asQueryEngine();\n  return withTimeout(engine.query({ query: 'q' }), 30000);\n}\nimport { withTimeout } from '@asyncguard/runtime';`;
const helper = `${CLIENT}async function getUser(id: string) { return redis.get(id); }\nexport async function a() { return getUser('1'); }\nexport async function b() { return withTimeout(getUser('2'), 1000); }`;

runInBothModes('require-timeout', rule, {
  valid: [
    `${CLIENT}export async function f() { return withTimeout(redis.get('k'), 2000); }`,
    `${CLIENT}export async function f() { return withTimeout(async () => { await redis.set('a', '1'); return redis.get('a'); }, 1500); }`,
    `${IMPORTS}const redis = new Redis({ commandTimeout: 500 });\nexport async function f() { return redis.get('k'); }`,
    `${IMPORTS}const cluster = new Cluster([], { redisOptions: { commandTimeout: 1000 } });\nexport async function f() { return cluster.get('k'); }`,
    `${IMPORTS}class Store {\n  private redis = new Redis({ port: 6380, commandTimeout: 800 });\n  get(k: string) { return this.redis.get(k); }\n}`,
    `${CLIENT}export async function f() {\n  return Promise.race([redis.get('k'), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000))]);\n}`,
    // Blocking commands are judged by their own timeout argument.
    `${CLIENT}export async function f() { return redis.blpop('queue', 5); }`,
    `${CLIENT}export async function f() { return redis.xread('BLOCK', 1000, 'STREAMS', 's', '$'); }`,
    // A promise stored in a const and bounded where it is used.
    `${CLIENT}export async function f(block: boolean) {\n  const pending = redis.get('k') as Promise<string | null>;\n  return block ? pending : withTimeout(pending, 1000);\n}`,
    // A helper whose every call is protected.
    `${CLIENT}async function getUser(id: string) { return redis.get(id); }\nexport async function b() { return withTimeout(getUser('2'), 1000); }`,
    { code: `${CLIENT}declare function pTimeout<T>(p: Promise<T>, o: object): Promise<T>;\nexport async function f() { return pTimeout(redis.get('k'), { milliseconds: 100 }); }`, options: [{ wrappers: ['pTimeout'] }] },
    // Queuing commands on a pipeline does no I/O; only exec() does.
    `${CLIENT}export async function f() { const p = redis.pipeline(); p.get('a'); p.set('b', '1'); return withTimeout(p.exec(), 2000); }`,
    // Not an ioredis client.
    "const redis = new Map<string, string>();\nexport function f() { return redis.get('k'); }",
    "import { getRedisManager } from '@asyncguard/runtime';\nconst manager = getRedisManager();\nexport async function f() { return manager.redis.get('k'); }",
    `${CLIENT}export async function f() { redis.on('error', () => {}); await redis.quit(); }`,
    { code: `${CLIENT}export async function f() { return withTimeout(redis.get('k'), 500); }`, options: [{ budgets: { redis: 500 } }] },
  ],
  invalid: [
    {
      code: missingGet,
      errors: [
        {
          messageId: 'missingTimeout',
          data: { operation: 'Redis GET', budget: 2000, category: 'redis' },
          ...at(missingGet, "redis.get('k')"),
          suggestions: [
            {
              messageId: 'wrapWithTimeout',
              data: { budget: 2000 },
              output: `import { Redis } from 'ioredis';\nimport { withTimeout } from '@asyncguard/runtime';\nconst redis = new Redis();\nexport async function f() { return await withTimeout(redis.get('k'), 2000); }`,
            },
          ],
        },
      ],
    },
    {
      code: withRuntimeImport,
      errors: [
        {
          messageId: 'missingTimeout',
          ...at(withRuntimeImport, "redis.hgetall('h')"),
          suggestions: [
            {
              messageId: 'wrapWithTimeout',
              output: withRuntimeImport.replace('{ TimeoutError }', '{ TimeoutError, withTimeout }').replace("redis.hgetall('h')", "withTimeout(redis.hgetall('h'), 2000)"),
            },
          ],
        },
      ],
    },
    {
      code: noImports,
      errors: [
        {
          messageId: 'missingTimeout',
          ...at(noImports, "redis.set('k', 'v')"),
          suggestions: [
            {
              messageId: 'wrapWithTimeout',
              output: `import { withTimeout } from '@asyncguard/runtime';\n${noImports.replace("redis.set('k', 'v')", "withTimeout(redis.set('k', 'v'), 2000)")}`,
            },
          ],
        },
      ],
    },
    {
      code: `${CLIENT}export async function f() { return withTimeout(redis.get('k'), 30000); }`,
      errors: [{ messageId: 'overBudget', data: { ms: 30000, category: 'redis', budget: 2000 }, ...at(`${CLIENT}export async function f() { return withTimeout(redis.get('k'), 30000); }`, '30000') }],
    },
    {
      code: `${IMPORTS}const redis = new Redis({ commandTimeout: 60 * 1000 });`,
      errors: [{ messageId: 'overBudget', data: { ms: 60000, category: 'redis', budget: 2000 }, ...at(`${IMPORTS}const redis = new Redis({ commandTimeout: 60 * 1000 });`, '60 * 1000') }],
    },
    {
      code: `${CLIENT}export async function f() { return redis.blpop('queue', 0); }`,
      errors: [{ messageId: 'blocksForever', data: { operation: 'Redis BLPOP', unit: 'seconds' }, ...at(`${CLIENT}export async function f() { return redis.blpop('queue', 0); }`, "redis.blpop('queue', 0)") }],
    },
    {
      code: `${CLIENT}export async function f() { return redis.xread('BLOCK', 0, 'STREAMS', 's', '$'); }`,
      errors: [{ messageId: 'blocksForever', data: { operation: 'Redis XREAD', unit: 'milliseconds' }, ...at(`${CLIENT}export async function f() { return redis.xread('BLOCK', 0, 'STREAMS', 's', '$'); }`, "redis.xread('BLOCK', 0, 'STREAMS', 's', '$')") }],
    },
    {
      code: `${CLIENT}export async function f() { return redis.scan('0', 'MATCH', 'a:*'); }`,
      errors: [
        {
          messageId: 'missingTimeout',
          data: { operation: 'Redis SCAN', budget: 2000, category: 'redisScan' },
          ...at(`${CLIENT}export async function f() { return redis.scan('0', 'MATCH', 'a:*'); }`, "redis.scan('0', 'MATCH', 'a:*')"),
          suggestions: [{ messageId: 'wrapWithTimeout', output: `${CLIENT}export async function f() { return withTimeout(redis.scan('0', 'MATCH', 'a:*'), 2000); }` }],
        },
      ],
    },
    {
      code: `${CLIENT}export async function f() { return redis.multi().incr('a').expire('a', 10).exec(); }`,
      errors: [
        {
          messageId: 'missingTimeout',
          data: { operation: 'Redis pipeline EXEC', budget: 2000, category: 'redis' },
          ...at(`${CLIENT}export async function f() { return redis.multi().incr('a').expire('a', 10).exec(); }`, "redis.multi().incr('a').expire('a', 10).exec()"),
          suggestions: [{ messageId: 'wrapWithTimeout', output: `${CLIENT}export async function f() { return withTimeout(redis.multi().incr('a').expire('a', 10).exec(), 2000); }` }],
        },
      ],
    },
    {
      code: llama,
      errors: [
        {
          messageId: 'missingTimeout',
          data: { operation: 'LlamaIndex fromDocuments()', budget: 30000, category: 'indexing' },
          ...at(llama, 'VectorStoreIndex.fromDocuments(docs)'),
          suggestions: [{ messageId: 'wrapWithTimeout', output: llama.replace('VectorStoreIndex.fromDocuments(docs)', 'withTimeout(VectorStoreIndex.fromDocuments(docs), 30000)') }],
        },
        { messageId: 'overBudget', data: { ms: 30000, category: 'search', budget: 10000 }, ...at(llama, '30000') },
      ],
    },
    {
      // The helper is also called without a timeout, so its Redis call is unprotected.
      code: helper,
      errors: [
        {
          messageId: 'missingTimeout',
          ...at(helper, 'redis.get(id)'),
          suggestions: [{ messageId: 'wrapWithTimeout', output: helper.replace('redis.get(id)', 'withTimeout(redis.get(id), 2000)') }],
        },
      ],
    },
    {
      code: `${CLIENT}export async function f() { return withTimeout(redis.get('k'), 1000); }`,
      options: [{ budgets: { redis: 500 } }],
      errors: [{ messageId: 'overBudget', data: { ms: 1000, category: 'redis', budget: 500 }, ...at(`${CLIENT}export async function f() { return withTimeout(redis.get('k'), 1000); }`, '1000') }],
    },
  ],
});

const storedUnbounded = `${CLIENT}export async function f() {\n  const pending = redis.get('k');\n  return pending;\n}`;
runInBothModes('require-timeout, stored promises', rule, {
  valid: [],
  invalid: [
    {
      code: storedUnbounded,
      errors: [{ messageId: 'missingTimeout', ...at(storedUnbounded, "redis.get('k')"), suggestions: [{ messageId: 'wrapWithTimeout', output: storedUnbounded.replace("redis.get('k')", "withTimeout(redis.get('k'), 2000)") }] }],
    },
  ],
});

// Without types a parameter annotated with an ioredis type counts too (the annotation names the package).
const typeOnlyParam = "import type { Redis } from 'ioredis';\nexport async function f(redis: Redis) { return redis.get('k'); }";
runUntyped('require-timeout, untyped only', rule, {
  valid: [
    // A local class of the same name is not ioredis's.
    "class Redis { get(k: string) { return Promise.resolve(k); } }\nexport async function f(redis: Redis) { return redis.get('k'); }",
  ],
  invalid: [
    {
      code: typeOnlyParam,
      errors: [
        {
          messageId: 'missingTimeout',
          ...at(typeOnlyParam, "redis.get('k')"),
          suggestions: [{ messageId: 'wrapWithTimeout', output: typeOnlyParam.replace("import type { Redis } from 'ioredis';", "import type { Redis } from 'ioredis';\nimport { withTimeout } from '@asyncguard/runtime';").replace("redis.get('k')", "withTimeout(redis.get('k'), 2000)") }],
        },
      ],
    },
  ],
});

const param = "import { Redis } from 'ioredis';\nexport async function f(redis: Redis) { return redis.get('k'); }";
runTyped('require-timeout, typed only', rule, {
  valid: [
    // Same name, not ioredis: the type says it is a local class.
    "class Redis { get(k: string) { return Promise.resolve(k); } }\nconst redis = new Redis();\nexport async function f() { return redis.get('k'); }",
  ],
  invalid: [
    {
      code: param,
      errors: [
        {
          messageId: 'missingTimeout',
          ...at(param, "redis.get('k')"),
          suggestions: [{ messageId: 'wrapWithTimeout', output: param.replace("import { Redis } from 'ioredis';", "import { Redis } from 'ioredis';\nimport { withTimeout } from '@asyncguard/runtime';").replace("redis.get('k')", "withTimeout(redis.get('k'), 2000)") }],
        },
      ],
    },
  ],
});
