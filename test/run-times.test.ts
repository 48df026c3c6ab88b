/**
 * scripts/run-times.mjs: the run-time tables of docs/results.md, from the units' wallSeconds.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './shared.js';

const SCRIPT = path.join(repoRoot, 'scripts', 'run-times.mjs');

function writeRun(root: string, runId: string, version: string, laws: string[], units: { law: string; repeat: number; wallSeconds: number }[]): void {
  const dir = path.join(root, 'toy_task', 'mspe', runId);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ task: 'toy_task', method: 'mspe', laws, repeats: 10, version }));
  fs.writeFileSync(path.join(dir, 'runs.jsonl'), units.map((u) => JSON.stringify({ ...u, r2: [0] })).join('\n') + '\n');
}

function times(
  root: string,
): { units: number; secondsMeasured: number; secondsPerRepeat: number; secondsFor10Repeats: number; extrapolated: boolean; versions: string[] }[] {
  const r = spawnSync(process.execPath, [SCRIPT, root, '--format', 'json'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe('run-times', () => {
  it('counts a unit run twice once, with the newer folder’s time, and scales the mean unit to all laws × 10 repeats', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-times-'));
    writeRun(
      root,
      '20260101-000000',
      '0.1.0',
      ['a', 'b'],
      [
        { law: 'a', repeat: 0, wallSeconds: 100 },
        { law: 'b', repeat: 0, wallSeconds: 4 },
      ],
    );
    writeRun(
      root,
      '20260202-000000',
      '0.3.0',
      ['a', 'b'],
      [
        { law: 'a', repeat: 0, wallSeconds: 2 },
        { law: 'a', repeat: 1, wallSeconds: 6 },
      ],
    );
    const [row] = times(root);
    // units: a/0 (newer: 2 s), a/1 (6 s), b/0 (4 s)
    expect(row.units).toBe(3);
    expect(row.secondsMeasured).toBe(12);
    expect(row.secondsPerRepeat).toBe(8); // mean 4 s × 2 laws
    expect(row.secondsFor10Repeats).toBe(80);
    expect(row.extrapolated).toBe(true);
    expect(row.versions).toEqual(['0.1.0', '0.3.0']);
  });

  it('names the file and line of a runs.jsonl line that is not JSON', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-times-'));
    writeRun(root, '20260101-000000', '0.3.0', ['a'], [{ law: 'a', repeat: 0, wallSeconds: 1 }]);
    fs.appendFileSync(path.join(root, 'toy_task', 'mspe', '20260101-000000', 'runs.jsonl'), '{"law": "a", "rep\n');
    const r = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/runs\.jsonl: line 2 is not JSON/);
  });
});
