import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { colorDiff, useColor } from '../src/colorDiff.js';
import { main, parseArgs } from '../src/cli.js';
import { REPORT_SCHEMA_VERSION } from '../src/report.js';
import { capture, makeTempProject } from './tempProject.js';

/** The command-line conventions people bring from POSIX tools, jscodeshift and ts-migrate. */

const LOADER = `import { readFileSync } from 'node:fs';

export function load(path: string): string {
  return readFileSync(path, 'utf8');
}
`;

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

function project(files: Record<string, string>): string {
  const p = makeTempProject(files);
  cleanups.push(p.cleanup);
  return p.dir;
}

const ESC = '\u001b[';

describe('argument parsing (node:util parseArgs)', () => {
  it('reads every flag --help lists, short forms, --flag=value and repeated --transform', () => {
    expect(parseArgs([
      '--write', '--json=r.json', '--transform', 'sync-to-async', '--transform=redis-timeouts', '-p', 'tsconfig.json', '--parallel-callbacks',
      '--include-exports', '--allow-dirty', '--verify', 'npm test', '--verify-timeout', '90s', 'src', 'lib',
    ])).toEqual({
      paths: ['src', 'lib'], write: true, check: false, json: 'r.json', transforms: ['sync-to-async', 'redis-timeouts'], project: 'tsconfig.json',
      parallelCallbacks: true, includeExports: true, allowDirty: true, verify: 'npm test', verifyTimeoutMs: 90_000, help: false, version: false,
    });
    expect(parseArgs(['-pconfig/tsconfig.json', '-h', '-v'])).toMatchObject({ project: 'config/tsconfig.json', help: true, version: true });
  });

  it('takes everything after -- as a path, even when it starts with a dash', () => {
    expect(parseArgs(['--check', '--', '--write', '-p'])).toMatchObject({ paths: ['--write', '-p'], check: true, write: false });
  });

  it('names the option at fault: unknown, missing value, value on a switch', () => {
    expect(() => parseArgs(['--frobnicate'])).toThrow('--frobnicate: unknown option (see --help)');
    expect(() => parseArgs(['-x'])).toThrow('-x: unknown option');
    expect(() => parseArgs(['--json'])).toThrow('--json: needs a value');
    expect(() => parseArgs(['--json', '--write'])).toThrow('--json: needs a value');
    expect(() => parseArgs(['--write=yes'])).toThrow('--write: takes no value');
    expect(() => parseArgs(['--check', '--write'])).toThrow('--check: cannot be combined with --write');
  });

  it('lists every option it accepts in --help', async () => {
    const c = capture();
    expect(await main(['-h'], { ...c.io, cwd: '/' })).toBe(0);
    for (const flag of ['--write', '--check', '--json', '--transform', '-p, --project', '--parallel-callbacks', '--include-exports', '--allow-dirty', '--verify', '--verify-timeout', '-h, --help', '-v, --version']) {
      expect(c.out()).toContain(`  ${flag} `);
    }
  });
});

