import { randomBytes } from 'node:crypto';
import { lstat, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { readOnlyReason } from './readOnly.js';

export interface FileWrite {
  path: string;
  text: string;
}

export class UnsafeWriteError extends Error {
  override readonly name = 'UnsafeWriteError';
  constructor(readonly path: string, reason: string) {
    super(`refusing to write ${path}: ${reason}`);
  }
}

/**
 * Writes every file or none of the contents: each text goes to a temp file beside its target
 * (same directory, so the rename is atomic), fsynced; only when all temp files exist are they
 * renamed over the targets. Refuses symlinks, read-only files (see readOnlyReason) and anything
 * that resolves outside `root`, before writing anything.
 */
export async function writeFilesAtomically(root: string, files: readonly FileWrite[]): Promise<void> {
  const realRoot = await realpath(root);
  for (const file of files) {
    const info = await lstat(file.path).catch(() => undefined);
    if (info?.isSymbolicLink()) throw new UnsafeWriteError(file.path, 'it is a symlink');
    const realDir = await realpath(dirname(file.path));
    const r = relative(realRoot, join(realDir, basename(file.path)));
    if (r.startsWith('..') || isAbsolute(r)) throw new UnsafeWriteError(file.path, `it resolves outside the project root ${realRoot}`);
    const readOnly = info === undefined ? undefined : await readOnlyReason(file.path);
    if (readOnly !== undefined) throw new UnsafeWriteError(file.path, `it is ${readOnly}`);
  }
  const temps: Array<{ temp: string; target: string }> = [];
  try {
    for (const file of files) {
      const temp = join(dirname(file.path), `.${basename(file.path)}.${process.pid}.${randomBytes(4).toString('hex')}.asyncguard-tmp`);
      const mode = (await stat(file.path).catch(() => undefined))?.mode ?? 0o644;
      const handle = await open(temp, 'wx', mode & 0o7777);
      temps.push({ temp, target: file.path });
      try {
        await handle.writeFile(file.text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  } catch (error) {
    await Promise.all(temps.map((t) => unlink(t.temp).catch(() => undefined)));
    throw error;
  }
  for (const { temp, target } of temps) await rename(temp, target);
}
