/** One benchmark unit: what its design may and may not depend on. */
import { describe, expect, it } from 'vitest';
import { loadTaskData } from '../data/dataset.js';
import { loadTask } from '../data/task.js';
import { runUnit } from './unit.js';

describe('a baseline unit under converged fits', () => {
  it('picks the same rows whatever the number of starts: the starts have a stream of their own', async () => {
    const data = await loadTaskData(loadTask('moe_scaling_law'));
    for (const method of ['random', 'cheapest', 'cost-rand'] as const) {
      const run = (restarts: number) => runUnit(data, 'sl_1', 0, { method, seed: 0, restarts, fitter: 'trf', gradient: 'reference' });
      const few = run(2);
      const many = run(6);
      for (const g of Object.keys(few.groups)) expect(many.groups[g].chosen, `${method} ${g}`).toEqual(few.groups[g].chosen);
    }
  });
});
