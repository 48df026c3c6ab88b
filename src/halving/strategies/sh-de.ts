/**
 * SH-DE: keep the survivors whose loss a deep ensemble (small MLPs from model size to the
 * coefficients of a curve family, trained on every curve observed so far) predicts lowest at the
 * compute they would reach by the end of the schedule.
 */
import { revealed } from '../curves.js';
import { DEFAULT_ENSEMBLE, fitEnsemble, type Family } from '../ensemble.js';
import type { KeepContext, Strategy } from '../schedule.js';
import { byObservedLoss } from './sh.js';

export function ensembleHalving(family: Family = 'pl'): Strategy {
  const keep = (ctx: KeepContext): number[] => {
    let t0 = Infinity;
    const seen = ctx.curves.map((curve, i) => {
      const n = revealed(curve, ctx.spent[i]);
      if (n > 0) t0 = Math.min(t0, Math.log(curve.compute[0]));
      return n;
    });
    if (!seen.some((n) => n >= 2)) return byObservedLoss(ctx);
    const data = {
      curves: ctx.curves.flatMap((curve, i) =>
        seen[i] > 0 ? [{ size: Math.log(curve.params), t: Float64Array.from(curve.compute.subarray(0, seen[i]), (c) => Math.log(c) - t0), y: curve.loss.slice(0, seen[i]) }] : [],
      ),
    };
    const ensemble = fitEnsemble(data, { ...DEFAULT_ENSEMBLE, family, seed: [...ctx.seedPath, 'de', ctx.round] });
    const tFinal = Math.log(ctx.finalCompute) - t0;
    const score = new Map(ctx.survivors.map((i) => [i, ensemble.predict(Math.log(ctx.curves[i].params), tFinal).mean]));
    return [...ctx.survivors].sort((a, b) => score.get(a)! - score.get(b)! || a - b);
  };
  return { name: family === 'pl' ? 'sh-de' : `sh-de-${family}`, prunes: true, keep };
}
