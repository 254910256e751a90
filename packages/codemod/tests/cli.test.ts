import { chmodSync, existsSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { capture, git, makeTempProject } from './tempProject.js';

const CONFIG = `import { readFileSync } from 'node:fs';

// untouched comment
function load(path: string): string {
  return readFileSync(path, 'utf8');
}

export async function run(): Promise<number> {
  return load('x').length;
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

describe('asyncguard-codemod CLI', { timeout: 60_000 }, () => {
  it('prints help with exit 0', async () => {
    const c = capture();
    expect(await main(['--help'], { ...c.io, cwd: '/' })).toBe(0);
    expect(c.out()).toContain('Usage: asyncguard-codemod [options] [--] [paths...]');
    expect(c.out()).toContain('--allow-dirty');
  });

  it('exits 2 naming a missing path', async () => {
    const dir = project({ 'src/a.ts': CONFIG });
    const c = capture();
    expect(await main(['src/nope.ts'], { ...c.io, cwd: dir })).toBe(2);
    expect(c.err()).toContain('paths: src/nope.ts does not exist');
  });

  it('exits 2 for an unreadable tsconfig', async () => {
    const dir = project({ 'src/a.ts': CONFIG, 'broken/tsconfig.json': '{ "compilerOptions": { ' });
    const c = capture();
    expect(await main(['--project', 'broken/tsconfig.json'], { ...c.io, cwd: dir })).toBe(2);
    expect(c.err()).toMatch(/project: can't read .*broken\/tsconfig\.json/);
  });

  it('exits 2 for an unknown transform or option', async () => {
    const c = capture();
    expect(await main(['--transform', 'nope'], { ...c.io, cwd: '/' })).toBe(2);
    expect(c.err()).toContain('unknown transform "nope"');
    expect(await main(['--frobnicate'], { ...c.io, cwd: '/' })).toBe(2);
    expect(c.err()).toContain('--frobnicate: unknown option');
  });

  it('dry run prints a unified diff, writes the JSON report, --check exits 1, and changes no file', async () => {
    const dir = project({ 'src/a.ts': CONFIG });
    const c = capture();
    const code = await main(['--check', '--json', 'report.json', '--transform', 'sync-to-async', '--include-exports'], { ...c.io, cwd: dir });
    expect(code).toBe(1);
    expect(readFileSync(join(dir, 'src/a.ts'), 'utf8')).toBe(CONFIG);
    expect(c.err()).not.toContain('\r'); // no progress bar without a TTY
    expect(c.out()).toContain('--- a/src/a.ts\n+++ b/src/a.ts\n');
    expect(c.out()).toContain(
      "-function load(path: string): string {\n-  return readFileSync(path, 'utf8');\n" +
        "+async function load(path: string): Promise<string> {\n+  return readFile(path, 'utf8');\n",
    );
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { changes: Array<{ file: string; line: number; column: number; transform: string }>; files: string[] };
    expect(report.files).toEqual(['src/a.ts']);
    expect(report.changes).toContainEqual({ file: 'src/a.ts', line: 5, column: 10, transform: 'sync-to-async', description: 'readFileSync → await readFile' });
    expect(report.changes).toContainEqual({ file: 'src/a.ts', line: 9, column: 10, transform: 'sync-to-async', description: 'await load()' });
  });

  it('refuses to write on a dirty git tree, writes with a clean one, and a second run changes nothing', async () => {
    const dir = project({ 'src/a.ts': CONFIG });
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'init');
    writeFileSync(join(dir, 'NOTES.md'), 'uncommitted\n');
    const dirty = capture();
    expect(await main(['--write'], { ...dirty.io, cwd: dir })).toBe(2);
    expect(dirty.err()).toContain('uncommitted changes');
    expect(dirty.err()).toContain('--allow-dirty');
    expect(readFileSync(join(dir, 'src/a.ts'), 'utf8')).toBe(CONFIG);

    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'notes');
    const write = capture();
    expect(await main(['--write', '--transform', 'sync-to-async'], { ...write.io, cwd: dir })).toBe(0);
    const written = readFileSync(join(dir, 'src/a.ts'), 'utf8');
    expect(written).toContain("async function load(path: string): Promise<string> {\n  return readFile(path, 'utf8');");
    expect(written).toContain('// untouched comment\n');
    expect(readdirSync(join(dir, 'src'))).toEqual(['a.ts']); // no temp file left behind
    expect(write.err()).toContain('wrote 1 file(s)');

    git(dir, 'commit', '-q', '-am', 'converted');
    const again = capture();
    expect(await main(['--check', '--transform', 'sync-to-async'], { ...again.io, cwd: dir })).toBe(0);
    expect(again.out()).toBe('');
  });

  it('skips and names a file with syntax errors and never writes through a symlink', async () => {
    const outside = project({ 'real.ts': CONFIG });
    const dir = project({
      'src/good.ts': CONFIG,
      'src/broken.ts': "import { readFileSync } from 'node:fs';\nfunction f( {\n  return readFileSync('x');\n",
    });
    symlinkSync(join(outside, 'real.ts'), join(dir, 'src/linked.ts'));
    const c = capture();
    const tty = { stdout: c.io.stdout, stderr: { write: c.io.stderr.write, isTTY: true } };
    expect(await main(['--write', '--allow-dirty', '--transform', 'sync-to-async'], { ...tty, cwd: dir }), c.err()).toBe(0);
    expect(c.err()).toContain('\r['); // progress bar on a TTY
    expect(c.err()).toMatch(/skipped src\/broken\.ts: syntax errors \(line \d+/);
    expect(c.err()).toContain('skipped src/linked.ts: symlink');
    expect(readFileSync(join(dir, 'src/broken.ts'), 'utf8')).toContain('function f( {');
    expect(readFileSync(join(outside, 'real.ts'), 'utf8')).toBe(CONFIG);
    expect(readFileSync(join(dir, 'src/good.ts'), 'utf8')).toContain('async function load');
    expect(existsSync(join(dir, 'src/good.ts'))).toBe(true);
  });

  it('skips and names a read-only file in text and JSON, and leaves it as it was (also as root)', async () => {
    const dir = project({ 'src/good.ts': CONFIG, 'src/locked.ts': CONFIG });
    chmodSync(join(dir, 'src/locked.ts'), 0o444);
    const dry = capture();
    expect(await main(['--transform', 'sync-to-async'], { ...dry.io, cwd: dir }), dry.err()).toBe(0);
    expect(dry.out()).toContain('+++ b/src/good.ts');
    expect(dry.out()).not.toContain('src/locked.ts');
    const c = capture();
    expect(await main(['--write', '--allow-dirty', '--transform', 'sync-to-async', '--json', 'report.json'], { ...c.io, cwd: dir }), c.err()).toBe(0);
    expect(c.err()).toContain('skipped src/locked.ts: read-only: no write permission (mode 0444); left as it was');
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { skipped: Array<{ file: string; reason: string }>; written: string[] };
    expect(report.skipped).toEqual([{ file: 'src/locked.ts', reason: 'read-only: no write permission (mode 0444); left as it was' }]);
    expect(report.written).toEqual(['src/good.ts']);
    expect(readFileSync(join(dir, 'src/locked.ts'), 'utf8')).toBe(CONFIG);
    expect(statSync(join(dir, 'src/locked.ts')).mode & 0o777).toBe(0o444);
    expect(readFileSync(join(dir, 'src/good.ts'), 'utf8')).toContain('async function load');
    expect(readdirSync(join(dir, 'src')).sort()).toEqual(['good.ts', 'locked.ts']);
  });
});
