/**
 * The stress suite end to end on a tiny grid, as a user runs it: `active-sl stress`, then
 * `active-sl report` on its folder.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StressRecord } from '../src/stress/unit.js';
import type { StressSummary } from '../src/stress/summary.js';
import { observedPrefix } from '../src/stress/unit.js';
import { variantsFor } from '../src/stress/suite.js';
import { repoRoot } from './shared.js';

const CLI = path.join(repoRoot, 'dist', 'cli', 'main.js');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'asl-stress-'));
const readUnits = (dir: string) =>
  fs
    .readFileSync(path.join(dir, 'units.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as StressRecord);

describe('observedPrefix', () => {
  it('keeps the chosen rows whose running cost the level paid for, in order', () => {
    const cost = Float64Array.from([1, 2, 4, 8]);
    expect(observedPrefix([2, 0, 3, 1], cost, 5)).toEqual([2, 0]);
    expect(observedPrefix([2, 0, 3, 1], cost, 15)).toEqual([2, 0, 3, 1]);
    expect(observedPrefix([3], cost, 4)).toEqual([]);
  });
});

describe('variantsFor', () => {
  it('adds the exploration mix everywhere and robust fits only where outliers are studied, scaled to the noise', () => {
    const control = variantsFor('control', 0.02, ['random', 'mspe', 'all-data'], true);
    expect(control.map((v) => v.label)).toContain('mspe+explore(0.2)');
    const huber = control.find((v) => v.label === 'mspe+huber(3σ)');
    expect(huber?.loss).toEqual({ loss: 'huber', fScale: 0.06 });
    expect(variantsFor('broken-power', 0.02, ['mspe'], true).map((v) => v.label)).toEqual(['mspe', 'mspe+explore(0.2)']);
    expect(variantsFor('diverged', 0.02, ['mspe'], false).map((v) => v.label)).toEqual(['mspe']);
  });
});

describe('active-sl stress', () => {
  it('runs a tiny suite, resumes without rerunning, and report.html shows its section', () => {
    const out = tmp();
    const args = [
      'stress',
      '--out',
      out,
      '--scenarios',
      'control,diverged',
      '--noise',
      'mid',
      '--repeats',
      '1',
      '--methods',
      'cheapest,mspe',
      '--restarts',
      '8',
      '--workers',
      '2',
      '--quiet',
    ];
    const first = cli(args);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Target-region R² on control');
    expect(first.stdout).toContain('Misspecification alarm');
    const units = readUnits(out);
    // control: cheapest, mspe, mspe+explore, mspe+huber; diverged the same
    expect(units).toHaveLength(8);
    for (const u of units) {
      expect(u.r2).toHaveLength(3);
      for (const v of u.r2) expect(v).toBeGreaterThanOrEqual(-1);
      for (const c of u.coverage) if (c !== null) expect(c).toBeGreaterThanOrEqual(0);
      expect(u.observed[2]).toBeGreaterThanOrEqual(u.observed[0]);
    }
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'stress-summary.json'), 'utf8')) as StressSummary;
    expect(summary.units).toEqual({ done: 8, expected: 8 });
    expect(summary.scenarios).toEqual(['control', 'diverged']);
    expect(Object.keys(summary.r2.control.mid)).toContain('mspe+huber(3σ)');
    expect(fs.existsSync(path.join(out, 'scenarios', 'diverged-mid-0', 'task.json'))).toBe(true);

    const again = cli(args);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 units run, 8 already done');
    expect(readUnits(out)).toHaveLength(8);

    const report = cli(['report', out]);
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    const html = fs.readFileSync(path.join(out, 'report', 'report.html'), 'utf8');
    expect(html).toContain('Stress suite');
    expect(html).toContain('id="plot-stress-control-r2"');
    expect(html).toContain('id="plot-stress-alarm"');
    expect(fs.existsSync(path.join(out, 'report', 'stress-coverage.svg'))).toBe(true);
  }, 300_000);

  it('rejects an unknown scenario, noise level or method with one line and writes nothing', () => {
    const out = path.join(tmp(), 'never');
    for (const bad of [
      ['--scenarios', 'control,wobbly'],
      ['--noise', 'loud'],
      ['--methods', 'mspe,oracle'],
    ]) {
      const r = cli(['stress', '--out', out, ...bad]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(bad[0]);
      expect(fs.existsSync(out)).toBe(false);
    }
  });

  it('scores no interval at a level that paid for a single run, as fit refuses one, and carries on', () => {
    const out = tmp();
    const r = cli(['stress', '--out', out, ...'--scenarios control --noise low --repeats 4 --methods random --no-extras --workers 1 --quiet'.split(' ')]);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    const units = readUnits(out);
    expect(units).toHaveLength(4);
    const single = units.flatMap((u) => u.observed.flatMap((n, level) => (n === 1 ? [{ u, level }] : [])));
    // seed 0 has a random draw whose first level buys one run; without it this test tests nothing
    expect(single.length).toBeGreaterThan(0);
    for (const { u, level } of single) {
      expect(u.coverage[level]).toBeNull();
      expect(u.alarm[level]).toBeNull();
    }
    expect(single.some(({ u }) => u.why.includes('1 observed run'))).toBe(true);
  }, 120_000);

  it('refuses to continue a suite folder made with another seed', () => {
    const out = tmp();
    fs.writeFileSync(path.join(out, 'stress-config.json'), JSON.stringify({ seed: 3, restarts: 64 }));
    const r = cli(['stress', '--out', out, '--scenarios', 'control', '--noise', 'low', '--repeats', '1', '--methods', 'cheapest']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--seed 3');
  });
});

describe('a very long suite', () => {
  it('writes scenario folders a few draws ahead of the workers, not one per draw up front', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-stress-lazy-'));
    const child = spawn(
      process.execPath,
      [
        CLI,
        'stress',
        '--out',
        out,
        '--scenarios',
        'control',
        '--noise',
        'mid',
        '--repeats',
        '10000',
        '--methods',
        'cheapest',
        '--restarts',
        '4',
        '--workers',
        '1',
      ],
      {
        cwd: repoRoot,
        env: { ...process.env, FORCE_COLOR: '0' },
      },
    );
    let err = '';
    let folders = -1;
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        err += String(chunk);
        // the first unit is done: count what has been written so far, then stop
        if (folders < 0 && /\[1\/10000\]/.test(err)) {
          folders = fs.readdirSync(path.join(out, 'scenarios')).length;
          child.kill('SIGKILL');
        }
      });
      child.on('exit', () => resolve());
    });
    expect(folders).toBeGreaterThanOrEqual(1);
    expect(folders).toBeLessThanOrEqual(4);
  }, 120_000);
});
