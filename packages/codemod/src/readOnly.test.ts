import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readOnlyReason } from './readOnly.js';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length > 0) rmSync(dirs.pop()!, { recursive: true, force: true });
});

function file(mode: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'asyncguard-readonly-'));
  dirs.push(dir);
  const path = join(dir, 'f.ts');
  writeFileSync(path, 'x\n');
  chmodSync(path, mode);
  return path;
}

describe('readOnlyReason', () => {
  it('lets a file with a write bit through', async () => {
    expect(await readOnlyReason(file(0o644))).toBeUndefined();
  });

  it('names a file without any write bit, whoever runs (root included), with its mode', async () => {
    expect(await readOnlyReason(file(0o444))).toBe('read-only: no write permission (mode 0444); left as it was');
    expect(await readOnlyReason(file(0o500))).toBe('read-only: no write permission (mode 0500); left as it was');
  });

  it('reports a file it cannot stat', async () => {
    const path = file(0o644);
    rmSync(path);
    expect(await readOnlyReason(path)).toBe("read-only: can't stat it (ENOENT)");
  });
});
