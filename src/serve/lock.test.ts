import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ServeError } from './errors.js';
import { acquireLock } from './lock.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-serve-lock-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

it('refuses a second server on the same file while the first runs, naming it', () => {
  const runs = path.join(dir, 'runs.csv');
  const lock = acquireLock(runs);
  lock.setUrl('http://127.0.0.1:8787/');
  expect(JSON.parse(fs.readFileSync(`${runs}.lock`, 'utf8'))).toMatchObject({ pid: process.pid, url: 'http://127.0.0.1:8787/' });
  let message = '';
  try {
    acquireLock(runs);
  } catch (e) {
    expect(e).toBeInstanceOf(ServeError);
    message = (e as Error).message;
  }
  expect(message).toMatch(new RegExp(`already served by process ${process.pid} .*http://127\\.0\\.0\\.1:8787/`));
  lock.release();
  expect(fs.existsSync(`${runs}.lock`)).toBe(false);
  acquireLock(runs).release();
});

it('takes over the lock of a process that is gone', () => {
  const runs = path.join(dir, 'runs.csv');
  // a pid that surely is not running: a child that has exited
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const dead = Number(child.stdout);
  fs.writeFileSync(`${runs}.lock`, JSON.stringify({ pid: dead, host: os.hostname(), started: '2020-01-01T00:00:00Z', url: null }));
  const lock = acquireLock(runs);
  expect(lock.tookOverFrom?.pid).toBe(dead);
  expect(JSON.parse(fs.readFileSync(`${runs}.lock`, 'utf8')).pid).toBe(process.pid);
  lock.release();
});

it('leaves alone a lock of another host, and one being written', () => {
  const runs = path.join(dir, 'runs.csv');
  fs.writeFileSync(`${runs}.lock`, JSON.stringify({ pid: 1, host: 'elsewhere', started: 'x', url: null }));
  expect(() => acquireLock(runs)).toThrow(/locked by process 1 on host elsewhere/);
  fs.writeFileSync(`${runs}.lock`, '');
  expect(() => acquireLock(runs)).toThrow(/another server is starting/);
});
