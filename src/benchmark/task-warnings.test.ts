import { describe, expect, it } from 'vitest';
import type { GroupData, TaskData } from '../data/dataset.js';
import { loadTaskData } from '../data/dataset.js';
import { loadTask } from '../data/task.js';
import { taskWarnings } from './task-warnings.js';

function group(name: string, costs: number[], target: number[]): GroupData {
  const split = (n: number) => ({ rows: Array.from({ length: n }, (_, i) => i), n, X: [new Float64Array(n)] });
  return {
    name,
    pool: { ...split(costs.length), y: new Float64Array(costs.length), cost: Float64Array.from(costs) },
    target: { ...split(target.length), y: Float64Array.from(target) },
    totalCost: costs.reduce((s, c) => s + c, 0),
  };
}

const data = (groups: GroupData[]) => ({ groups, outputs: 1 }) as unknown as TaskData;

describe('warnings about a task whose scores would be degenerate', () => {
  it('says nothing about a task with a spread target and affordable levels', () => {
    expect(taskWarnings(data([group('a', [1, 2, 3, 4], [1, 2])]), [0.5])).toEqual([]);
  });

  it('names a target region without spread, pooled over the groups as R² pools them', () => {
    const w = taskWarnings(data([group('a', [1, 1], [2]), group('b', [1, 1], [2])]), [0.5]);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/target region's 2 value\(s\) are all 2: R² is undefined/);
    // the same values split over groups but differing between them are fine
    expect(taskWarnings(data([group('a', [1, 1], [2]), group('b', [1, 1], [3])]), [0.5])).toEqual([]);
  });

  it('names each group and level that cannot buy its cheapest candidate, in one warning', () => {
    const w = taskWarnings(data([group('small', [1, 9], [1, 2]), group('big', [5, 5], [1, 3])]), [0.05, 0.2, 0.5]);
    // one warning naming every group, not one per group
    expect(w).toEqual([
      expect.stringMatching(
        /^group small: budget level\(s\) 5% \(0\.500\) buy less than the cheapest candidate \(cost 1\.00\); group big: budget level\(s\) 5%, 20% \(0\.500, 2\.00\) buy less than the cheapest candidate \(cost 5\.00\): the model-based methods/,
      ),
    ]);
  });

  it('explains why parallel scores −1 at 1% under every baseline', async () => {
    const parallel = await loadTaskData(loadTask('parallel_scaling_law'));
    const w = taskWarnings(parallel, [0.01, 0.05, 0.1]);
    expect(w).toHaveLength(1);
    for (const g of parallel.groups) expect(w[0]).toMatch(new RegExp(`group ${g.name}: budget level\\(s\\) 1% \\(`));
  });
});
