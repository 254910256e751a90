/**
 * Consumer smoke test: pack every publishable package as npm would publish it, install the
 * tarballs with npm in a directory outside the workspace, then use them the way a user does:
 * require() and import() every entry, type-check imports of every entry from ESM and CommonJS,
 * run every bin, and lint a file with ESLint and the packed plugin. Workspace links can hide a
 * missing `exports` entry, bin or declaration file; this cannot.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSUMER_EXTRAS, CONTRACT } from './contract.js';

const run = promisify(execFile);
const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
let consumer = '';

interface PackedManifest {
  exports: Record<string, unknown>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  repository?: { type?: string; url?: string; directory?: string };
  homepage?: string;
  bugs?: { url?: string };
  keywords?: string[];
  sideEffects?: boolean | string[];
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const manifestOf = async (name: string): Promise<PackedManifest> =>
  JSON.parse(await readFile(join(consumer, 'node_modules', name, 'package.json'), 'utf8')) as PackedManifest;

/** Every file path named anywhere in an `exports` value (conditions nest). */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
}

const specifier = (name: string, entry: string): string => (entry === '.' ? name : `${name}/${entry.slice(2)}`);

async function node(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, args, { cwd: consumer, timeout: 60_000 });
  return stdout;
}

beforeAll(async () => {
  consumer = await mkdtemp(join(tmpdir(), 'asyncguard-consumer-'));
  const tarballs: string[] = [];
  for (const pkg of CONTRACT) {
    if (!existsSync(join(repo, pkg.dir, 'dist'))) throw new Error(`${pkg.dir}/dist is missing: run "pnpm build" first`);
    await run('pnpm', ['pack', '--pack-destination', consumer], { cwd: join(repo, pkg.dir) });
  }
  for (const file of await readdir(consumer)) if (file.endsWith('.tgz')) tarballs.push(`./${file}`);
  expect(tarballs).toHaveLength(CONTRACT.length);
  await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'asyncguard-consumer', private: true, version: '0.0.0' }));
  // --ignore-scripts: the consumer needs no native builds (llamaindex's optional tree-sitter).
  await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', ...tarballs, ...CONSUMER_EXTRAS], {
    cwd: consumer,
    timeout: 540_000,
  });
});

afterAll(async () => {
  if (consumer !== '') await rm(consumer, { recursive: true, force: true });
});

describe.each(CONTRACT)('$name as installed from its tarball', (pkg) => {
  it('keeps its export map, bins and the files they name', async () => {
    const manifest = await manifestOf(pkg.name);
    expect(Object.keys(manifest.exports).filter((k) => k !== './package.json').sort()).toEqual([...pkg.entries].sort());
    expect(Object.keys(manifest.bin ?? {}).sort()).toEqual([...(pkg.bins ?? [])].sort());
    for (const target of [...exportTargets(manifest.exports), ...Object.values(manifest.bin ?? {})]) {
      expect(existsSync(join(consumer, 'node_modules', pkg.name, target)), `${pkg.name}: ${target}`).toBe(true);
    }
    for (const entry of pkg.entries) {
      const conditions = manifest.exports[entry] as Record<string, { types?: string }>;
      expect(conditions.import?.types, `${pkg.name} ${entry}: import types`).toMatch(/\.d\.ts$/);
      expect(conditions.require?.types, `${pkg.name} ${entry}: require types`).toMatch(/\.d\.cts$/);
    }
    for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
      expect(range, `${pkg.name} depends on ${dep} with an unpublishable range`).not.toMatch(/^(workspace|catalog):/);
    }
  });

  it('says where it comes from, where to report bugs, and which files have side effects', async () => {
    const manifest = await manifestOf(pkg.name);
    expect(manifest.repository).toEqual({ type: 'git', url: 'git+https://github.com/asyncguard/asyncguard.git', directory: pkg.dir });
    expect(manifest.homepage).toBe(`https://github.com/asyncguard/asyncguard/tree/main/${pkg.dir}#readme`);
    expect(manifest.bugs?.url).toBe('https://github.com/asyncguard/asyncguard/issues');
    expect(manifest.keywords?.length ?? 0).toBeGreaterThan(2);
    // A bundler drops an import whose module is side-effect free: an entry that registers
    // something when imported (testkit's ./vitest calls expect.extend) must be listed.
    for (const entry of pkg.vitestOnly ?? []) {
      const targets = exportTargets(manifest.exports[entry]).filter((t) => /\.c?js$/.test(t));
      expect(targets.length).toBeGreaterThan(0);
      expect(manifest.sideEffects, `${pkg.name} ${entry}`).toEqual(expect.arrayContaining(targets));
    }
    // Peers only some entries load are optional: installing the package never demands them.
    for (const peer of Object.keys(manifest.peerDependencies ?? {})) {
      if (pkg.requiredPeers?.includes(peer)) continue;
      expect(manifest.peerDependenciesMeta?.[peer]?.optional, `${pkg.name}: peer ${peer} should be optional`).toBe(true);
    }
  });

  it('loads every entry with require() and with import()', async () => {
    for (const entry of pkg.entries.filter((e) => !(pkg.vitestOnly ?? []).includes(e))) {
      const spec = specifier(pkg.name, entry);
      const cjs = await node(['-e', `const m = require(${JSON.stringify(spec)}); console.log(Object.keys(m).length)`]);
      const esm = await node(['--input-type=module', '-e', `const m = await import(${JSON.stringify(spec)}); console.log(Object.keys(m).length)`]);
      expect(Number(cjs), `require(${spec}) exports`).toBeGreaterThan(0);
      expect(Number(esm), `import(${spec}) exports`).toBeGreaterThan(0);
    }
  });

});

