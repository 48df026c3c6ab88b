import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readObserved } from '../campaign/observed.js';
import { fitLaw, suggest } from '../campaign/suggest.js';
import { loadPracticeData } from '../campaign/data.js';
import { loadTask } from '../data/task.js';
import { makeServeCampaign, makeTempDir, type ServeFixture } from '../../test/serve-fixture.js';
import { createEngine, historyCounts, type Engine } from './engine.js';
import type { RecordedRun } from './validate.js';

const RESTARTS = 8;
let dir: string;
let fx: ServeFixture;
let engine: Engine;
/** Rows 0, 7, 14, 21, 28, 35: the diagonal of the 6 × 6 pool, observed. */
const OBSERVED = [0, 7, 14, 21, 28, 35];
let runs: RecordedRun[];

beforeAll(async () => {
  dir = makeTempDir('asl-serve-engine-');
  fx = makeServeCampaign(dir);
  runs = OBSERVED.map((r, i) => ({ group: 'all_data', x: [fx.pool[r].N, fx.pool[r].D], y: [fx.lossOf(r)], row: i }));
  fs.writeFileSync(fx.runs, `N,D,loss\n${OBSERVED.map((r) => `${fx.pool[r].N},${fx.pool[r].D},${fx.lossOf(r)}`).join('\n')}\n`);
  engine = await createEngine({ taskFile: fx.task, seed: 0, restarts: RESTARTS, method: 'mspe', historyCap: 3, runsFile: fx.runs, stopBelow: 0.05 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function cliAnswer(batch: number) {
  const task = loadTask(fx.task);
  const data = await loadPracticeData(task);
  return suggest({ task, data, observed: await readObserved(task, fx.runs), batch, restarts: RESTARTS, seed: 0 });
}

describe('the engine', () => {
  it('suggests what `active-sl suggest` suggests, and believes pending runs as that batch does', async () => {
    const cli = await cliAnswer(3);
    const mine = engine.suggest({ generation: 0, runs, pending: [], group: 'all_data', batch: 3, budget: Infinity });
    expect(mine.suggestions.map((s) => s.row)).toEqual(cli.suggestions.map((s) => s.row));
    expect(mine.suggestions.map((s) => s.score)).toEqual(cli.suggestions.map((s) => s.score));
    expect(mine.suggestions[0].reason).toMatch(/^highest MSPE score \(.*\) of the 30 affordable candidates not run or pending; next best/);
    // the first pick handed to a job: the next asker gets the batch's second and third picks
    const first = cli.suggestions[0].row;
    const after = engine.suggest({ generation: 0, runs, pending: [{ group: 'all_data', index: first }], group: 'all_data', batch: 2, budget: Infinity });
    expect(after.suggestions.map((s) => s.row)).toEqual(cli.suggestions.slice(1).map((s) => s.row));
    expect(after.suggestions[0].reason).toMatch(/scored as if the 1 run pending or picked before it had returned the fitted law's prediction$/);
  });

  it('starts an empty campaign with the cheapest candidates, within the budget', () => {
    const a = engine.suggest({ generation: 0, runs: [], pending: [{ group: 'all_data', index: 0 }], group: 'all_data', batch: 3, budget: Infinity });
    const byCost = fx.pool.map((p, row) => ({ row, cost: 6 * p.N * p.D })).sort((x, y) => x.cost - y.cost || x.row - y.row);
    expect(a.suggestions.map((s) => s.row)).toEqual(byCost.slice(1, 4).map((c) => c.row));
    expect(a.suggestions[0]).toMatchObject({ score: null });
    expect(a.suggestions[0].reason).toMatch(/^no run in the campaign has finished yet \(1 pending\): the cheapest candidate/);
    const tight = engine.suggest({ generation: 0, runs: [], pending: [], group: 'all_data', batch: 3, budget: byCost[0].cost * 1.5 });
    expect(tight.suggestions.map((s) => s.row)).toEqual([byCost[0].row]);
    expect(tight.note).toMatch(/^asked for 3, but only 1 candidate is not run, not pending, and affordable within the /);
  });

  it('shows the forecast of `active-sl fit`, and the band run by run', async () => {
    const task = loadTask(fx.task);
    const fit = fitLaw({ task, data: await loadPracticeData(task), observed: await readObserved(task, fx.runs), restarts: RESTARTS, seed: 0 });
    const req = { generation: 1, runs, pending: [], batch: 2, budgets: { all_data: Infinity } };
    const [view] = engine.view(req);
    expect(view.runs).toBe(6);
    expect(view.forecast!.uncertainty).toBe(fit.target.uncertainty);
    expect(view.forecast!.predictions.map((p) => p.mean)).toEqual(fit.target.predictions.map((p) => p.mean));
    expect(view.forecast!.stop).toBe(fit.target.uncertainty < 0.05);
    expect(view.lawFits).toEqual(fit.lawFits);
    expect(view.next.suggestions).toHaveLength(2);
    expect(view.inputs.map((i) => i.feature)).toEqual(['N', 'D']);
    // each of the 6 runs has its own D: the five most frequent (first seen) get a curve, the sixth is "other"
    expect(view.inputs[0].curves).toHaveLength(5);
    expect(view.inputs[0].points.filter((p) => p.series === 'other runs')).toHaveLength(1);
    expect(view.history.map((h) => h.runs)).toEqual([6]);
    let missing = Infinity;
    while (missing > 0) missing = engine.backfill(req);
    const [later] = engine.view(req);
    // one run cannot be fitted (no spread of losses to scale the noise prior): no forecast at k = 1
    expect(later.history.map((h) => h.runs)).toEqual([3, 5, 6]);
    expect(later.history.at(-1)!.uncertainty).toBe(fit.target.uncertainty);
  });
});

it('spreads the history forecasts over the runs', () => {
  expect(historyCounts(0, 12)).toEqual([]);
  expect(historyCounts(1, 12)).toEqual([]);
  expect(historyCounts(5, 12)).toEqual([1, 2, 3, 4]);
  expect(historyCounts(101, 5)).toEqual([1, 26, 51, 75, 100]);
  expect(historyCounts(50, 0)).toEqual([]);
});

it('keeps starting cheap while the law cannot be fitted', () => {
  const one = [{ group: 'all_data', x: [fx.pool[0].N, fx.pool[0].D], y: [fx.lossOf(0)], row: 0 }];
  const a = engine.suggest({ generation: 2, runs: one, pending: [], group: 'all_data', batch: 1, budget: Infinity });
  expect(a.suggestions).toHaveLength(1);
  expect(a.suggestions[0].row).not.toBe(0);
  expect(a.suggestions[0].reason).toMatch(/^the law cannot be fitted to the 1 run so far \(.+\): the cheapest candidate not run or pending/);
  expect(path.basename(fx.runs)).toBe('runs.csv');
});
