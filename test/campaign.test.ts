/**
 * A practitioner's campaign end to end, through the built CLI in a child process: a task written
 * from scratch (a Chinchilla-style law over a generated N × D pool whose losses nobody knows
 * yet), `suggest --batch 3 --json` round after round, each suggested run "trained" by evaluating
 * the hidden true law with noise and appended to the observed CSV, until the stopping rule says the
 * target forecast is tight enough. The same task with its losses filled in runs the benchmark
 * protocol with `run --task`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './shared.js';

const CLI = path.join(repoRoot, 'dist', 'cli', 'main.js');
const TRUE = { E: 1.8, A: 420, alpha: 0.33, B: 900, beta: 0.3 };
const trueLoss = (N: number, D: number) => TRUE.E + TRUE.A * N ** -TRUE.alpha + TRUE.B * D ** -TRUE.beta;
const NOISE_SD = 0.004;
/** The forecast is good enough once the mean relative 90% half-width is below this. */
const STOP_BELOW = 0.02;
const MAX_ROUNDS = 8;

const Ns = [2e6, 5e6, 1e7, 2e7, 5e7, 1e8, 2e8];
const Ds = [2e8, 5e8, 1e9, 2e9, 5e9, 1e10];
const TARGET = [
  [1e9, 2e10],
  [2e9, 4e10],
  [5e9, 1e11],
];

