import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';

/**
 * Why the codemod must not rewrite `path`, or undefined when it may. Reasons start with
 * "read-only".
 *
 * `access(W_OK)` answers for the current user, ACLs and read-only mounts (EROFS) included. Root
 * is the exception: the kernel lets root write any file whatever its mode bits, so `access` says
 * yes to a file someone marked read-only with `chmod a-w`. A file with no write bit at all (mode
 * `& 0o222 === 0`) is therefore read-only for every user, root too: the owner's intent counts,
 * not what root could force. (The atomic writer replaces a file by renaming a temp file over it,
 * which the directory's permissions allow even when the file's forbid it: hence this check.)
 */
export async function readOnlyReason(path: string): Promise<string | undefined> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (error) {
    return `read-only: can't stat it (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  if ((mode & 0o222) === 0) return `read-only: no write permission (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); left as it was`;
  try {
    await access(path, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return `read-only: not writable by this user (${code === 'EROFS' ? 'read-only file system' : code}); left as it was`;
  }
  return undefined;
}
