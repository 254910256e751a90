import rule from '../../src/rules/no-io-in-constructor.js';
import { at, runInBothModes, runTyped, runUntyped } from '../ruleTester.js';

const connects = "import { Redis } from 'ioredis';\nexport class Cache {\n  redis: Redis;\n  constructor() {\n    this.redis = new Redis({ host: 'h' });\n  }\n}";
const command = "import { Redis } from 'ioredis';\nconst redis = new Redis({ lazyConnect: true });\nexport class Users {\n  constructor() { redis.hgetall('users'); }\n}";
const init = 'export class Index {\n  ready: Promise<void>;\n  constructor() { this.ready = this.load().then(() => undefined); }\n  async load() {}\n}';
const fetchCall = "export class Client { data: Promise<Response>; constructor(url: string) { this.data = fetch(url); } }";
const fsRead = "import fs from 'node:fs';\nexport class Config { text: string; constructor() { this.text = fs.readFileSync('c.json', 'utf8'); } }";
const promise = 'export class Timer { p: Promise<void>; constructor() { this.p = new Promise((r) => setTimeout(r, 10)); } }';
const connectCall = 'export class Db { constructor(private pool: { connect(): void }) { pool.connect(); } }';

runInBothModes('no-io-in-constructor', rule, {
  valid: [
    "import { Redis } from 'ioredis';\nexport class Cache { redis = new Redis({ lazyConnect: true }); constructor() { this.redis = new Redis({ lazyConnect: true }); } }",
    "import { Cluster } from 'ioredis';\nexport class Cache { c: Cluster; constructor() { this.c = new Cluster([], { redisOptions: { lazyConnect: true } }); } }",
    // Work inside callbacks runs later, not during construction.
    "import { Redis } from 'ioredis';\nconst redis = new Redis();\nexport class Users { get: () => Promise<unknown>; constructor() { this.get = () => redis.hgetall('users'); } }",
    'export class Plain { n: number; constructor() { this.n = Math.max(1, 2); } }',
    'export class Svc { async init() {} constructor() {} }',
    { code: connectCall, options: [{ allow: ['pool.connect'] }] },
  ],
  invalid: [
    { code: connects, errors: [{ messageId: 'connects', data: { what: "new Redis({ host: 'h' })" }, ...at(connects, "new Redis({ host: 'h' })") }] },
    { code: command, errors: [{ messageId: 'startsIo', data: { what: "redis.hgetall('users')" }, ...at(command, "redis.hgetall('users')") }] },
    // Only the outermost expression is reported.
    { code: init, errors: [{ messageId: 'startsIo', data: { what: 'this.load().then(() => undefined)' }, ...at(init, 'this.load().then(() => undefined)') }] },
    { code: fetchCall, errors: [{ messageId: 'startsIo', data: { what: 'fetch(url)' }, ...at(fetchCall, 'fetch(url)') }] },
    { code: fsRead, errors: [{ messageId: 'startsIo', data: { what: "fs.readFileSync('c.json', 'utf8')" }, ...at(fsRead, "fs.readFileSync('c.json', 'utf8')") }] },
    { code: promise, errors: [{ messageId: 'startsIo', data: { what: 'new Promise(...)' }, ...at(promise, 'new Promise((r) => setTimeout(r, 10))') }] },
    { code: connectCall, errors: [{ messageId: 'startsIo', data: { what: 'pool.connect()' }, ...at(connectCall, 'pool.connect()') }] },
  ],
});

const injected = 'export class Repo { constructor(private store: { load(): Promise<void> }) { store.load(); } }';
runUntyped('no-io-in-constructor, untyped only', rule, { valid: [injected], invalid: [] });
runTyped('no-io-in-constructor, typed only', rule, {
  valid: ['export class Repo { constructor(private store: { load(): number }) { store.load(); } }'],
  invalid: [{ code: injected, errors: [{ messageId: 'startsIo', data: { what: 'store.load()' }, ...at(injected, 'store.load()') }] }],
});
