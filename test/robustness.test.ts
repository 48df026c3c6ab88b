/**
 * Degenerate campaigns finish with a recorded, explained result: never a crash, never NaN.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBenchmark } from '../src/benchmark/run.js';
import { METHODS, type Method } from '../src/benchmark/unit.js';
import { readTaskFile } from '../src/data/task.js';

function makeTask(poolRows: number[][], law: { formula: string; params: Record<string, [number, number]> }, budgets = [0.3, 0.6, 1]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-robust-'));
  const csv = (rows: number[][]) => `N,loss\n${rows.map((r) => r.join(',')).join('\n')}\n`;
  fs.writeFileSync(path.join(dir, 'pool.csv'), csv(poolRows));
  fs.writeFileSync(
    path.join(dir, 'target.csv'),
    csv([
      [64, 1.9],
      [128, 1.8],
    ]),
  );
  const file = path.join(dir, 'task.json');
  fs.writeFileSync(
    file,
    JSON.stringify({ name: 'robust', features: ['N'], targets: ['loss'], cost: 'N', candidates: 'pool.csv', target: 'target.csv', budgets, laws: { l: law } }),
  );
  return { task: readTaskFile(file), out: path.join(dir, 'out') };
}

const powerLaw = { formula: 'E + A * N^(-a)', params: { E: [0, 5], A: [0, 50], a: [0, 2] } as Record<string, [number, number]> };
const pool = [
  [1, 4.0],
  [2, 3.1],
  [4, 2.6],
  [8, 2.3],
  [16, 2.1],
  [32, 2.0],
];

async function run(task: ReturnType<typeof makeTask>, method: Method) {
  const r = await runBenchmark({
    task: task.task,
    method,
    laws: ['l'],
    repeats: 2,
    seed: 0,
    restarts: 4,
    fitter: 'lbfgsb',
    gradient: 'reference',
    workers: 1,
    out: task.out,
    shard: null,
    resume: false,
    quiet: true,
  });
  const text = fs.readFileSync(path.join(r.dir, 'summary.json'), 'utf8');
  expect(text).not.toMatch(/NaN|null/);
  return {
    summary: r.summary,
    runs: fs
      .readFileSync(path.join(r.dir, 'runs.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
  };
}

describe('degenerate inputs finish with an explained result', () => {
  it.each(METHODS)('%s: a law whose every fit fails', async (method) => {
    const t = makeTask(pool, { formula: 'log(-a * N)', params: { a: [0.1, 1] } });
    const { summary, runs } = await run(t, method);
    expect(summary.overall.mean).toEqual([-1, -1, -1]);
    expect(runs[0].note).toMatch(/fail|no usable fit/);
  });

  it.each(METHODS)('%s: a pool of one row is bought once, and a three-parameter law on one point scores the floor', async (method) => {
    const t = makeTask([[4, 2.6]], powerLaw);
    const { summary, runs } = await run(t, method);
    const trace = runs[0].groups.all_data;
    expect(trace.chosen).toEqual([0]);
    if (['random', 'cheapest', 'cost-rand'].includes(method)) {
      // the row costs the whole pool: the first level buys nothing and fits nothing, and says so
      expect(trace.spent).toEqual([0, 4, 4]);
      expect(trace.fitted).toEqual([false, true, true]);
      expect(runs[0].note).toMatch(/no usable fit at some level/);
    } else {
      // model-based methods start from the cheapest row whatever the level (their initial design)
      expect(trace.spent).toEqual([4, 4, 4]);
    }
    expect(summary.overall.mean).toEqual([-1, -1, -1]);
  });

  it.each(METHODS)('%s: a budget below the cheapest candidate', async (method) => {
    const t = makeTask(pool, powerLaw, [0.001, 0.002]);
    const { summary, runs } = await run(t, method);
    for (const v of summary.overall.mean) expect(Number.isFinite(v)).toBe(true);
    if (!['all-data', 'd-opt', 'v-opt', 'mspe', 'mspe-intra', 'mspe-inter'].includes(method)) {
      // nothing fits the budget: no fit, scored −1, and said so
      expect(summary.overall.mean).toEqual([-1, -1]);
      expect(runs[0].note).toMatch(/no usable fit/);
    }
  });

  it.each(['d-opt', 'v-opt', 'mspe'] as Method[])('%s: a law with a parameter the data cannot see (singular Fisher matrix)', async (method) => {
    const t = makeTask(pool, { formula: 'E + A * N^(-a) + 0 * b', params: { E: [0, 5], A: [0, 50], a: [0, 2], b: [-1, 1] } });
    const { summary, runs } = await run(t, method);
    // the unseen parameter does not stop the selection: every row is bought by the last level
    expect([...runs[0].groups.all_data.chosen].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    for (const v of summary.overall.mean) expect(v >= -1 && v <= 1).toBe(true);
  });
});
