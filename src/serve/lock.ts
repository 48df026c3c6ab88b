/**
 * One server per campaign file: `runs.csv.lock` beside the observed runs, created exclusively
 * (O_EXCL) and holding the owner's pid, host and URL. A second server is refused, naming the first;
 * a lock whose process is gone (a server killed with -9) is taken over, and the caller says so.
 */
import fs from 'node:fs';
import os from 'node:os';
import { ServeError } from './errors.js';

export interface LockOwner {
  pid: number;
  host: string;
  started: string;
  url: string | null;
}

export interface HeldLock {
  file: string;
  /** The dead process whose lock was taken over, if any. */
  tookOverFrom: LockOwner | null;
  /** Records the URL once the server listens, for the message a second server prints. */
  setUrl(url: string): void;
  /** Removes the lock if it is still this process's. */
  release(): void;
}

/** A lock file this young with unreadable contents is still being written by its creator. */
const UNREADABLE_GRACE_MS = 5000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): { owner: LockOwner | null; text: string } | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.host === 'string') {
      return { owner: { pid: o.pid, host: o.host, started: String(o.started ?? '?'), url: typeof o.url === 'string' ? o.url : null }, text };
    }
  } catch {
    // unreadable: judged by its age below
  }
  return { owner: null, text };
}

function writeOwner(file: string, owner: LockOwner, flag: 'wx' | 'w'): void {
  const fd = fs.openSync(file, flag);
  try {
    fs.writeSync(fd, `${JSON.stringify(owner)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Takes the lock of `runsFile` or throws a ServeError naming the server that holds it. */
export function acquireLock(runsFile: string): HeldLock {
  const file = `${runsFile}.lock`;
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), started: new Date().toISOString(), url: null };
  let tookOverFrom: LockOwner | null = null;
  for (let attempt = 0; ; attempt++) {
    try {
      writeOwner(file, owner, 'wx');
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 2) throw e;
    }
    const found = readOwner(file);
    if (found === null) continue; // removed meanwhile: try again
    const { owner: other, text } = found;
    if (other === null) {
      const age = Date.now() - fs.statSync(file).mtimeMs;
      if (age < UNREADABLE_GRACE_MS)
        throw new ServeError(`${file}: another server is starting on this campaign (its lock file is being written); try again in a few seconds`);
    } else if (other.host !== owner.host) {
      throw new ServeError(
        `${runsFile} is locked by process ${other.pid} on host ${other.host} (since ${other.started}); that server must stop first. ` +
          `If it is gone, remove ${file}`,
      );
    } else if (isAlive(other.pid)) {
      throw new ServeError(
        `${runsFile} is already served by process ${other.pid} (since ${other.started}${other.url ? `, ${other.url}` : ''}): two servers would lose each other's runs. ` +
          `Stop that one first; if process ${other.pid} is not an active-sl server, remove ${file}`,
      );
    }
    // stale: remove it only if it is still the lock just judged, then race for a fresh one
    const again = readOwner(file);
    if (again !== null && again.text === text) fs.rmSync(file, { force: true });
    tookOverFrom = other ?? { pid: NaN, host: owner.host, started: '?', url: null };
  }
  let released = false;
  return {
    file,
    tookOverFrom,
    setUrl(url: string) {
      owner.url = url;
      const now = readOwner(file);
      if (now?.owner?.pid !== process.pid) return;
      // by rename, so that a second server never reads a half-written lock
      const tmp = `${file}.tmp-${process.pid}`;
      writeOwner(tmp, owner, 'w');
      fs.renameSync(tmp, file);
    },
    release() {
      if (released) return;
      released = true;
      const now = readOwner(file);
      if (now?.owner?.pid === process.pid) fs.rmSync(file, { force: true });
    },
  };
}