describe.each(CONTRACT.filter((p) => p.vitestOnly !== undefined))('$name Vitest entries', (pkg) => {
  it('loads its Vitest-only entries inside a Vitest run', async () => {
    for (const entry of pkg.vitestOnly ?? []) {
      const file = `entry-${entry.slice(2)}.test.mjs`;
      await writeFile(
        join(consumer, file),
        `import * as m from ${JSON.stringify(specifier(pkg.name, entry))};\nimport { expect, it } from 'vitest';\nit('loads', () => { expect(Object.keys(m).length).toBeGreaterThan(0); });\n`,
      );
      const vitest = join(consumer, 'node_modules', 'vitest', 'vitest.mjs');
      const { stdout } = await run(process.execPath, [vitest, 'run', '--root', consumer, file], { cwd: consumer, timeout: 120_000 });
      expect(stdout).toMatch(/1 passed/);
    }
  });
});

describe.each(CONTRACT.filter((p) => p.bins !== undefined))('$name bins', (pkg) => {
  it('runs its bins', async () => {
    for (const bin of pkg.bins ?? []) {
      const { stdout } = await run(join(consumer, 'node_modules', '.bin', bin), ['--help'], { cwd: consumer, timeout: 60_000 });
      expect(stdout).toContain(bin);
    }
  });
});

