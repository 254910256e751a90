import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ts } from 'ts-morph';
import { entrySourceFiles } from '../src/project/entrySourceFiles.js';
import { classifyPackage, classifyProject } from '../src/project/projectKind.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'asyncguard-kind-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('classifyPackage', () => {
  it.each([
    [{ private: true, main: 'index.js' }, {}, 'application', 'package.json is private'],
    [{ exports: { '.': './lib/a.js' } }, {}, 'library', 'package.json has exports'],
    [{ main: 'lib/index.js' }, {}, 'library', 'package.json has main (lib/index.js)'],
    [{ main: 'bin/cli', bin: { cli: './bin/cli' } }, {}, 'application', 'its main (bin/cli) is its bin script'],
    [{ main: 'cli', bin: 'cli.js' }, {}, 'application', 'its main (cli) is its bin script'],
    [{ bin: 'cli.js' }, { 'index.js': '' }, 'library', "importable through index.js (Node's default main)"],
    [{ bin: 'cli.js' }, {}, 'application', 'package.json has only bin, no main or exports'],
    [{ name: 'x' }, {}, 'application', 'package.json has no main or exports'],
  ] as const)('%j with %j is a %s', async (pkg, files, kind, reason) => {
    const dir = tree({ 'package.json': JSON.stringify(pkg), ...files });
    expect(await classifyPackage(dir, pkg)).toEqual({ kind, reason });
  });
});

describe('classifyProject', () => {
  it('judges each file by its nearest package.json, and one importable package makes the run a library', async () => {
    const dir = tree({
      'package.json': JSON.stringify({ private: true, workspaces: ['packages/*'] }),
      'packages/app/package.json': JSON.stringify({ private: true }),
      'packages/app/src/a.js': '',
      'packages/lib/package.json': JSON.stringify({ name: 'lib', main: 'src/b.js' }),
      'packages/lib/src/b.js': '',
    });
    const result = await classifyProject(dir, [join(dir, 'packages/app/src/a.js'), join(dir, 'packages/lib/src/b.js')]);
    expect(result.kind).toBe('library');
    expect(result.reason).toMatch(/^library: 1 of 2 packages are importable, e\.g\. packages\/lib \(package\.json has main \(src\/b\.js\)\)/);
    expect(result.packages.map((p) => [p.dir, p.kind])).toEqual([['packages/app', 'application'], ['packages/lib', 'library']]);
  });

  it('calls a workspace of applications an application, and files outside any package.json public API', async () => {
    const dir = tree({
      'package.json': JSON.stringify({ private: true }),
      'tools/x.js': '',
      'packages/app/package.json': JSON.stringify({ bin: 'run.js' }),
      'packages/app/run.js': '',
    });
    const apps = await classifyProject(dir, [join(dir, 'tools/x.js'), join(dir, 'packages/app/run.js')]);
    expect(apps.kind).toBe('application');
    expect(apps.reason).toContain('none of its 2 packages is importable');
    const bare = tree({ 'src/a.js': '' });
    expect(await classifyProject(bare, [join(bare, 'src/a.js')])).toMatchObject({ kind: 'library', reason: 'library: no package.json, so exports are treated as public API' });
  });
});

describe('public entries of a library with an exports map', () => {
  function program(dir: string, rootFiles: string[], options: ts.CompilerOptions = {}): ts.Program {
    return ts.createProgram(rootFiles.map((f) => join(dir, f)), { allowJs: true, noEmit: true, ...options });
  }

  it('lists each subpath with its conditions, and maps build output back to the sources', async () => {
    const files = {
      'package.json': JSON.stringify({
        name: 'lib', type: 'module',
        exports: {
          '.': { 'lib-ts': './src/index.ts', types: './dist/types/index.d.ts', default: './dist/index.js' },
          './models': { import: './dist/models/index.js' },
          './package.json': './package.json',
        },
      }),
      'src/index.ts': 'export const a = 1;\n',
      'src/models/index.ts': 'export const b = 2;\n',
      'src/internal.ts': 'export const c = 3;\n',
    };
    const dir = tree(files);
    const kind = await classifyProject(dir, Object.keys(files).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f)));
    expect(kind.entries).toEqual([
      [join(dir, 'src/index.ts'), join(dir, 'dist/types/index.d.ts'), join(dir, 'dist/index.js')],
      [join(dir, 'dist/models/index.js')],
      [join(dir, 'package.json')],
    ]);
    const sources = entrySourceFiles(kind.entries, program(dir, ['src/index.ts', 'src/models/index.ts', 'src/internal.ts'], { outDir: join(dir, 'dist'), rootDir: join(dir, 'src') }));
    expect([...sources ?? []].sort()).toEqual([join(dir, 'src/index.ts'), join(dir, 'src/models/index.ts')]);
  });

  it('counts every export as public when a subpath pattern opens a folder or a target is not in the program', async () => {
    const patterned = tree({ 'package.json': JSON.stringify({ exports: { '.': './a.js', './*': './lib/*.js' } }), 'a.js': '' });
    expect((await classifyProject(patterned, [join(patterned, 'a.js')])).entries).toBeUndefined();
    const missing = tree({ 'package.json': JSON.stringify({ exports: { '.': './dist/a.js' } }), 'a.js': 'export const x = 1;\n' });
    const kind = await classifyProject(missing, [join(missing, 'a.js')]);
    expect(kind.entries).toEqual([[join(missing, 'dist/a.js')]]);
    expect(entrySourceFiles(kind.entries, program(missing, ['a.js']))).toBeUndefined();
  });
});

