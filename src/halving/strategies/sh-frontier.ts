/**
 * SH-frontier (ours, beyond the paper): keep the set of survivors that makes the frontier at the
 * target compute most certain. The frontier there is the lower envelope, min over continued models
 * of their final loss; the keep set S is chosen greedily to minimise the expected envelope error
 * E[min_{i∈S} L_i − min_i L_i] under the surrogate's predictive distributions (independent normals,
 * Monte Carlo), so an uncertain model that may yet dip below the leader is worth keeping.
 */
import { rngFor } from '../../random/seeds.js';
import type { KeepContext, Strategy } from '../schedule.js';
import { byObservedLoss } from './sh.js';
import { predictedFinal } from './sh-lmc.js';

/** Joint draws of the survivors' final losses. */
export const FRONTIER_DRAWS = 2000;

function keepForFrontier(ctx: KeepContext): number[] {
  const predicted = predictedFinal(ctx);
  if (!predicted) return byObservedLoss(ctx);
  const ids = [...ctx.survivors];
  const rng = rngFor([...ctx.seedPath, 'frontier', ctx.round]);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  // draws[d · M + k]: survivor k's final loss in draw d
  const M = ids.length;
  const draws = new Float64Array(FRONTIER_DRAWS * M);
  const best = new Float64Array(FRONTIER_DRAWS).fill(Infinity);
  for (let d = 0; d < FRONTIER_DRAWS; d++) {
    ids.forEach((id, k) => {
      const p = predicted.get(id) ?? { mean: Infinity, variance: 0 };
      const v = p.mean + Math.sqrt(p.variance) * normal();
      draws[d * M + k] = v;
      if (v < best[d]) best[d] = v;
    });
  }
  const chosen: number[] = [];
  const current = new Float64Array(FRONTIER_DRAWS).fill(Infinity);
  while (chosen.length < M) {
    let pick = -1;
    let pickError = Infinity;
    for (let k = 0; k < M; k++) {
      if (chosen.includes(k)) continue;
      let error = 0;
      for (let d = 0; d < FRONTIER_DRAWS; d++) error += Math.min(current[d], draws[d * M + k]) - best[d];
      // ties (e.g. all draws equal) go to the better predicted mean, then to model order
      if (
        error < pickError - 1e-12 ||
        (Math.abs(error - pickError) <= 1e-12 && (predicted.get(ids[k])?.mean ?? Infinity) < (predicted.get(ids[pick])?.mean ?? Infinity))
      ) {
        pick = k;
        pickError = error;
      }
    }
    chosen.push(pick);
    for (let d = 0; d < FRONTIER_DRAWS; d++) current[d] = Math.min(current[d], draws[d * M + pick]);
  }
  return chosen.map((k) => ids[k]);
}

export const frontierHalving: Strategy = { name: 'sh-frontier', prunes: true, keep: keepForFrontier };
