/**
 * SH-DE: keep the survivors whose loss a deep ensemble (small MLPs from model size to the
 * coefficients of a curve family, trained on every curve observed so far) forecasts lowest at the
 * compute they would reach by the end of the schedule. It reads the curves as SH-LMC does
 * (`forecast.ts`): each from a window below the least compute any model has had, its forecast
 * anchored at the last observed loss.
 */
import { DEFAULT_ENSEMBLE, fitEnsemble, type Family } from '../ensemble.js';
import { windowedPrefixes } from '../forecast.js';
import type { KeepContext, Strategy } from '../schedule.js';
import { byObservedLoss } from './sh.js';

export function ensembleHalving(family: Family = 'pl'): Strategy {
  const keep = (ctx: KeepContext): number[] => {
    const { t0, prefixes } = windowedPrefixes(ctx.curves, ctx.spent);
    if (!prefixes.some((p) => p.t.length >= 2)) return byObservedLoss(ctx);
    const data = { curves: prefixes.map(({ index, t, y }) => ({ size: Math.log(ctx.curves[index].params), t, y })) };
    const ensemble = fitEnsemble(data, { ...DEFAULT_ENSEMBLE, family, seed: [...ctx.seedPath, 'de', ctx.round] });
    const tFinal = Math.log(ctx.finalCompute) - t0;
    const read = new Map(prefixes.map((p) => [p.index, p]));
    const score = new Map<number, number>();
    for (const i of ctx.survivors) {
      const p = read.get(i);
      if (!p) continue;
      const size = Math.log(ctx.curves[i].params);
      const last = p.t.length - 1;
      score.set(i, p.y[last] + ensemble.predict(size, tFinal).mean - ensemble.predict(size, p.t[last]).mean);
    }
    const scoreOf = (i: number) => score.get(i) ?? Infinity;
    return [...ctx.survivors].sort((a, b) => scoreOf(a) - scoreOf(b) || a - b);
  };
  return { name: family === 'pl' ? 'sh-de' : `sh-de-${family}`, prunes: true, keep };
}
