import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * True when `dir` is inside a git work tree with uncommitted changes (tracked or untracked).
 * Outside a git repository, or without git installed, there is nothing to protect: false.
 */
export async function isWorkingTreeDirty(dir: string): Promise<boolean> {
  let inside: string;
  try {
    inside = (await execFileAsync('git', ['-C', dir, 'rev-parse', '--is-inside-work-tree'], { timeout: 10_000 })).stdout.trim();
  } catch {
    return false;
  }
  if (inside !== 'true') return false;
  const { stdout } = await execFileAsync('git', ['-C', dir, 'status', '--porcelain', '--', '.'], { timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim() !== '';
}
