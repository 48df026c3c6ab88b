/**
 * SH-LMC: keep the survivors whose loss a multi-output Gaussian process over every curve observed
 * so far (pruned ones included: they still say how curves of this family bend) predicts lowest at
 * the compute they would reach by the end of the schedule, not the lowest so far.
 */
import { revealedPrefixes, type Curve } from '../curves.js';
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

/**
 * Each schedule's fits by round (keyed by its curve array and seed path), so that a round's fit
 * starts one of its restarts from the previous round's hyperparameters: the data only grew, so the
 * optimum moved little. Only the hyperparameters are kept, and they go with the curve array.
 */
const fitsOfSchedule = new WeakMap<readonly Curve[], Map<string, Pick<LmcFit, 'hyper' | 'scale'>>>();
const roundKey = (seedPath: readonly (string | number)[], round: number): string => JSON.stringify([seedPath, round]);

/**
 * The surrogate's prediction (mean, variance) of each survivor's loss at the compute it would end
 * with; null when no curve has two points yet.
 */
export function predictedFinal(ctx: KeepContext): Map<number, { mean: number; variance: number }> | null {
  const { t0, prefixes } = revealedPrefixes(ctx.curves, ctx.spent);
  if (!prefixes.some((p) => p.t.length >= 2)) return null;
  let fits = fitsOfSchedule.get(ctx.curves);
  if (!fits) fitsOfSchedule.set(ctx.curves, (fits = new Map()));
  const fit = fitLmc(prefixes, {
    restarts: LMC_RESTARTS,
    screen: LMC_SCREEN,
    seed: [...ctx.seedPath, 'lmc', ctx.round],
    warmStart: fits.get(roundKey(ctx.seedPath, ctx.round - 1)),
  });
  fits.set(roundKey(ctx.seedPath, ctx.round), { hyper: fit.hyper, scale: fit.scale });
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
