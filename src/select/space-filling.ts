/**
 * Space-filling acquisition, the exploration move of `--explore`:
 * s_i = min_{j ∈ selected} ‖u_i − u_j‖ / (c_i / C_total)^0.4, u = the features mapped to [0, 1] over the pool.
 * It needs no fit, so it still looks where a wrong or overconfident model would not.
 */
import { argmax, costPenalised } from './penalty.js';

export const SPACE_FILLING_COST_EXPONENT = 0.4;

/** A feature whose positive values span more than this factor is spaced on a log scale. */
export const LOG_SPAN = 10;

/**
 * The pool's feature columns mapped to [0, 1]: log10 first where every value is > 0 and they span
 * more than a factor 10 (sizes, token counts), so a decade counts the same everywhere. A constant
 * column maps to 0.
 */
export function unitCube(X: readonly ArrayLike<number>[], n: number): Float64Array[] {
  return X.map((col) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, col[i]);
      hi = Math.max(hi, col[i]);
    }
    const log = lo > 0 && hi > LOG_SPAN * lo;
    const t = (v: number) => (log ? Math.log10(v) : v);
    const a = t(lo);
    const span = t(hi) - a;
    const out = new Float64Array(n);
    if (span > 0) for (let i = 0; i < n; i++) out[i] = (t(col[i]) - a) / span;
    return out;
  });
}

/** Each candidate's distance to its nearest selected point in the unit cube (Infinity when none is selected). */
export function nearestSelected(unit: readonly Float64Array[], selected: readonly number[], candidates: readonly number[]): Float64Array {
  const out = new Float64Array(candidates.length).fill(Infinity);
  for (let c = 0; c < candidates.length; c++) {
    const i = candidates[c];
    for (const j of selected) {
      let d2 = 0;
      for (const u of unit) d2 += (u[i] - u[j]) ** 2;
      if (d2 < out[c]) out[c] = d2;
    }
    out[c] = Math.sqrt(out[c]);
  }
  return out;
}

export function spaceFillingScores(
  unit: readonly Float64Array[],
  selected: readonly number[],
  candidates: readonly number[],
  cost: ArrayLike<number>,
  totalCost: number,
): Float64Array {
  return costPenalised(nearestSelected(unit, selected, candidates), candidates, cost, totalCost, SPACE_FILLING_COST_EXPONENT);
}

/** The pool index with the best space-filling score (the first on ties), −1 for no candidates. */
export function spaceFillingPick(
  unit: readonly Float64Array[],
  selected: readonly number[],
  candidates: readonly number[],
  cost: ArrayLike<number>,
  totalCost: number,
): number {
  const at = argmax(spaceFillingScores(unit, selected, candidates, cost, totalCost));
  return at < 0 ? -1 : candidates[at];
}
