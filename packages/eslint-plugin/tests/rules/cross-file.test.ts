/**
 * The untyped mode across files: RuleTester lints a file that lives in a fixture directory on
 * disk, so its relative imports resolve through the module index.
 */
import { afterAll } from 'vitest';
import noMissingAwait from '../../src/rules/no-missing-await.js';
import noRedisClientPerCall from '../../src/rules/no-redis-client-per-call.js';
import requireTimeout from '../../src/rules/require-timeout.js';
import { at, runUntyped } from '../ruleTester.js';
import { fixtureDir } from '../support/fixtureDir.js';

const dir = fixtureDir({
  'redis.ts': [
    "import Redis from 'ioredis';",
    'export const client = new Redis();',
    'export const bounded = new Redis({ commandTimeout: 1000 });',
    'export function createClient() { return new Redis(); }',
    'export async function connect() { const c = new Redis(); await c.connect(); return c; }',
    '',
  ].join('\n'),
  'base.ts': [
    "import type { Redis } from 'ioredis';",
    "import { client } from './redis';",
    'export class QueueBase {',
    '  protected connection = client;',
    '  get client(): Promise<Redis> { return Promise.resolve(this.connection); }',
    '  async close(): Promise<void> {}',
    '}',
    '',
  ].join('\n'),
  'job.ts': "export class Job {\n  addJob(): Promise<string> { return Promise.resolve('1'); }\n}\n",
  'producer-base.ts': "import { Job } from './job';\nexport class ProducerBase {\n  protected get Job(): typeof Job { return Job; }\n}\n",
  'helpers.ts': "export async function refresh(id: string) { return id; }\nexport function plain(id: string) { return id; }\n",
  'index.ts': "export * from './redis';\nexport * from './helpers';\n",
  'legacy.js': "const Redis = require('ioredis');\nmodule.exports = { shared: new Redis(), later: async () => 1 };\n",
});
afterAll(() => dir.remove());

/** The tester accepts a suggestion count (these tests are about what is reported, not the fixes); its types only name arrays. */
const ONE = 1 as unknown as readonly never[];

const file = dir.path('service.ts');
const jsFile = dir.path('service.js');

const imported = "import { client, bounded } from './redis';\nexport async function f() { await bounded.get('a'); return client.get('k'); }";
const viaIndex = "import * as lib from '.';\nexport async function f() { return lib.client.hgetall('h'); }";
const factory = "import { createClient, connect } from './redis.js';\nexport async function f() {\n  const a = createClient();\n  const b = await connect();\n  await a.set('x', '1');\n  return b.get('y');\n}";
const inherited = "import { QueueBase } from './base';\nexport class Queue extends QueueBase {\n  async count() {\n    const client = await this.client;\n    return client.llen('q');\n  }\n}";
const thenCallback = "import { QueueBase } from './base';\nexport class Queue extends QueueBase {\n  size() { return this.client.then((c) => c.scard('s')); }\n}";
const required = "const { shared } = require('./legacy');\nasync function f() { return shared.get('k'); }\nmodule.exports = { f };";

runUntyped('require-timeout across files', requireTimeout, {
  valid: [
    // commandTimeout set where the client was made, in another module.
    { code: "import { bounded } from './redis';\nexport async function f() { return bounded.get('k'); }", filename: file },
    // Missing and unresolvable modules teach nothing.
    { code: "import { client } from './nowhere';\nexport async function f() { return client.get('k'); }", filename: file },
    { code: "import { client } from 'some-package';\nexport async function f() { return client.get('k'); }", filename: file },
    // A non-client export with a command-like method name.
    { code: "import { plain } from './helpers';\nexport function f() { return plain.call(null, 'x'); }", filename: file },
  ],
  invalid: [
    { code: imported, filename: file, errors: [{ messageId: 'missingTimeout', ...at(imported, "client.get('k')"), suggestions: ONE }] },
    { code: viaIndex, filename: file, errors: [{ messageId: 'missingTimeout', ...at(viaIndex, "lib.client.hgetall('h')"), suggestions: ONE }] },
    {
      code: factory,
      filename: file,
      errors: [
        { messageId: 'missingTimeout', ...at(factory, "a.set('x', '1')"), suggestions: ONE },
        { messageId: 'missingTimeout', ...at(factory, "b.get('y')"), suggestions: ONE },
      ],
    },
    { code: inherited, filename: file, errors: [{ messageId: 'missingTimeout', ...at(inherited, "client.llen('q')"), suggestions: ONE }] },
    { code: thenCallback, filename: file, errors: [{ messageId: 'missingTimeout', ...at(thenCallback, "c.scard('s')"), suggestions: ONE }] },
    { code: required, filename: jsFile, errors: [{ messageId: 'missingTimeout', ...at(required, "shared.get('k')"), suggestions: ONE }] },
  ],
});

