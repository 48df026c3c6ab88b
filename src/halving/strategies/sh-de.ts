/**
 * SH-DE: keep the survivors whose loss a deep ensemble (small MLPs from model size to the
 * coefficients of a curve family, trained on every curve observed so far) predicts lowest at the
 * compute they would reach by the end of the schedule.
 */
import { revealedPrefixes } from '../curves.js';
import { DEFAULT_ENSEMBLE, fitEnsemble, type Family } from '../ensemble.js';
import type { KeepContext, Strategy } from '../schedule.js';
import { byObservedLoss } from './sh.js';

export function ensembleHalving(family: Family = 'pl'): Strategy {
  const keep = (ctx: KeepContext): number[] => {
    const { t0, prefixes } = revealedPrefixes(ctx.curves, ctx.spent);
    if (!prefixes.some((p) => p.t.length >= 2)) return byObservedLoss(ctx);
    const data = { curves: prefixes.map(({ index, t, y }) => ({ size: Math.log(ctx.curves[index].params), t, y })) };
    const ensemble = fitEnsemble(data, { ...DEFAULT_ENSEMBLE, family, seed: [...ctx.seedPath, 'de', ctx.round] });
    const tFinal = Math.log(ctx.finalCompute) - t0;
    const score = new Map(ctx.survivors.map((i) => [i, ensemble.predict(Math.log(ctx.curves[i].params), tFinal).mean]));
    return [...ctx.survivors].sort((a, b) => score.get(a)! - score.get(b)! || a - b);
  };
  return { name: family === 'pl' ? 'sh-de' : `sh-de-${family}`, prunes: true, keep };
}
