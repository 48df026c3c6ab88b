/** Where the tests find the third-party material that only ../shared may hold. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';

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

/** Why the golden vectors under golden/<part> cannot be read, with how to get them; null when they can. */
export function goldenMissing(part: string): string | null {
  const dir = path.join(process.env.ACTIVE_SL_SHARED ?? path.resolve(root, '..', 'shared'), 'golden', part);
  if (fs.existsSync(dir)) return null;
  return `the reference's golden vectors (${dir}): third-party files the repository does not hold; put the shared folder beside the checkout as ../shared, or point ACTIVE_SL_SHARED at it`;
}

/** One test, skipped with the reason, in place of the tests that need what is missing: the run says so instead of crashing. */
export function skipForMissing(reason: string): void {
  it(`needs ${reason}`, (ctx) => {
    console.warn(`skipped: this file needs ${reason}`);
    ctx.skip(reason);
  });
}

export const repoRoot = root;

/** Debian's headless Chromium, as the browser tests launch it (CI installs it with .ci/install-chromium). */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
