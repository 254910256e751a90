import rule from '../../src/rules/no-redis-client-per-call.js';
import { at, runInBothModes, runTyped, runUntyped } from '../ruleTester.js';

const handler = "import Redis from 'ioredis';\nexport async function handler(key: string) {\n  const redis = new Redis();\n  return redis.get(key);\n}";
const arrow = "import { Cluster } from 'ioredis';\nexport const route = async () => new Cluster([{ host: 'h', port: 1 }]);";
const nodeRedis = "import { createClient } from 'redis';\nexport async function f() { const c = createClient(); await c.connect(); }";
const duplicate = "import { Redis } from 'ioredis';\nconst redis = new Redis();\nexport function subscriber() { return redis.duplicate(); }";
const method = "import { Redis } from 'ioredis';\nclass Api { get() { return new Redis().get('k'); } }\nexport { Api };";

runInBothModes('no-redis-client-per-call', rule, {
  valid: [
    "import Redis from 'ioredis';\nexport const redis = new Redis();\nexport async function f() { return redis.get('k'); }",
    "import { Redis } from 'ioredis';\nclass Store { private redis = new Redis(); }\nexport { Store };",
    "import { Redis } from 'ioredis';\nlet client: Redis | undefined;\nexport function getClient() { return (client ??= new Redis()); }",
    "import { Redis } from 'ioredis';\nlet client: Redis | undefined;\nexport function getClient() { if (!client) client = new Redis(); return client; }",
    "import { Redis } from 'ioredis';\nclass Store { redis?: Redis; connect() { this.redis = new Redis(); } }\nexport { Store };",
    "import { Redis } from 'ioredis';\nconst cache: { redis?: Redis } = {};\nexport function get() { return (cache.redis ??= new Redis()); }",
    "import { Redis } from 'ioredis';\nexport const shared = (() => new Redis())();",
    { code: "import { Redis } from 'ioredis';\nexport function createRedisClient() { return new Redis(); }", options: [{ factories: ['createRedisClient'] }] },
    { code: "import { Redis } from 'ioredis';\nexport class RedisPool { add() { return new Redis(); } }", options: [{ factories: ['RedisPool'] }] },
    'class Redis {}\nexport function f() { return new Redis(); }',
  ],
  invalid: [
    {
      code: "import { Redis } from 'ioredis';\nexport function handler(req: { redis?: Redis }) { req.redis = new Redis(); }",
      errors: [{ messageId: 'clientPerCall', data: { what: 'new Redis()', where: 'handler()' }, ...at("import { Redis } from 'ioredis';\nexport function handler(req: { redis?: Redis }) { req.redis = new Redis(); }", 'new Redis()') }],
    },
    { code: handler, errors: [{ messageId: 'clientPerCall', data: { what: 'new Redis()', where: 'handler()' }, ...at(handler, 'new Redis()') }] },
    { code: arrow, errors: [{ messageId: 'clientPerCall', data: { what: 'new Cluster()', where: 'route()' }, ...at(arrow, "new Cluster([{ host: 'h', port: 1 }])") }] },
    { code: nodeRedis, errors: [{ messageId: 'clientPerCall', data: { what: 'createClient()', where: 'f()' }, ...at(nodeRedis, 'createClient()') }] },
    { code: duplicate, errors: [{ messageId: 'clientPerCall', data: { what: 'redis.duplicate()', where: 'subscriber()' }, ...at(duplicate, 'redis.duplicate()') }] },
    { code: method, errors: [{ messageId: 'clientPerCall', data: { what: 'new Redis()', where: 'get()' }, ...at(method, 'new Redis()') }] },
    {
      code: "import { Redis } from 'ioredis';\nlet client: Redis | undefined;\nexport function getClient() { client = new Redis(); return client; }",
      options: [{ allowMemoized: false }],
      errors: [{ messageId: 'clientPerCall', ...at("import { Redis } from 'ioredis';\nlet client: Redis | undefined;\nexport function getClient() { client = new Redis(); return client; }", 'new Redis()') }],
    },
  ],
});

// A client class re-exported from another module: only the type knows it is ioredis.
const reexport = "import * as lib from 'ioredis';\nconst Client = lib.Redis;\nexport function f() { return new Client(); }";
runUntyped('no-redis-client-per-call, untyped only', rule, { valid: [reexport], invalid: [] });
runTyped('no-redis-client-per-call, typed only', rule, {
  valid: [],
  invalid: [{ code: reexport, errors: [{ messageId: 'clientPerCall', data: { what: 'new Client()', where: 'f()' }, ...at(reexport, 'new Client()') }] }],
});
