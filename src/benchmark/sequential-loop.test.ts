/** The model-based loop: its per-level hook hands out the state of exactly the fit each level reports; exploration. */
import { describe, expect, it } from 'vitest';
import { loadTaskData } from '../data/dataset.js';
import { lawOf, loadTask } from '../data/task.js';
import { taskR2 } from './r2.js';
import { unitCube, spaceFillingPick } from '../select/space-filling.js';
import type { Law } from '../laws/law.js';
import { rngFor } from '../random/seeds.js';
import { initialDesign, refitStarts, runSequential, type Fits, type LevelEvent } from './sequential-loop.js';

describe('observeLevel', () => {
  it.each(['mspe', 'v-opt'] as const)('%s: one event per group and level, whose best fit gives the level its R²', async (method) => {
    const data = await loadTaskData(loadTask('parallel_scaling_law'));
    const law = lawOf(data.task, 'sl_1');
    const events: LevelEvent[] = [];
    const outcome = runSequential(
      { data, law, seedPath: [7] },
      { method, restarts: 8, fitter: 'lbfgsb', gradient: 'reference', observeLevel: (e) => events.push(e) },
    );
    const levels = data.task.budgets.length;
    expect(events).toHaveLength(data.groups.length * levels);
    data.groups.forEach((group) => {
      const mine = events.filter((e) => e.group === group);
      expect(mine.map((e) => e.level)).toEqual([...Array(levels).keys()]);
      // the rows a level was fitted on never shrink and never include a row twice
      for (let l = 1; l < levels; l++) expect(mine[l].state.selected.length).toBeGreaterThanOrEqual(mine[l - 1].state.selected.length);
      for (const e of mine) expect(new Set(e.state.selected).size).toBe(e.state.selected.length);
      expect(outcome.groups[group.name].chosen.slice(0, mine[levels - 1].state.selected.length)).toEqual(mine[levels - 1].state.selected);
    });
    for (let l = 0; l < levels; l++) {
      const best = data.groups.map((group) => {
        const { state } = events.find((e) => e.group === group && e.level === l)!;
        const i = state.fitMse.indexOf(Math.min(...state.fitMse));
        return state.fits[i];
      });
      expect(taskR2(law, data.groups, best)).toBe(outcome.r2[l]);
    }
  });
});

describe('explore', () => {
  const setup = async () => {
    const data = await loadTaskData(loadTask('parallel_scaling_law'));
    return { data, law: lawOf(data.task, 'sl_1') };
  };
  const base = { method: 'mspe', restarts: 4, fitter: 'lbfgsb', gradient: 'reference' } as const;

  it('ε = 0 is the loop without exploration: the same picks, fits and R², nothing explored', async () => {
    const { data, law } = await setup();
    const plain = runSequential({ data, law, seedPath: [3] }, base);
    const zero = runSequential({ data, law, seedPath: [3] }, { ...base, explore: 0 });
    expect(zero.groups).toEqual(plain.groups);
    expect(zero.r2).toEqual(plain.r2);
    for (const g of data.groups) expect(zero.explored[g.name]).toEqual([]);
  });

  it('ε = 1 takes the space-filling argmax at every pick after the initial design', async () => {
    const { data, law } = await setup();
    const outcome = runSequential({ data, law, seedPath: [3] }, { ...base, explore: 1 });
    const cap = Math.max(...data.task.budgets);
    for (const group of data.groups) {
      const { chosen } = outcome.groups[group.name];
      const start = initialDesign(group, law.params.length, law.outputs).length;
      expect(chosen.length).toBeGreaterThan(start);
      expect(outcome.explored[group.name]).toEqual(chosen.slice(start));
      const unit = unitCube(group.pool.X, group.pool.n);
      for (let k = start; k < chosen.length; k++) {
        const before = chosen.slice(0, k);
        const spent = before.reduce((s, i) => s + group.pool.cost[i], 0);
        const candidates = [...Array(group.pool.n).keys()].filter((i) => !before.includes(i) && spent + group.pool.cost[i] <= cap * group.totalCost);
        expect(chosen[k]).toBe(spaceFillingPick(unit, before, candidates, group.pool.cost, group.totalCost));
      }
    }
  });

  it('the same seed gives the same picks; the coin has its own stream', async () => {
    const { data, law } = await setup();
    const a = runSequential({ data, law, seedPath: [5] }, { ...base, explore: 0.5 });
    const b = runSequential({ data, law, seedPath: [5] }, { ...base, explore: 0.5 });
    expect(b.groups).toEqual(a.groups);
    expect(b.explored).toEqual(a.explored);
    const explored = Object.values(a.explored).flat().length;
    const picks = data.groups.reduce((s, g) => s + a.groups[g.name].chosen.length - initialDesign(g, law.params.length, law.outputs).length, 0);
    expect(explored).toBeGreaterThan(0);
    expect(explored).toBeLessThan(picks);
  });
});

describe('refitStarts', () => {
  const law = {
    bounds: [
      [0, 1],
      [1, 10],
    ],
  } as unknown as Law;
  const theta = (a: number, b: number) => Float64Array.of(a, b);
  const inBox = (t: Float64Array) => t[0] >= 0 && t[0] <= 1 && t[1] >= 1 && t[1] <= 10;

  it("the reference's: the oldest max(n − 16, n/2) warm starts, then random ones up to n", () => {
    const warm = Array.from({ length: 30 }, (_, i) => theta(i / 30, 5));
    const { starts, tracked } = refitStarts(law, 64, warm, null, rngFor(['t']));
    expect(starts).toHaveLength(64);
    expect(starts.slice(0, 30)).toEqual(warm);
    expect(starts.slice(30).every(inBox)).toBe(true);
    expect(tracked).toBe(0);
    const few = refitStarts(law, 16, warm, null, rngFor(['t']));
    expect(few.starts.slice(0, 8)).toEqual(warm.slice(0, 8));
    expect(few.starts).toHaveLength(16);
  });

  it('under trf: the previous fit’s optima within 1.5× its best, best first, then ⌈n/4⌉ random starts', () => {
    const fits: Fits = {
      thetas: [theta(0.5, 2), theta(0.1, 3), theta(0.9, 9), theta(0.3, 4)],
      mse: [1.4, 1, 2, 1.5],
      status: ['converged-ftol', 'stalled', 'stalled', 'converged-xtol'],
      best: 1,
    };
    const { starts, tracked } = refitStarts(law, 16, [], fits, rngFor(['t']));
    expect(tracked).toBe(3);
    expect(starts.slice(0, 3)).toEqual([fits.thetas[1], fits.thetas[0], fits.thetas[3]]);
    expect(starts).toHaveLength(3 + 4);
    expect(starts.slice(3).every(inBox)).toBe(true);
    // the tracked starts are copies: the fit may not move the previous fit's θ
    expect(starts[0]).not.toBe(fits.thetas[1]);
  });

  it('under trf: at most n − ⌈n/4⌉ optima are tracked, and one random start is always drawn', () => {
    const many: Fits = {
      thetas: Array.from({ length: 12 }, (_, i) => theta(i / 12, 2)),
      mse: Array.from({ length: 12 }, (_, i) => 1 + i / 100),
      status: Array(12).fill('stalled'),
      best: 0,
    };
    const four = refitStarts(law, 4, [], many, rngFor(['t']));
    expect(four.tracked).toBe(3);
    expect(four.starts).toHaveLength(4);
    const one = refitStarts(law, 1, [], many, rngFor(['t']));
    expect(one.tracked).toBe(0);
    expect(one.starts).toHaveLength(1);
  });
});
