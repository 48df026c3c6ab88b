/**
 * File-system errors in the words of someone who typed the path: one line naming the path and the
 * true cause. The CLI and the server both report them this way.
 */
import fs from 'node:fs';
import path from 'node:path';

/** What each file-system error code means to someone who typed the path. */
const FS_REASONS: Record<string, string> = {
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EEXIST: 'something is already there',
  ENOENT: 'no such file or folder',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
};
const WRITES = new Set(['mkdir', 'write', 'rename', 'unlink', 'rmdir', 'rm', 'copyfile', 'symlink', 'open', 'utime', 'chmod', 'ftruncate']);

/**
 * A file-system error as one line naming the path and the true cause, or null for any other error.
 * A mkdir under a read-only or unwritable parent reports ENOENT or EPERM; the nearest existing
 * ancestor says which.
 */
export function fileSystemMessage(e: unknown): string | null {
  if (!(e instanceof Error)) return null;
  const { code, syscall, path: where } = e as NodeJS.ErrnoException;
  if (typeof code !== 'string' || typeof where !== 'string' || !(code in FS_REASONS)) return null;
  let reason = FS_REASONS[code];
  if (syscall === 'mkdir' && (code === 'ENOENT' || code === 'EPERM')) {
    let up = path.dirname(path.resolve(where));
    while (!fs.existsSync(up) && path.dirname(up) !== up) up = path.dirname(up);
    try {
      fs.accessSync(up, fs.constants.W_OK);
    } catch (a) {
      const c = (a as NodeJS.ErrnoException).code;
      reason = `${c && c in FS_REASONS ? FS_REASONS[c] : 'not writable'} (${up})`;
    }
  }
  return `cannot ${syscall && WRITES.has(syscall) ? 'write' : 'read'} ${where}: ${reason}`;
}