describe('asyncguard-codemod CLI conventions', { timeout: 60_000 }, () => {
  it('--version prints the package version and exits 0', async () => {
    const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-v']) {
      const c = capture();
      expect(await main([flag], { ...c.io, cwd: '/' })).toBe(0);
      expect(c.out()).toBe(`${version}\n`);
      expect(c.err()).toBe('');
    }
  });

  it('exit codes: 2 for an unknown option, with nothing on stdout', async () => {
    const c = capture();
    expect(await main(['--nope'], { ...c.io, cwd: '/' })).toBe(2);
    expect(c.out()).toBe('');
    expect(c.err()).toBe('asyncguard-codemod: --nope: unknown option (see --help)\n');
  });

  it('after --, a file named like an option is a path; paths are read and printed relative to the current directory', async () => {
    const dir = project({ 'src/-loader.ts': LOADER, 'src/other.ts': LOADER });
    const c = capture();
    const code = await main(['--check', '--transform', 'sync-to-async', '--include-exports', '--', '-loader.ts'], { ...c.io, cwd: join(dir, 'src') });
    expect(code, c.err()).toBe(1);
    expect(c.out()).toContain('--- a/-loader.ts\n+++ b/-loader.ts\n');
    expect(c.out()).not.toContain('other.ts'); // only the path given was edited
    expect(c.err()).toContain('1 file(s)');
  });

  it('-p takes the tsconfig relative to the current directory; stops print file:line:column from there', async () => {
    const dir = project({
      'src/cls.ts': "import { readFileSync } from 'node:fs';\n\nexport class Config {\n  text: string;\n  constructor() {\n    this.text = readFileSync('x', 'utf8');\n  }\n}\n",
    });
    const c = capture();
    expect(await main(['-p', '../tsconfig.json', '--transform', 'sync-to-async', '--include-exports'], { ...c.io, cwd: join(dir, 'src') })).toBe(0);
    expect(c.err()).toMatch(/^cls\.ts:5:3: stop \(sync-to-async\): constructor cannot be async/m);
  });

  it('--json (its folder made if missing) writes schemaVersion and, for every change, the line and column in the file on disk, even after an earlier transform moved it', async () => {
    // sync-to-async adds a pathExists helper above `main` (nine lines), then add-missing-await edits `main`.
    const source = [
      "import { existsSync } from 'node:fs';",
      '',
      'export function has(path: string): boolean {',
      '  return existsSync(path);',
      '}',
      '',
      'async function later(): Promise<void> {}',
      '',
      'export async function main(): Promise<void> {',
      '  later();',
      '}',
      '',
    ].join('\n');
    const dir = project({ 'src/a.ts': source });
    const c = capture();
    const code = await main(['--json', 'out/report.json', '--include-exports', '--transform', 'sync-to-async', '--transform', 'add-missing-await'], { ...c.io, cwd: dir });
    expect(code, c.err()).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as Record<string, unknown> & {
      changes: Array<{ file: string; line: number; column: number; transform: string; description: string }>;
    };
    expect(Object.keys(report)[0]).toBe('schemaVersion');
    expect(report['schemaVersion']).toBe(REPORT_SCHEMA_VERSION);
    expect(report['files']).toEqual(['src/a.ts']);
    const missingAwait = report.changes.find((change) => change.transform === 'add-missing-await');
    expect(missingAwait).toMatchObject({ file: 'src/a.ts', line: 10, column: 3 });
    expect(source.split('\n')[missingAwait!.line - 1]!.slice(missingAwait!.column - 1)).toBe('later();');
    const exists = report.changes.find((change) => change.description.startsWith('existsSync'));
    expect(exists).toMatchObject({ file: 'src/a.ts', line: 4, column: 10 });
    // The edited text has the helper above: the same call sits lower there.
    expect(c.out()).toMatch(/\+  await later\(\);/);
  });

  it('--json says which option failed when the file cannot be written (exit 2)', async () => {
    const dir = project({ 'src/a.ts': LOADER });
    writeFileSync(join(dir, 'blocker'), '');
    const c = capture();
    expect(await main(['--json', 'blocker/report.json', '--transform', 'sync-to-async'], { ...c.io, cwd: dir })).toBe(2);
    expect(c.err()).toContain("asyncguard-codemod: --json: can't write blocker/report.json");
  });

  it('colours the diff on a terminal unless NO_COLOR or TERM=dumb; FORCE_COLOR colours a pipe', async () => {
    const dir = project({ 'src/a.ts': LOADER });
    const run = async (isTTY: boolean, env: Record<string, string>): Promise<string> => {
      const c = capture();
      const stdout = { write: c.io.stdout.write, isTTY };
      expect(await main(['--transform', 'sync-to-async', '--include-exports'], { stdout, stderr: c.io.stderr, cwd: dir, env })).toBe(0);
      expect(c.out()).toContain('readFile');
      return c.out();
    };
    const tty = await run(true, { TERM: 'xterm-256color' });
    expect(tty).toContain(`${ESC}32m+export async function load`);
    expect(tty).toContain(`${ESC}31m-export function load`);
    expect(await run(true, { TERM: 'xterm', NO_COLOR: '1' })).not.toContain(ESC);
    expect(await run(true, { TERM: 'dumb' })).not.toContain(ESC);
    expect(await run(false, {})).not.toContain(ESC);
    expect(await run(false, { FORCE_COLOR: '1' })).toContain(`${ESC}32m+`);
  });
});

describe('colour decisions', () => {
  it('follows FORCE_COLOR, then NO_COLOR (non-empty), then TERM=dumb, then the terminal', () => {
    expect(useColor({ isTTY: true, env: {} })).toBe(true);
    expect(useColor({ isTTY: false, env: {} })).toBe(false);
    expect(useColor({ isTTY: true, env: { NO_COLOR: '' } })).toBe(true);
    expect(useColor({ isTTY: true, env: { NO_COLOR: '1' } })).toBe(false);
    expect(useColor({ isTTY: true, env: { TERM: 'dumb' } })).toBe(false);
    expect(useColor({ isTTY: true, env: { FORCE_COLOR: '0' } })).toBe(false);
    expect(useColor({ isTTY: false, env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).toBe(true);
  });

  it('colours headers, hunks, removals and additions, and leaves context lines plain', () => {
    const diff = '--- a/x.ts\n+++ b/x.ts\n@@ -1,2 +1,2 @@\n-old\n+new\n same\n';
    expect(colorDiff(diff)).toBe(
      `${ESC}1m--- a/x.ts${ESC}0m\n${ESC}1m+++ b/x.ts${ESC}0m\n${ESC}36m@@ -1,2 +1,2 @@${ESC}0m\n${ESC}31m-old${ESC}0m\n${ESC}32m+new${ESC}0m\n same\n`,
    );
  });
});
