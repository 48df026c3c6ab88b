/** The model-based loop's per-level hook hands out the state of exactly the fit each level reports. */
import { describe, expect, it } from 'vitest';
import { loadTaskData } from '../data/dataset.js';
import { lawOf, loadTask } from '../data/task.js';
import { taskR2 } from './r2.js';
import { runSequential, type LevelEvent } from './sequential-loop.js';

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
