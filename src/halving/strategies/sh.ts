/** Successive Halving: keep the survivors with the lowest observed loss so far. */
import { lossAt } from '../curves.js';
import type { KeepContext, Strategy } from '../schedule.js';

/** Survivors sorted by the last loss their compute so far revealed (ties: model order). */
export function byObservedLoss(ctx: KeepContext): number[] {
  const loss = (i: number) => {
    const v = lossAt(ctx.curves[i], ctx.spent[i]);
    return Number.isNaN(v) ? Infinity : v;
  };
  return [...ctx.survivors].sort((a, b) => loss(a) - loss(b) || a - b);
}

export const successiveHalving: Strategy = { name: 'sh', prunes: true, keep: byObservedLoss };
