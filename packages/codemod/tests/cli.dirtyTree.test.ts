import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.js';
import { loadProject } from '../src/project/loadProject.js';
import { capture, git, makeTempProject } from './tempProject.js';

// Loading the project (ts-morph, the type checker, @types/node) takes seconds; a dirty tree must be
// refused before that. The spy proves the order: the refusal happens without loadProject ever running.
vi.mock('../src/project/loadProject.js', { spy: true });

const SOURCE = "import { readFileSync } from 'node:fs';\n\nexport function load(path: string): string {\n  return readFileSync(path, 'utf8');\n}\n";

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});
beforeEach(() => {
  vi.mocked(loadProject).mockClear();
});

function dirtyRepo(): string {
  const p = makeTempProject({ 'src/a.ts': SOURCE });
  cleanups.push(p.cleanup);
  git(p.dir, 'init', '-q');
  git(p.dir, 'add', '.');
  git(p.dir, 'commit', '-q', '-m', 'init');
  writeFileSync(join(p.dir, 'NOTES.md'), 'uncommitted\n');
  return p.dir;
}

describe('dirty working tree', { timeout: 60_000 }, () => {
  it('refuses --write before loading the project, naming --allow-dirty (exit 2)', async () => {
    const dir = dirtyRepo();
    const c = capture();
    expect(await main(['--write', 'src'], { ...c.io, cwd: dir })).toBe(2);
    expect(loadProject).not.toHaveBeenCalled();
    expect(c.err()).toMatch(/^asyncguard-codemod: --allow-dirty: refusing to write: the git working tree at .* has uncommitted changes; commit them first or pass --allow-dirty\n$/);
    expect(c.out()).toBe('');
  });

  it('refuses with -p pointing at the tsconfig too', async () => {
    const dir = dirtyRepo();
    const c = capture();
    expect(await main(['--write', '-p', 'tsconfig.json'], { ...c.io, cwd: dir })).toBe(2);
    expect(loadProject).not.toHaveBeenCalled();
    expect(c.err()).toContain('--allow-dirty');
  });

  it('loads and writes with --allow-dirty, and a dry run on a dirty tree is no refusal', async () => {
    const dir = dirtyRepo();
    const dry = capture();
    expect(await main(['--transform', 'sync-to-async', '--include-exports'], { ...dry.io, cwd: dir })).toBe(0);
    expect(loadProject).toHaveBeenCalledTimes(1);
    const write = capture();
    expect(await main(['--write', '--allow-dirty', '--transform', 'sync-to-async', '--include-exports'], { ...write.io, cwd: dir })).toBe(0);
    expect(loadProject).toHaveBeenCalledTimes(2);
    expect(write.err()).toContain('wrote 1 file(s)');
  });

  it('exit 3 for an internal error, with its stack', async () => {
    const dir = dirtyRepo();
    vi.mocked(loadProject).mockRejectedValueOnce(new Error('boom'));
    const c = capture();
    expect(await main(['--allow-dirty'], { ...c.io, cwd: dir })).toBe(3);
    expect(c.err()).toMatch(/^asyncguard-codemod: internal error: Error: boom\n\s+at /);
  });
});
