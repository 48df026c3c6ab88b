/**
 * D-optimal acquisition from one fit: the gain in log det of the Fisher information.
 *
 * ΔH(x) = log det(I + J̃ₓΣJ̃ₓᵀ / σ²)   (one output: log1p(j̃ₓᵀΣj̃ₓ / σ²)), scored as ΔH / (cost/total)^0.4.
 */
import { logDetPositive, rowDot } from '../linalg/dense.js';
import type { LinearisedFit } from './linearised.js';

export const DOPT_COST_EXPONENT = 0.4;
/** Lower limit on σ² inside the ratio, as in the reference. */
export const SIGMA2_FLOOR = 1e-300;

/**
 * ΔH for every candidate of `fit`: −∞ where the matrix has a non-positive determinant (as the
 * reference reads slogdet), 0 for a candidate the law cannot linearise.
 */
export function informationGain(fit: LinearisedFit, sigma2: number): Float64Array {
  const { P, O, cand, candSigma, candBad } = fit;
  const Mc = cand.rows;
  const s2 = Math.max(sigma2, SIGMA2_FLOOR);
  const out = new Float64Array(Mc);
  const A = new Float64Array(O * O);
  const perm = new Int32Array(O);
  for (let c = 0; c < Mc; c++) {
    if (candBad[c]) continue;
    if (O === 1) {
      const a = rowDot(candSigma, c, cand.J, c, P);
      out[c] = Math.log1p(Math.max(a, 0) / s2);
      continue;
    }
    for (let d = 0; d < O; d++) {
      for (let e = 0; e < O; e++) A[d * O + e] = rowDot(candSigma, c * O + d, cand.J, c * O + e, P) / s2 + (d === e ? 1 : 0);
    }
    out[c] = logDetPositive(A, O, perm);
  }
  return out;
}
