/** Where the tests find the third-party material that only ../shared may hold. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** ../shared beside the checkout, or ACTIVE_SL_SHARED. */
export function sharedDir(): string {
  const dir = process.env.ACTIVE_SL_SHARED ?? path.resolve(root, '..', 'shared');
  if (!fs.existsSync(dir)) {
    throw new Error(`the tests need ../shared (golden vectors, data) beside the checkout, or ACTIVE_SL_SHARED; not found at ${dir}`);
  }
  return dir;
}

export function goldenDir(): string {
  return path.join(sharedDir(), 'golden');
}

export const repoRoot = root;