describe('entries built by tsdown or tsup when the tsconfig emits nothing', () => {
  const pkg = JSON.stringify({ name: 'kit', type: 'module', exports: { '.': './dist/index.mjs', './cli': { import: './dist/cli.mjs', types: './dist/cli.d.mts' } } });
  const sources = { 'src/index.ts': '', 'src/entries/index.ts': '', 'src/entries/cli.ts': '', 'src/entries/cli.d.ts': '' };

  async function entriesWith(config: Record<string, string>, extra: Record<string, string> = {}): Promise<string[][] | undefined> {
    const dir = tree({ 'package.json': pkg, ...sources, ...config, ...extra });
    const files = Object.keys(sources).map((f) => join(dir, f));
    const kind = await classifyProject(dir, files);
    return kind.entries?.map((targets) => targets.map((t) => t.slice(dir.length + 1)));
  }

  it('adds the source each chunk is built from, named below the folder holding every entry', async () => {
    expect(await entriesWith({ 'tsdown.config.ts': "import { defineConfig } from 'tsdown';\nexport default defineConfig({ entry: ['src/entries/*.ts'], dts: true });\n" })).toEqual([
      ['dist/index.mjs', 'src/entries/index.ts'],
      ['dist/cli.mjs', 'dist/cli.d.mts', 'src/entries/cli.ts'],
    ]);
    expect(await entriesWith({ 'tsup.config.ts': "export default { entry: { index: 'src/entries/index.ts', cli: './src/entries/cli.ts' }, outDir: 'dist' };\n" })).toEqual([
      ['dist/index.mjs', 'src/entries/index.ts'],
      ['dist/cli.mjs', 'dist/cli.d.mts', 'src/entries/cli.ts'],
    ]);
    // Two folders of entries: names keep the path below their common folder, so `index` is src/index.ts.
    expect(await entriesWith({ 'tsdown.config.ts': "export default { entry: ['src/index.ts', 'src/entries/cli.ts'] };\n" })).toEqual([
      ['dist/index.mjs', 'src/index.ts'],
      ['dist/cli.mjs', 'dist/cli.d.mts'],
    ]);
  });

  it.each([
    ['a function config', { 'tsdown.config.ts': "export default defineConfig(() => ({ entry: ['src/entries/*.ts'] }));\n" }, {}],
    ['an array of configs', { 'tsup.config.ts': "export default defineConfig([{ entry: ['src/entries/*.ts'] }]);\n" }, {}],
    ['a spread', { 'tsdown.config.ts': "const base = {};\nexport default { ...base, entry: ['src/entries/*.ts'] };\n" }, {}],
    ['an option that renames chunks', { 'tsdown.config.ts': "export default { entry: ['src/entries/*.ts'], outputOptions: { entryFileNames: 'x-[name].mjs' } };\n" }, {}],
    ['a computed entry', { 'tsdown.config.ts': "const entry = ['src/entries/*.ts'];\nexport default { entry };\n" }, {}],
    ['a brace glob', { 'tsdown.config.ts': "export default { entry: ['src/entries/{index,cli}.ts'] };\n" }, {}],
    ['two config files', { 'tsdown.config.ts': "export default { entry: ['src/entries/*.ts'] };\n", 'tsup.config.ts': "export default { entry: ['src/*.ts'] };\n" }, {}],
    ['options in package.json', { 'tsdown.config.ts': "export default { entry: ['src/entries/*.ts'] };\n" },
      { 'package.json': JSON.stringify({ ...JSON.parse(pkg) as object, tsup: { entry: ['src/index.ts'] } }) }],
  ])('maps nothing for %s', async (_what, config, extra) => {
    expect(await entriesWith(config, extra)).toEqual([['dist/index.mjs'], ['dist/cli.mjs', 'dist/cli.d.mts']]);
  });
});
