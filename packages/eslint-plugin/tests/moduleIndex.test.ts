import { utimesSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ModuleIndex, memberOf, methodCall, type Value } from '../src/util/moduleIndex/index.js';
import { fixtureDir } from './support/fixtureDir.js';

/** A short, comparable description of a value (calls functions once to show what they return). */
function show(v: Value | null, depth = 0): string {
  if (!v) return 'null';
  switch (v.kind) {
    case 'redis':
      return v.commandTimeout ? 'redis(commandTimeout)' : 'redis';
    case 'promise':
      return `promise<${show(v.of, depth + 1)}>`;
    case 'function':
      return depth > 3 ? 'fn' : `fn→${show(v.call(0), depth + 1)}`;
    case 'llama':
      return `llama:${v.llama}${v.staticClass ? ':static' : ''}`;
    case 'external':
      return `external:${v.module}:${v.path.join('.')}`;
    default:
      return v.kind;
  }
}

const files = {
  'clients.ts': [
    "import Redis, { Cluster } from 'ioredis';",
    "import { createClient } from 'redis';",
    'export const shared = new Redis({ commandTimeout: 1000 });',
    'export const plain = new Redis();',
    'export default new Cluster([], { redisOptions: { commandTimeout: 500 } });',
    'export function makeClient() { return new Redis(); }',
    'export async function connectClient() { const c = new Redis(); await c.connect(); return c; }',
    'export const nodeRedis = createClient();',
    "export async function load(): Promise<string> { return 'x'; }",
    'export const arrow = async () => 1;',
    'export function notAsync() { return 1; }',
    'export function annotated(): Promise<number> { return Promise.resolve(1); }',
    '',
  ].join('\n'),
  'store.ts': [
    "import type { Redis } from 'ioredis';",
    "import { plain, makeClient } from './clients';",
    'export class Store {',
    '  field = plain;',
    '  assigned: unknown;',
    '  made: unknown;',
    '  constructor(private readonly injected: Redis) {',
    '    this.assigned = plain;',
    '    this.made = makeClient();',
    '  }',
    '  get client(): Promise<Redis> { return Promise.resolve(this.injected); }',
    '  get inferred() { return this.field; }',
    '  async save() {}',
    '  sync(): number { return 1; }',
    '}',
    'export class SubStore extends Store {}',
    'export interface Context { get client(): Promise<Redis>; run(): Promise<void>; }',
    'export interface Wider extends Context { name: string }',
    'export type Alias = Redis;',
    '',
  ].join('\n'),
  'reexports.ts': "export * from './clients';\nexport { Store as RenamedStore } from './store';\nexport * as ns from './clients';\n",
  'dir/index.ts': "export { plain as viaIndex } from '../clients.js';\n",
  'esm.ts': "import { shared } from './clients.js';\nexport const again = shared;\nexport { viaIndex } from './dir';\n",
  'cjs.js': [
    "const Redis = require('ioredis');",
    "const { plain } = require('./clients');",
    'const client = new Redis();',
    'async function get() { return 1; }',
    'module.exports = { client, get, plain };',
    '',
  ].join('\n'),
  'cjs-exports.js': "const clients = require('./clients');\nexports.fromRequire = clients.plain;\nexports.factory = () => new (require('ioredis'))();\n",
  'cycle-a.ts': "export * from './cycle-b';\nimport { b } from './cycle-b';\nexport const a = b;\n",
  'cycle-b.ts': "export * from './cycle-a';\nimport { a } from './cycle-a';\nexport const b = a;\n",
  'broken.ts': 'export const = = ;\nexport class {{{\n',
  'uses-missing.ts': "import { nothing } from './missing';\nexport const alsoNothing = nothing;\n",
  'mutable.ts': "import { Redis } from 'ioredis';\nexport const value = new Redis();\n",
};

const dir = fixtureDir(files);
afterAll(() => dir.remove());

const index = new ModuleIndex();
const exported = (file: string, name: string): Value | null => index.exportValue(dir.path(file), name, 0, new Set());