/** Deterministic normals (LCG + Box–Muller), so the campaign is the same on every run. */
function normals(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface SuggestJson {
  suggestions: { row: number; features: { N: number; D: number }; cost: number; score: number }[];
  target: { predictions: { features: { N: number; D: number }; mean: number; lo90: number; hi90: number }[]; uncertainty: number };
  stop: boolean;
}

const LAW = {
  formula: 'E + A * N^(-alpha) + B * D^(-beta)',
  params: { E: [0.5, 4], A: [1, 1e5], alpha: [0.05, 1.5], B: [1, 1e6], beta: [0.05, 1.5] },
};

let dir: string;
const noise = normals(11);
const pool = Ns.flatMap((N) => Ds.map((D) => ({ N, D, cost: 6 * N * D })));

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-campaign-'));
  const csv = (header: string, rows: (number | string)[][]) => `${header}\n${rows.map((r) => r.join(',')).join('\n')}\n`;
  // the campaign: losses unknown in the pool and at the target scale
  fs.writeFileSync(
    path.join(dir, 'pool.csv'),
    csv(
      'N,D',
      pool.map((p) => [p.N, p.D]),
    ),
  );
  fs.writeFileSync(path.join(dir, 'target.csv'), csv('N,D', TARGET));
  const task = {
    name: 'my-pilots',
    features: ['N', 'D'],
    targets: ['loss'],
    cost: '6 * N * D',
    candidates: 'pool.csv',
    target: 'target.csv',
    laws: { chinchilla: LAW },
  };
  fs.writeFileSync(path.join(dir, 'task.json'), JSON.stringify(task, null, 2));
  // the benchmark twin: the same pool with every loss known, for `run --task`
  fs.writeFileSync(
    path.join(dir, 'pool-known.csv'),
    csv(
      'N,D,loss',
      pool.map((p) => [p.N, p.D, trueLoss(p.N, p.D) + NOISE_SD * noise()]),
    ),
  );
  fs.writeFileSync(
    path.join(dir, 'target-known.csv'),
    csv(
      'N,D,loss',
      TARGET.map(([N, D]) => [N, D, trueLoss(N, D)]),
    ),
  );
  fs.writeFileSync(
    path.join(dir, 'bench.json'),
    JSON.stringify({ ...task, name: 'my-pilots-bench', candidates: 'pool-known.csv', target: 'target-known.csv' }),
  );
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a campaign with suggest, batch and the stopping rule', () => {
  it('spends round by round until the target forecast is tight, and the final intervals hold the truth', () => {
    const observed = path.join(dir, 'observed.csv');
    // start from the four cheapest runs, as a team would
    const cheapest = [...pool].sort((a, b) => a.cost - b.cost).slice(0, 4);
    fs.writeFileSync(observed, `run,N,D,loss\n${cheapest.map((p, k) => `pilot-${k},${p.N},${p.D},${trueLoss(p.N, p.D) + NOISE_SD * noise()}`).join('\n')}\n`);
    const ran = new Set(cheapest.map((p) => `${p.N},${p.D}`));
    let budget = 0.25 * pool.reduce((s, p) => s + p.cost, 0);
    const uncertainties: number[] = [];
    let last: SuggestJson | null = null;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const r = cli(
        [
          'suggest',
          '--task',
          'task.json',
          '--observed',
          'observed.csv',
          '--batch',
          '3',
          '--budget',
          String(budget),
          '--stop-below',
          String(STOP_BELOW),
          '--restarts',
          '32',
          '--json',
        ],
        dir,
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as SuggestJson;
      last = out;
      uncertainties.push(out.target.uncertainty);
      expect(out.stop).toBe(out.target.uncertainty < STOP_BELOW);
      if (out.stop) break;
      // a batch: distinct rows, none run before, within the budget left
      expect(out.suggestions).toHaveLength(3);
      const keys = out.suggestions.map((s) => `${s.features.N},${s.features.D}`);
      expect(new Set(keys).size).toBe(3);
      for (const k of keys) expect(ran.has(k)).toBe(false);
      const spend = out.suggestions.reduce((s, x) => s + x.cost, 0);
      expect(spend).toBeLessThanOrEqual(budget);
      for (const s of out.suggestions) {
        expect(s.cost).toBeCloseTo(6 * s.features.N * s.features.D, 0);
        ran.add(`${s.features.N},${s.features.D}`);
        fs.appendFileSync(observed, `round-${round},${s.features.N},${s.features.D},${trueLoss(s.features.N, s.features.D) + NOISE_SD * noise()}\n`);
      }
      budget -= spend;
    }
    expect(last?.stop).toBe(true);
    expect(uncertainties.length).toBeGreaterThan(1);
    expect(uncertainties[uncertainties.length - 1]).toBeLessThan(uncertainties[0]);
    for (const p of last!.target.predictions) {
      const truth = trueLoss(p.features.N, p.features.D);
      expect(p.lo90).toBeLessThanOrEqual(truth);
      expect(p.hi90).toBeGreaterThanOrEqual(truth);
    }
  });

  it('the readable suggest names the runs and says whether to stop', () => {
    const observed = path.join(dir, 'few.csv');
    const cheapest = [...pool].sort((a, b) => a.cost - b.cost).slice(0, 5);
    fs.writeFileSync(observed, `N,D,loss\n${cheapest.map((p) => `${p.N},${p.D},${trueLoss(p.N, p.D)}`).join('\n')}\n`);
    const r = cli(['suggest', '--task', 'task.json', '--observed', 'few.csv', '--batch', '2', '--stop-below', '1e-9', '--restarts', '16'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/run next:/);
    expect(r.stdout).toMatch(/stop below 1e-9: no/);
  });

  it('the same task with known losses runs the benchmark protocol with run --task', () => {
    const r = cli(['run', '--task', 'bench.json', '--method', 'mspe', '--repeats', '2', '--restarts', '8', '--workers', '1', '--out', 'out', '--quiet'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const root = path.join(dir, 'out', 'my-pilots-bench', 'mspe');
    const [run] = fs.readdirSync(root);
    const summary = JSON.parse(fs.readFileSync(path.join(root, run, 'summary.json'), 'utf8')) as { overall: { mean: number[] } };
    expect(summary.overall.mean).toHaveLength(3);
    for (const v of summary.overall.mean) expect(Number.isFinite(v)).toBe(true);
  });
});