const floatingImport = "import { refresh, plain } from './helpers';\nexport function f() {\n  plain('a');\n  refresh('b');\n}";
const floatingMethod = "import { QueueBase } from './base';\nexport class Queue extends QueueBase {\n  stop() {\n    this.close();\n  }\n}";
const floatingRequire = "const legacy = require('./legacy');\nfunction f() {\n  legacy.later();\n}\nmodule.exports = { f };";
// A getter typed `typeof Job` hands out the class itself (bullmq's `new this.Job(...)`), here and inherited.
const floatingTypeofGetter = "import { Job } from './job';\nexport class Producer {\n  protected get Job(): typeof Job { return Job; }\n  add() {\n    const job = new this.Job();\n    job.addJob();\n  }\n}";
const floatingInheritedGetter = "import { ProducerBase } from './producer-base';\nexport class Producer extends ProducerBase {\n  add() {\n    const job = new this.Job();\n    job.addJob();\n  }\n}";
const floatingRedis = "import { client } from './index';\nexport function f() {\n  client.set('k', 'v');\n}";

runUntyped('no-missing-await across files', noMissingAwait, {
  valid: [
    { code: "import { refresh } from './helpers';\nexport async function f() { await refresh('a'); }", filename: file },
    { code: "import { plain } from './helpers';\nexport function f() { plain('a'); }", filename: file },
    { code: "import { ProducerBase } from './producer-base';\nexport class Producer extends ProducerBase {\n  async add() { await new this.Job().addJob(); }\n}", filename: file },
    { code: "import { QueueBase } from './base';\nexport class Queue extends QueueBase {\n  async stop() { await this.close(); }\n}", filename: file },
  ],
  invalid: [
    { code: floatingImport, filename: file, errors: [{ messageId: 'floating', ...at(floatingImport, "refresh('b');"), suggestions: ONE }] },
    { code: floatingMethod, filename: file, errors: [{ messageId: 'floating', ...at(floatingMethod, 'this.close();'), suggestions: ONE }] },
    { code: floatingRequire, filename: jsFile, errors: [{ messageId: 'floating', ...at(floatingRequire, 'legacy.later();'), suggestions: ONE }] },
    { code: floatingTypeofGetter, filename: file, errors: [{ messageId: 'floating', ...at(floatingTypeofGetter, 'job.addJob();'), suggestions: ONE }] },
    { code: floatingInheritedGetter, filename: file, errors: [{ messageId: 'floating', ...at(floatingInheritedGetter, 'job.addJob();'), suggestions: ONE }] },
    { code: floatingRedis, filename: file, errors: [{ messageId: 'floating', ...at(floatingRedis, "client.set('k', 'v');"), suggestions: ONE }] },
  ],
});

const duplicated = "import { client } from './redis';\nexport async function handle() {\n  const sub = client.duplicate();\n  return sub;\n}";
runUntyped('no-redis-client-per-call across files', noRedisClientPerCall, {
  valid: [{ code: "import { client } from './redis';\nconst sub = client.duplicate();\nexport { sub };", filename: file }],
  invalid: [{ code: duplicated, filename: file, errors: [{ messageId: 'clientPerCall', ...at(duplicated, 'client.duplicate()') }] }],
});
