/**
 * vitest global setup: every test (and every CLI it spawns) writes its temporary folders under one
 * fresh root, removed when the run ends, so a test run leaves nothing in the system's temp folder.
 * os.tmpdir() reads TMPDIR on each call, and the test workers inherit this process's environment.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  // each test project runs this setup: the first makes the root, the others share it (nesting
  // roots would make paths too long for the Unix sockets that munge and Chromium open there)
  if (process.env.ACTIVE_SL_TEST_ROOT !== undefined) return () => {};
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'active-sl-tests-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = root;
  process.env.ACTIVE_SL_TEST_ROOT = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    delete process.env.ACTIVE_SL_TEST_ROOT;
    fs.rmSync(root, { recursive: true, force: true });
  };
}
