/**
 * What about a task makes its benchmark scores mean less than they seem, said before the run rather
 * than left for the user to puzzle out of a table of −1s: a target region whose values do not vary
 * (R² undefined) and budget levels too small to buy a single candidate of some group.
 */
import type { TaskData } from '../data/dataset.js';
import { TINY } from './r2.js';

const pct = (b: number) => `${+(b * 100).toFixed(4)}%`;

export function taskWarnings(data: TaskData, budgets: readonly number[]): string[] {
  const out: string[] = [];
  const truth = data.groups.flatMap((g) => Array.from(g.target.y));
  const mean = truth.reduce((s, v) => s + v, 0) / Math.max(1, truth.length);
  const ssTot = truth.reduce((s, v) => s + (v - mean) ** 2, 0);
  if (truth.length > 0 && ssTot < TINY) {
    out.push(
      `the target region's ${truth.length} value(s) are all ${mean}: R² is undefined there, so every fit ` +
        `scores −1 unless it predicts them exactly (the reference's rule). Give the target at least two rows with different values`,
    );
  }
  // one warning for every group short of a level: the same consequence said once, not once per group
  const short: string[] = [];
  for (const g of data.groups) {
    let cheapest = Infinity;
    for (const c of g.pool.cost) cheapest = Math.min(cheapest, c);
    const levels = budgets.filter((b) => b * g.totalCost < cheapest);
    if (!levels.length) continue;
    const where = data.groups.length > 1 ? `group ${g.name}: ` : '';
    short.push(
      `${where}budget level(s) ${levels.map(pct).join(', ')} (${levels.map((b) => (b * g.totalCost).toPrecision(3)).join(', ')}) ` +
        `buy less than the cheapest candidate (cost ${cheapest.toPrecision(3)})`,
    );
  }
  if (short.length) {
    out.push(
      `${short.join('; ')}: the model-based methods report their cheapest-first initial fit there, which overspends the level, ` +
        `and the baselines fit nothing there (such a group is left out of R², −1 if no group has a fit)`,
    );
  }
  return out;
}