describe('the packed packages together', () => {
  it('type-check when imported from ESM and from CommonJS', async () => {
    const entries = CONTRACT.flatMap((pkg) => pkg.entries.map((e) => specifier(pkg.name, e)));
    const esm = entries.map((s, i) => `import * as m${i} from '${s}';\nexport const n${i}: number = Object.keys(m${i}).length;`).join('\n');
    const cjs = entries.map((s, i) => `import m${i} = require('${s}');\nexport const n${i}: number = Object.keys(m${i}).length;`).join('\n');
    await writeFile(join(consumer, 'types-esm.mts'), `${esm}\n`);
    await writeFile(join(consumer, 'types-cjs.cts'), `${cjs}\n`);
    await writeFile(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] },
        files: ['types-esm.mts', 'types-cjs.cts'],
      }),
    );
    const tsc = join(consumer, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: consumer, timeout: 120_000 }).catch(
      (err: { stdout?: string }) => ({ stdout: `tsc failed:\n${err.stdout ?? String(err)}` }),
    );
    expect(result.stdout).toBe('');
  });

  it('lint a file with ESLint and the packed plugin, from an ESM and a CommonJS config', async () => {
    await writeFile(
      join(consumer, 'service.js'),
      [
        "const { readFileSync } = require('node:fs');",
        'async function loadConfig(path) {',
        "  return JSON.parse(readFileSync(path, 'utf8'));",
        '}',
        'module.exports = { loadConfig };',
        '',
      ].join('\n'),
    );
    await writeFile(
      join(consumer, 'eslint.config.mjs'),
      "import asyncguard from '@asyncguard/eslint-plugin';\nexport default [{ files: ['**/*.js'], languageOptions: { sourceType: 'commonjs' } }, asyncguard.configs.recommended];\n",
    );
    await writeFile(
      join(consumer, 'eslint.config.cjs'),
      "const asyncguard = require('@asyncguard/eslint-plugin');\nmodule.exports = [{ files: ['**/*.js'], languageOptions: { sourceType: 'commonjs' } }, asyncguard.configs.recommended];\n",
    );
    const eslint = join(consumer, 'node_modules', 'eslint', 'bin', 'eslint.js');
    for (const config of ['eslint.config.mjs', 'eslint.config.cjs']) {
      const out = await run(process.execPath, [eslint, '--config', config, '--format', 'json', 'service.js'], { cwd: consumer, timeout: 60_000 }).then(
        (r) => r.stdout,
        (err: { stdout?: string; code?: number }) => {
          // ESLint exits 1 when it reports problems; anything else is a crash.
          if (err.code !== 1 || err.stdout === undefined) throw err;
          return err.stdout;
        },
      );
      const [report] = JSON.parse(out) as Array<{ messages: Array<{ ruleId: string | null; line: number }> }>;
      expect(report?.messages.map((m) => [m.ruleId, m.line]), config).toContainEqual(['@asyncguard/no-blocking-in-async', 3]);
    }
  });

  it('lint files with oxlint (from the registry) and the packed plugin as a JS plugin, across files', async () => {
    const dir = join(consumer, 'oxlint-project');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'clients.ts'), "import Redis from 'ioredis';\nexport const client = new Redis();\nexport async function refresh(id: string) { return id; }\n");
    await writeFile(
      join(dir, 'service.ts'),
      [
        "import { readFileSync } from 'node:fs';",
        "import { Redis } from 'ioredis';",
        "import { client, refresh } from './clients';",
        'export async function handle(id: string) {',
        "  const config = readFileSync('config.json', 'utf8');",
        '  refresh(id);',
        '  setTimeout(() => {}, 2 ** 32);',
        '  return client.get(config);',
        '}',
        'export function perCall() {',
        '  return new Redis();',
        '}',
        '',
      ].join('\n'),
    );
    const rules = ['no-missing-await', 'require-timeout', 'no-blocking-in-async', 'no-redis-client-per-call', 'no-timeout-overflow', 'no-useless-timeout', 'no-io-in-constructor'];
    await writeFile(
      join(dir, '.oxlintrc.json'),
      JSON.stringify({ jsPlugins: ['@asyncguard/eslint-plugin'], rules: Object.fromEntries(rules.map((r) => [`@asyncguard/${r}`, 'error'])) }),
    );
    const oxlint = join(consumer, 'node_modules', '.bin', 'oxlint');
    const out = await run(oxlint, ['-c', '.oxlintrc.json', '--format', 'json', 'service.ts'], { cwd: dir, timeout: 60_000 }).then(
      (r) => r.stdout,
      (err: { stdout?: string; code?: number }) => {
        // oxlint exits 1 when it reports errors; anything else is a crash.
        if (err.code !== 1 || err.stdout === undefined) throw err;
        return err.stdout;
      },
    );
    const { diagnostics } = JSON.parse(out) as { diagnostics: Array<{ code: string; labels: Array<{ span: { line: number } }> }> };
    const found = diagnostics.map((d) => [d.code, d.labels[0]?.span.line]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['@asyncguard(no-blocking-in-async)', 5],
        // refresh() and client come from ./clients.ts: the module index works under oxlint too.
        ['@asyncguard(no-missing-await)', 6],
        ['@asyncguard(no-timeout-overflow)', 7],
        ['@asyncguard(require-timeout)', 8],
        ['@asyncguard(no-redis-client-per-call)', 11],
      ]),
    );
    expect(found).toHaveLength(5);
  });
});
