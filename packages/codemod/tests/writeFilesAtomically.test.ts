import { chmodSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UnsafeWriteError, writeFilesAtomically } from '../src/writeFilesAtomically.js';
import { makeTempProject } from './tempProject.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

describe('writeFilesAtomically', () => {
  it('writes every file and leaves no temp file', async () => {
    const p = makeTempProject({ 'src/a.ts': 'a\n', 'src/b.ts': 'b\n' });
    cleanups.push(p.cleanup);
    await writeFilesAtomically(p.dir, [
      { path: join(p.dir, 'src/a.ts'), text: 'A\n' },
      { path: join(p.dir, 'src/b.ts'), text: 'B\n' },
    ]);
    expect(readFileSync(join(p.dir, 'src/a.ts'), 'utf8')).toBe('A\n');
    expect(readFileSync(join(p.dir, 'src/b.ts'), 'utf8')).toBe('B\n');
    expect(readdirSync(join(p.dir, 'src')).sort()).toEqual(['a.ts', 'b.ts']);
  });

  it('refuses a symlink before writing anything', async () => {
    const p = makeTempProject({ 'src/a.ts': 'a\n', 'target.ts': 't\n' });
    cleanups.push(p.cleanup);
    symlinkSync(join(p.dir, 'target.ts'), join(p.dir, 'src/link.ts'));
    await expect(writeFilesAtomically(p.dir, [
      { path: join(p.dir, 'src/a.ts'), text: 'A\n' },
      { path: join(p.dir, 'src/link.ts'), text: 'L\n' },
    ])).rejects.toBeInstanceOf(UnsafeWriteError);
    expect(readFileSync(join(p.dir, 'src/a.ts'), 'utf8')).toBe('a\n');
    expect(readFileSync(join(p.dir, 'target.ts'), 'utf8')).toBe('t\n');
  });

  it('refuses a read-only file before writing anything (by its mode bits, also as root)', async () => {
    const p = makeTempProject({ 'src/a.ts': 'a\n', 'src/b.ts': 'b\n' });
    cleanups.push(p.cleanup);
    chmodSync(join(p.dir, 'src/b.ts'), 0o444);
    const error = await writeFilesAtomically(p.dir, [
      { path: join(p.dir, 'src/a.ts'), text: 'A\n' },
      { path: join(p.dir, 'src/b.ts'), text: 'B\n' },
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafeWriteError);
    expect((error as Error).message).toContain('src/b.ts: it is read-only: no write permission (mode 0444)');
    expect(readFileSync(join(p.dir, 'src/a.ts'), 'utf8')).toBe('a\n');
    expect(readFileSync(join(p.dir, 'src/b.ts'), 'utf8')).toBe('b\n');
    expect(readdirSync(join(p.dir, 'src')).sort()).toEqual(['a.ts', 'b.ts']);
  });

  it('refuses a path outside the root', async () => {
    const root = makeTempProject({ 'src/a.ts': 'a\n' });
    const other = makeTempProject({ 'x.ts': 'x\n' });
    cleanups.push(root.cleanup, other.cleanup);
    await expect(writeFilesAtomically(root.dir, [{ path: join(other.dir, 'x.ts'), text: 'X\n' }])).rejects.toThrow(/outside the project root/);
    expect(readFileSync(join(other.dir, 'x.ts'), 'utf8')).toBe('x\n');
  });

  it('leaves the targets untouched when a temp file cannot be created', async () => {
    const p = makeTempProject({ 'src/a.ts': 'a\n' });
    cleanups.push(p.cleanup);
    await expect(writeFilesAtomically(p.dir, [
      { path: join(p.dir, 'src/a.ts'), text: 'A\n' },
      { path: join(p.dir, 'src/missing-dir/b.ts'), text: 'B\n' },
    ])).rejects.toThrow();
    expect(readFileSync(join(p.dir, 'src/a.ts'), 'utf8')).toBe('a\n');
    expect(readdirSync(join(p.dir, 'src'))).toEqual(['a.ts']);
  });
});
