/**
 * Nothing lost: `active-sl serve` killed with -9 in the middle of a stream of tells restarts with
 * every acknowledged run in the file, once, and no torn line; a run whose answer never came can be
 * told again safely (a repeat is refused, naming the row it is already in). Also: one server per
 * campaign file, a token for any address but loopback, and a clean stop on SIGTERM.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './shared.js';
import { api, makeServeCampaign, makeTempDir, startServe, type ServeFixture, type ServerProcess } from './serve-fixture.js';

const CLI = path.join(repoRoot, 'dist', 'cli', 'main.js');
const CONCURRENT = 4;
/** Acknowledged tells before the kill. */
const KILL_AFTER = 12;

let dir: string;
let fx: ServeFixture;

beforeAll(() => {
  dir = makeTempDir('asl-serve-kill-');
  fx = makeServeCampaign(dir, { points: 6 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const line = (row: number) => `${fx.pool[row].N},${fx.pool[row].D},${fx.lossOf(row)}`;
const runOf = (row: number) => ({ N: fx.pool[row].N, D: fx.pool[row].D, loss: fx.lossOf(row) });

/** Every line whole: the header, then three numbers per line, and a line ending after the last. */
function readWhole(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  expect(lines[0]).toBe('N,D,loss');
  for (const l of lines.slice(1)) {
    const cells = l.split(',');
    expect(cells, l).toHaveLength(3);
    for (const c of cells) expect(Number.isFinite(Number(c)) && c !== '', l).toBe(true);
  }
  return lines.slice(1);
}

describe('serve under kill -9', () => {
  it('keeps every acknowledged run, and no torn line', async () => {
    let server: ServerProcess = await startServe(['--task', fx.task, '--observed', fx.runs, '--restarts', '4', '--history', '0']);
    const acknowledged = new Set<number>();
    const queue = fx.pool.map((_, r) => r);
    let killed = false;
    const stream = async () => {
      for (let row = queue.shift(); row !== undefined; row = queue.shift()) {
        try {
          const r = await api(`${server.url}runs`, { method: 'POST', body: runOf(row) });
          if (r.status === 200) acknowledged.add(row);
        } catch {
          // the server is gone: this tell was never answered
        }
        if (acknowledged.size >= KILL_AFTER && !killed) {
          killed = true;
          server.child.kill('SIGKILL');
        }
        if (killed) return;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENT }, stream));
    expect(await server.exited).toBe('SIGKILL');
    expect(fs.existsSync(`${fx.runs}.lock`)).toBe(true);

    const before = readWhole(fx.runs);
    for (const row of acknowledged) expect(before.filter((l) => l === line(row))).toHaveLength(1);

    server = await startServe(['--task', fx.task, '--observed', fx.runs, '--restarts', '4', '--history', '0']);
    try {
      expect(server.stderr()).toMatch(/took over runs\.csv\.lock from process \d+, which is no longer running/);
      const campaign = await api<{ runs: unknown[] }>(`${server.url}campaign`);
      expect(campaign.body.runs).toHaveLength(before.length);
      // tell again everything whose answer never came: what did land is refused by name, the rest is written
      const unanswered = fx.pool.map((_, r) => r).filter((r) => !acknowledged.has(r));
      for (const row of unanswered) {
        const r = await api<{ error?: string }>(`${server.url}runs`, { method: 'POST', body: runOf(row) });
        if (before.includes(line(row))) {
          expect(r.status).toBe(400);
          expect(r.body.error).toMatch(/is already in runs\.csv \(data row \d+\), with the same loss: this run was told before/);
        } else expect(r.status).toBe(200);
      }
      const after = readWhole(fx.runs);
      expect(after).toHaveLength(fx.pool.length);
      for (let row = 0; row < fx.pool.length; row++) expect(after.filter((l) => l === line(row))).toHaveLength(1);
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
    // a clean stop gives the lock back
    expect(fs.existsSync(`${fx.runs}.lock`)).toBe(false);
  });

  it('refuses a second server on the same file, and a non-loopback address without a token', async () => {
    const server = await startServe(['--task', fx.task, '--observed', fx.runs, '--restarts', '4', '--history', '0']);
    try {
      const second = spawnSync(process.execPath, [CLI, 'serve', '--task', fx.task, '--observed', fx.runs, '--port', '0'], { encoding: 'utf8' });
      expect(second.status).toBe(2);
      expect(second.stderr).toMatch(new RegExp(`runs\\.csv is already served by process ${server.child.pid} .*${server.url.replace(/[.]/g, '\\.')}`));
    } finally {
      server.child.kill('SIGINT');
      expect(await server.exited).toBe(0);
    }
    const open = spawnSync(process.execPath, [CLI, 'serve', '--task', fx.task, '--observed', fx.runs, '--host', '0.0.0.0'], {
      encoding: 'utf8',
      env: { ...process.env, ACTIVE_SL_TOKEN: '' },
    });
    expect(open.status).toBe(2);
    expect(open.stderr).toMatch(/--host 0\.0\.0\.0 is reachable from other machines: give a token for writes \(--token or ACTIVE_SL_TOKEN\)/);
  });

  it('has examples in its help', () => {
    const help = spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Examples:\n {2}\$ active-sl serve --task /);
    expect(help.stdout).toMatch(/curl -s -X POST http:\/\/127\.0\.0\.1:8787\/runs/);
  });
});