describe('module index', () => {
  it('follows named and default exports to clients, factories and async functions', () => {
    expect(show(exported('clients.ts', 'shared'))).toBe('redis(commandTimeout)');
    expect(show(exported('clients.ts', 'plain'))).toBe('redis');
    expect(show(exported('clients.ts', 'default'))).toBe('redis(commandTimeout)');
    expect(show(exported('clients.ts', 'makeClient'))).toBe('fn→redis');
    expect(show(exported('clients.ts', 'connectClient'))).toBe('fn→promise<redis>');
    expect(show(exported('clients.ts', 'nodeRedis'))).toBe('redis');
    expect(show(exported('clients.ts', 'load'))).toBe('fn→promise<null>');
    expect(show(exported('clients.ts', 'arrow'))).toBe('fn→promise<null>');
    expect(show(exported('clients.ts', 'annotated'))).toBe('fn→promise<null>');
    expect(show(exported('clients.ts', 'notAsync'))).toBe('fn→null');
  });

  it('imports by name, default and namespace from the importing file, and leaves packages as package exports', () => {
    const from = dir.path('app.ts');
    expect(show(index.importValue(from, './clients', 'plain', 0))).toBe('redis');
    expect(show(index.importValue(from, './clients.js', 'default', 0))).toBe('redis(commandTimeout)');
    const ns = index.importValue(from, './clients', '*', 0);
    expect(ns?.kind).toBe('namespace');
    expect(show(memberOf(ns, 'shared', 0))).toBe('redis(commandTimeout)');
    expect(show(index.importValue(from, 'ioredis', 'Redis', 0))).toBe('external:ioredis:Redis');
  });

  it('follows re-exports: export *, export { x as y } from, export * as ns, index files and .js specifiers', () => {
    expect(show(exported('reexports.ts', 'connectClient'))).toBe('fn→promise<redis>');
    expect(exported('reexports.ts', 'RenamedStore')?.kind).toBe('class');
    expect(show(memberOf(exported('reexports.ts', 'ns'), 'plain', 0))).toBe('redis');
    expect(show(exported('esm.ts', 'again'))).toBe('redis(commandTimeout)');
    expect(show(exported('esm.ts', 'viaIndex'))).toBe('redis');
  });

  it('reads CommonJS: require, destructured require, module.exports objects and exports.x', () => {
    expect(show(exported('cjs.js', 'client'))).toBe('redis');
    expect(show(exported('cjs.js', 'get'))).toBe('fn→promise<null>');
    expect(show(exported('cjs.js', 'plain'))).toBe('redis');
    expect(show(exported('cjs-exports.js', 'fromRequire'))).toBe('redis');
    expect(show(exported('cjs-exports.js', 'factory'))).toBe('fn→redis');
  });

  it('knows class fields, this.x in constructors, parameter properties, getters, methods and inheritance', () => {
    const store = exported('store.ts', 'Store');
    expect(store?.kind).toBe('class');
    const instance: Value | null = store?.kind === 'class' ? { kind: 'instance', cls: store.cls } : null;
    expect(show(memberOf(instance, 'field', 0))).toBe('redis');
    expect(show(memberOf(instance, 'assigned', 0))).toBe('redis');
    expect(show(memberOf(instance, 'made', 0))).toBe('redis');
    expect(show(memberOf(instance, 'injected', 0))).toBe('redis');
    expect(show(memberOf(instance, 'client', 0))).toBe('promise<redis>');
    expect(show(memberOf(instance, 'inferred', 0))).toBe('redis');
    expect(show(methodCall(instance, 'save', false, 0))).toBe('promise<null>');
    expect(show(methodCall(instance, 'sync', false, 0))).toBe('null');
    expect(show(memberOf(instance, 'unknownMember', 0))).toBe('null');
    const sub = exported('store.ts', 'SubStore');
    const subInstance: Value | null = sub?.kind === 'class' ? { kind: 'instance', cls: sub.cls } : null;
    expect(show(memberOf(subInstance, 'client', 0))).toBe('promise<redis>');
  });

  it('reads interfaces (getters, method signatures, extends) and type aliases naming package types', () => {
    const wider = exported('store.ts', 'Wider');
    const instance: Value | null = wider?.kind === 'class' ? { kind: 'instance', cls: wider.cls } : null;
    expect(show(memberOf(instance, 'client', 0))).toBe('promise<redis>');
    expect(show(methodCall(instance, 'run', false, 0))).toBe('promise<null>');
    const alias = exported('store.ts', 'Alias');
    expect(alias?.kind === 'type' ? show(alias.instance(0)) : 'not a type').toBe('redis');
  });

  it('terminates on import and re-export cycles, and learns nothing from missing or unparsable modules', () => {
    expect(exported('cycle-a.ts', 'a')).toBeNull();
    expect(exported('cycle-a.ts', 'nonexistent')).toBeNull();
    expect(exported('broken.ts', 'x')).toBeNull();
    expect(exported('uses-missing.ts', 'alsoNothing')).toBeNull();
    expect(index.importValue(dir.path('app.ts'), './missing', 'x', 0)).toBeNull();
    expect(exported('no-such-file.ts', 'x')).toBeNull();
  });

  it('parses each module once, and again only when its mtime changes', () => {
    const fresh = new ModuleIndex();
    const file = dir.path('mutable.ts');
    expect(show(fresh.exportValue(file, 'value', 0, new Set()))).toBe('redis');
    fresh.sources.nextGeneration();
    expect(show(fresh.exportValue(file, 'value', 0, new Set()))).toBe('redis');
    expect(fresh.sources.parses).toBe(1);
    dir.write('mutable.ts', 'export const value = 42;\n');
    const later = new Date(Date.now() + 60_000);
    utimesSync(file, later, later);
    // Within one generation the module is not stat-ed again.
    expect(show(fresh.exportValue(file, 'value', 0, new Set()))).toBe('redis');
    fresh.sources.nextGeneration();
    expect(show(fresh.exportValue(file, 'value', 0, new Set()))).toBe('null');
    expect(fresh.sources.parses).toBe(2);
  });
});
