/**
 * SH-LMC: keep the survivors whose loss a multi-output Gaussian process over every curve observed
 * so far (pruned ones included: they still say how curves of this family bend) predicts lowest at
 * the compute they would reach by the end of the schedule, not the lowest so far.
 */
import { revealedPrefixes } from '../curves.js';
import { fitLmc, type LmcFit } from '../gp/lmc.js';
import type { KeepContext, Strategy } from '../schedule.js';
import { byObservedLoss } from './sh.js';

/** Restarts of the surrogate's hyperparameter fit (the paper's 20). */
export const LMC_RESTARTS = 20;
/**
 * Every start runs a few iterations, then only the best few go on to convergence: a third of the
 * time of running all 20 to the end, with the same optimum on our benchmark curves.
 */
export const LMC_SCREEN = { iterations: 15, survivors: 4 } as const;

/** Where a schedule's memory keeps the last fit's hyperparameters, to start the next round's fit from. */
const LAST_FIT = 'sh-lmc:last-fit';
type Hyper = Pick<LmcFit, 'hyper' | 'scale'>;

/**
 * The surrogate's prediction (mean, variance) of each survivor's loss at the compute it would end
 * with; null when no curve has two points yet.
 */
export function predictedFinal(ctx: KeepContext): Map<number, { mean: number; variance: number }> | null {
  const { t0, prefixes } = revealedPrefixes(ctx.curves, ctx.spent);
  if (!prefixes.some((p) => p.t.length >= 2)) return null;
  const fit = fitLmc(prefixes, {
    restarts: LMC_RESTARTS,
    screen: LMC_SCREEN,
    seed: [...ctx.seedPath, 'lmc', ctx.round],
    // the data only grew since the last round, so its optimum moved little
    warmStart: ctx.memory.get(LAST_FIT) as Hyper | undefined,
  });
  ctx.memory.set(LAST_FIT, { hyper: fit.hyper, scale: fit.scale } satisfies Hyper);
  const tFinal = Math.log(ctx.finalCompute) - t0;
  const out = new Map<number, { mean: number; variance: number }>();
  prefixes.forEach(({ index }, k) => {
    if (!ctx.survivors.includes(index)) return;
    const p = fit.predict(k, [tFinal]);
    out.set(index, { mean: p.mean[0], variance: Math.max(p.variance[0], 0) });
  });
  return out;
}

/** Predicted loss of each survivor at the compute it would end with; null when no curve has two points. */
export function predictedFinalLoss(ctx: KeepContext): Map<number, number> | null {
  const p = predictedFinal(ctx);
  return p && new Map([...p].map(([i, v]) => [i, v.mean]));
}

function byPredictedLoss(ctx: KeepContext): number[] {
  const predicted = predictedFinalLoss(ctx);
  if (!predicted) return byObservedLoss(ctx);
  const score = (i: number) => predicted.get(i) ?? Infinity;
  return [...ctx.survivors].sort((a, b) => score(a) - score(b) || a - b);
}

export const surrogateHalving: Strategy = { name: 'sh-lmc', prunes: true, keep: byPredictedLoss };
