/**
 * The reference's cost penalty and choice: score = gain / max((cost/total)^e, 1e-300), pick the
 * first candidate with the highest score.
 */

/** Keeps the division finite for a zero-cost candidate. */
export const COST_FACTOR_FLOOR = 1e-300;

export function costPenalised(gain: Float64Array, candidates: readonly number[], cost: ArrayLike<number>, totalCost: number, exponent: number): Float64Array {
  const out = new Float64Array(gain.length);
  for (let c = 0; c < gain.length; c++) {
    const factor = Math.pow(cost[candidates[c]] / totalCost, exponent);
    out[c] = gain[c] / Math.max(factor, COST_FACTOR_FLOOR);
  }
  return out;
}

/** Position of the first largest score (NaN never wins); −1 for no candidates. */
export function argmax(scores: ArrayLike<number>): number {
  let best = -1;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (Number.isNaN(s)) continue;
    if (best < 0 || s > scores[best]) best = i;
  }
  return best;
}
