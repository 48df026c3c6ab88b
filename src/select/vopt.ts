/**
 * V-optimal acquisition from one fit: the expected drop of the summed predictive variance over
 * the target region when one candidate is observed.
 *
 * ΔV(x) = tr((σ²I + J̃ₓΣJ̃ₓᵀ)⁻¹ J̃ₓΣJ̃ₜᵀJ̃ₜΣJ̃ₓᵀ)   (one output: Σₜ (j̃ₜᵀΣj̃ₓ)² / (σ² + j̃ₓᵀΣj̃ₓ)),
 * scored as ΔV / (cost/total)^0.3.
 */
import { rowDot, rowsDot, traceSolve } from '../linalg/dense.js';
import type { LinearisedFit } from './linearised.js';

export const VOPT_COST_EXPONENT = 0.3;

/**
 * ΔV for every candidate of `fit`. `skipTarget` marks target rows to leave out (defaults to the
 * fit's own non-finite rows); a candidate the law cannot linearise gets 0.
 */
export function varianceReduction(fit: LinearisedFit, sigma2: number, skipTarget: Uint8Array = fit.targetBad): Float64Array {
  const { P, O, cand, candSigma, candBad, target } = fit;
  const Mc = cand.rows;
  const Mt = target.rows;
  const Jt = target.J;
  const out = new Float64Array(Mc);
  // cross[e·rows + row] = j̃ₜ[row]ᵀΣj̃ₓ[e], all target rows at once
  const rows = Mt * O;
  const cross = new Float64Array(O * rows);
  const CTC = new Float64Array(O * O);
  const S = new Float64Array(O * O);
  const perm = new Int32Array(O);
  const col = new Float64Array(O);
  for (let c = 0; c < Mc; c++) {
    if (candBad[c]) continue;
    CTC.fill(0);
    for (let e = 0; e < O; e++) rowsDot(Jt, 0, 1, rows, candSigma, c * O + e, P, cross, e * rows);
    for (let t = 0; t < Mt; t++) {
      if (skipTarget[t]) continue;
      for (let dt = 0; dt < O; dt++) {
        const row = t * O + dt;
        for (let d = 0; d < O; d++) {
          const x = cross[d * rows + row];
          for (let e = 0; e < O; e++) CTC[d * O + e] += x * cross[e * rows + row];
        }
      }
    }
    for (let d = 0; d < O; d++) {
      for (let e = 0; e < O; e++) S[d * O + e] = rowDot(candSigma, c * O + d, cand.J, c * O + e, P) + (d === e ? sigma2 : 0);
    }
    out[c] = traceSolve(S, CTC, O, perm, col);
  }
  return out;
}
