import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runUnit } from '../benchmark/unit.js';
import { loadTaskData } from '../data/dataset.js';
import { loadTask, parseTask } from '../data/task.js';
import { exampleScenarioSpec } from './example.js';
import { generateScenario } from './generate.js';
import type { ScenarioSpecInput } from './spec.js';
import { writeScenario } from './write.js';

/** A parsed CSV: header → column of numbers. */
function columns(text: string): Record<string, number[]> {
  const [header, ...rows] = text
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  return Object.fromEntries(header.map((h, c) => [h, rows.map((r) => Number(r[c]))]));
}

function sd(xs: readonly number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

function chinchilla(N: number, D: number): number {
  return 1.69 + 406.4 * N ** -0.34 + 410.7 * D ** -0.28;
}

/** The control truth on a 60 × 60 pool: 3600 rows, enough for noise statistics within a few %. */
function largeControl(noise: ScenarioSpecInput['noise']): ScenarioSpecInput {
  const spec = exampleScenarioSpec();
  spec.truth = { formula: 'E + A * N^(-alpha) + B * D^(-beta)', values: { E: 1.69, A: 406.4, alpha: 0.34, B: 410.7, beta: 0.28 } };
  spec.pool = { N: { from: 1e7, to: 1e9, points: 60 }, D: { from: 2e8, to: 2e10, points: 60 } };
  spec.noise = noise;
  return spec;
}

describe('synth generation', () => {
  it('writes the pool as the grid in feature order, first feature slowest, ends exact', () => {
    const pool = columns(generateScenario(exampleScenarioSpec()).files['pool.csv']);
    expect(pool.N).toHaveLength(64);
    expect(pool.N.slice(0, 8)).toEqual(new Array(8).fill(1e7));
    expect([pool.D[0], pool.D[7], pool.N[63], pool.D[63]]).toEqual([2e8, 2e10, 1e9, 2e10]);
    // log spacing: equal ratios between neighbours
    const ratios = pool.D.slice(1, 8).map((d, i) => d / pool.D[i]);
    for (const r of ratios) expect(r).toBeCloseTo(100 ** (1 / 7), 12);
  });

  it('linear axes are evenly spaced', () => {
    const spec = exampleScenarioSpec();
    spec.pool.N = { from: 1e8, to: 9e8, points: 5, scale: 'linear' };
    const pool = columns(generateScenario(spec).files['pool.csv']);
    expect([...new Set(pool.N)]).toEqual([1e8, 3e8, 5e8, 7e8, 9e8]);
  });

  it('same spec and seed give byte-identical files', () => {
    const a = generateScenario(exampleScenarioSpec()).files;
    const b = generateScenario(exampleScenarioSpec()).files;
    expect(b).toEqual(a);
    // the bytes of this version: a change of RNG stream, noise model or number format shows here
    const digest = createHash('sha256').update(a['pool.csv']).update(a['target.csv']).digest('hex');
    expect(digest).toBe(GOLDEN_EXAMPLE_DIGEST);
  });

  it('a different seed draws different noise over the same truth', () => {
    const spec = exampleScenarioSpec();
    spec.seed = 1;
    const a = columns(generateScenario(exampleScenarioSpec()).files['pool.csv']);
    const b = columns(generateScenario(spec).files['pool.csv']);
    expect(b.loss_true).toEqual(a.loss_true);
    expect(b.loss.filter((y, i) => y === a.loss[i])).toHaveLength(0);
  });

  it('writes the noiseless truth, and the pool loss = truth + noise', () => {
    const { files } = generateScenario(largeControl({ sd: 0.02 }));
    const pool = columns(files['pool.csv']);
    pool.N.forEach((N, i) => expect(pool.loss_true[i]).toBeCloseTo(chinchilla(N, pool.D[i]), 12));
    const noise = pool.loss.map((y, i) => y - pool.loss_true[i]);
    expect(noise).toHaveLength(3600);
    expect(Math.abs(sd(noise) / 0.02 - 1)).toBeLessThan(0.04);
    expect(Math.abs(noise.reduce((a, b) => a + b, 0) / noise.length)).toBeLessThan((3 * 0.02) / 60);
    expect(pool.diverged.every((d) => d === 0)).toBe(true);
  });

  it('cheap runs are noisier by (cost / geometric-mean cost)^(−costPower)', () => {
    const power = 0.5;
    const pool = columns(generateScenario(largeControl({ sd: 0.02, costPower: power })).files['pool.csv']);
    const cost = pool.N.map((N, i) => 6 * N * pool.D[i]);
    const reference = Math.exp(cost.reduce((a, c) => a + Math.log(c), 0) / cost.length);
    const expected = cost.map((c) => 0.02 * (c / reference) ** -power);
    const byCost = cost.map((_, i) => i).sort((a, b) => cost[a] - cost[b]);
    const quarter = byCost.length / 4;
    const cheap = byCost.slice(0, quarter);
    const dear = byCost.slice(-quarter);
    const z = (rows: number[]) => rows.map((i) => (pool.loss[i] - pool.loss_true[i]) / expected[i]);
    expect(Math.abs(sd(z(cheap)) - 1)).toBeLessThan(0.08);
    expect(Math.abs(sd(z(dear)) - 1)).toBeLessThan(0.08);
    const raw = (rows: number[]) => sd(rows.map((i) => pool.loss[i] - pool.loss_true[i]));
    const rms = (rows: number[]) => Math.sqrt(rows.reduce((a, i) => a + expected[i] ** 2, 0) / rows.length);
    const ratio = raw(cheap) / raw(dear);
    expect(ratio).toBeGreaterThan(10);
    expect(Math.abs(ratio / (rms(cheap) / rms(dear)) - 1)).toBeLessThan(0.12);
  });

  it('diverged runs: exactly round(fraction · rows) rows get +offset, marked in `diverged`', () => {
    const pool = columns(generateScenario(largeControl({ sd: 0.01, outliers: { fraction: 0.03, offset: 0.5 } })).files['pool.csv']);
    const flagged = pool.diverged.flatMap((d, i) => (d === 1 ? [i] : []));
    expect(flagged).toHaveLength(108);
    expect(pool.diverged.every((d) => d === 0 || d === 1)).toBe(true);
    for (const i of flagged) expect(Math.abs(pool.loss[i] - pool.loss_true[i] - 0.5)).toBeLessThan(0.06);
    const calm = pool.loss.flatMap((y, i) => (pool.diverged[i] === 0 ? [Math.abs(y - pool.loss_true[i])] : []));
    expect(Math.max(...calm)).toBeLessThan(0.06);
    // 3% of the 64-row example pool rounds to 2 rows
    const small = exampleScenarioSpec();
    small.noise = { sd: 0.02, outliers: { fraction: 0.03 } };
    expect(columns(generateScenario(small).files['pool.csv']).diverged.filter((d) => d === 1)).toHaveLength(2);
  });

  it('the target file holds the noiseless truth and one draw of the same noise model', () => {
    const spec = largeControl({ sd: 0.02 });
    spec.region = { N: { from: 3e9, to: 1e10, points: 40 }, D: { from: 6e10, to: 2e11, points: 40 } };
    const target = columns(generateScenario(spec).files['target.csv']);
    expect(Object.keys(target)).toEqual(['N', 'D', 'loss', 'loss_observed']);
    target.N.forEach((N, i) => expect(target.loss[i]).toBeCloseTo(chinchilla(N, target.D[i]), 12));
    expect(Math.abs(sd(target.loss_observed.map((y, i) => y - target.loss[i])) / 0.02 - 1)).toBeLessThan(0.06);
  });

  it('writes numbers that read back to the same doubles', () => {
    const { files } = generateScenario(exampleScenarioSpec());
    const first = files['pool.csv'].split('\n')[2].split(',');
    expect(first[1]).toBe('386139545.7766496');
    expect(String(Number(first[2]))).toBe(first[2]);
    expect(first[2].replace(/^\d\./, '').length).toBeGreaterThan(12);
  });

  it('task.json is a task the loader accepts and records the whole spec', () => {
    const { files, spec } = generateScenario(exampleScenarioSpec());
    const raw = JSON.parse(files['task.json']) as Record<string, unknown> & { synthetic: { spec: unknown; generator: string } };
    const task = parseTask(raw, '/tmp/x/task.json', false, files['task.json']);
    expect(task).toMatchObject({
      name: 'broken-power-law',
      features: ['N', 'D'],
      targets: ['loss'],
      cost: '6 * N * D',
      candidates: 'pool.csv',
      target: 'target.csv',
      budgets: [0.01, 0.05, 0.1],
    });
    expect(Object.keys(task.laws)).toEqual(['chinchilla']);
    expect(raw.synthetic.generator).toBe('active-sl synth');
    expect(raw.synthetic.spec).toEqual(spec);
    // the recorded spec regenerates the folder
    expect(generateScenario(raw.synthetic.spec as ScenarioSpecInput).files).toEqual(files);
  });

  it('the written folder loads with the task loader and runs an MSPE unit', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'asl-synth-gen-')), 'scenario');
    writeScenario(exampleScenarioSpec(), dir);
    const data = await loadTaskData(loadTask(path.join(dir, 'task.json')));
    expect(data.groups).toHaveLength(1);
    expect([data.groups[0].pool.n, data.groups[0].target.n]).toEqual([64, 9]);
    const record = runUnit(data, 'chinchilla', 0, { method: 'mspe', seed: 0, restarts: 4, fitter: 'lbfgsb', gradient: 'reference' });
    expect(record.r2).toHaveLength(3);
    expect(record.r2[2]).toBeGreaterThan(0.5);
  });
});

const GOLDEN_EXAMPLE_DIGEST = 'e1cd9e1fd20abe78bc7c53e07ce0c551fe81c6ed1a9b52b9137c398757113d08';
