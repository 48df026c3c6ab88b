/**
 * SH-LMC: keep the survivors whose loss a multi-output Gaussian process over every curve observed
 * so far (pruned ones included: they still say how curves of this family bend) forecasts lowest at
 * the compute they would reach by the end of the schedule, not the lowest so far.
 */
import { lmcForecaster, type Forecast } from '../forecast.js';
import type { LmcFit } from '../gp/lmc.js';
import type { KeepContext, Strategy } from '../schedule.js';
import { byObservedLoss } from './sh.js';

/** Where a schedule's memory keeps the last fit's hyperparameters, to start the next round's fit from. */
const LAST_FIT = 'sh-lmc:last-fit';
type Hyper = Pick<LmcFit, 'hyper' | 'scale'>;

/**
 * The surrogate's forecast (mean, variance) of each survivor's loss at the compute it would end
 * with; null when no curve has two points yet.
 */
export function predictedFinal(ctx: KeepContext): Map<number, Forecast> | null {
  const outcome = lmcForecaster(ctx.curves, ctx.spent, {
    seed: [...ctx.seedPath, 'lmc', ctx.round],
    // the data only grew since the last round, so its optimum moved little
    warmStart: ctx.memory.get(LAST_FIT) as Hyper | undefined,
  });
  if (outcome.status === 'failed') ctx.notes.push(`round ${ctx.round}: the surrogate fit failed (${outcome.reason}); kept by observed loss`);
  if (outcome.status !== 'fitted') return null;
  const { forecaster } = outcome;
  if (forecaster.note) ctx.notes.push(`round ${ctx.round}: ${forecaster.note}`);
  ctx.memory.set(LAST_FIT, { hyper: forecaster.fit.hyper, scale: forecaster.fit.scale } satisfies Hyper);
  const out = new Map<number, Forecast>();
  for (const i of ctx.survivors) {
    const f = forecaster.forecast(i, ctx.finalCompute);
    if (f) out.set(i, f);
  }
  return out;
}

function byPredictedLoss(ctx: KeepContext): number[] {
  const predicted = predictedFinal(ctx);
  if (!predicted) return byObservedLoss(ctx);
  const score = (i: number) => predicted.get(i)?.mean ?? Infinity;
  return [...ctx.survivors].sort((a, b) => score(a) - score(b) || a - b);
}

export const surrogateHalving: Strategy = { name: 'sh-lmc', prunes: true, keep: byPredictedLoss };
