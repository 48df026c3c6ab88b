/**
 * Whole-file writes that survive `kill -9` and a power cut: the new text goes to a temporary file
 * beside the target, is flushed to disk, renamed over the target, and the folder entry is flushed
 * too. A reader (or a restarted server) sees the old file or the new one, never a torn one.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The temporary name beside `file`; fixed, so that a restart finds (and removes) one a kill left. */
export function stagingName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.serve-tmp`);
}

async function syncFolder(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } catch (e) {
    // some file systems cannot flush a folder (EINVAL); the rename is then as durable as they allow
    if ((e as NodeJS.ErrnoException).code !== 'EINVAL') throw e;
  } finally {
    await handle.close();
  }
}

/** Replaces `file` by `text`, durably; `mode` keeps the permissions of the file it replaces. */
export async function durableWrite(file: string, text: string, mode?: number): Promise<void> {
  const tmp = stagingName(file);
  const handle = await fs.promises.open(tmp, 'w', mode);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } catch (e) {
    await handle.close();
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
  await handle.close();
  await fs.promises.rename(tmp, file);
  await syncFolder(path.dirname(file));
}
