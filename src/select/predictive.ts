/**
 * What a state's modes predict in the target region: for every target row and output, the mixture
 * over modes of N(μ_m, J Σ_m Jᵀ + σ²), summarised by its mean and variance. The between-mode
 * spread is what a single best fit would hide, so the interval widens where the modes disagree.
 */
import { linearise } from './fisher.js';
import type { ModeSet } from './modes.js';
import type { PreparedState } from './score.js';

/** z of a two-sided 90% normal interval. */
export const Z90 = 1.6448536269514722;

export interface Predictive {
  /** rows × outputs, row-major */
  mean: Float64Array;
  /** rows × outputs, row-major: Σ w_m (v_m + μ_m²) − mean² (within-mode plus between-mode) */
  variance: Float64Array;
  rows: number;
  outputs: number;
}

/** mean = Σ w_m μ_m, var = Σ w_m (J Σ_m Jᵀ + σ² + μ_m²) − mean², at every target row and output. */
export function targetPredictive(prepared: PreparedState, modes: ModeSet): Predictive {
  const { law, sigma2 } = prepared.state;
  const O = law.outputs;
  const R = prepared.target.n;
  const P = law.params.length;
  const m1 = new Float64Array(R * O);
  const m2 = new Float64Array(R * O);
  const sj = new Float64Array(P);
  for (const mode of modes.modes) {
    const post = mode.posterior;
    const lin = linearise(prepared.target, O, post.theta, post.scale);
    for (let r = 0; r < R * O; r++) {
      const row = r * P;
      for (let i = 0; i < P; i++) {
        let s = 0;
        for (let j = 0; j < P; j++) s += lin.J[row + j] * post.cov[j * P + i];
        sj[i] = s;
      }
      let q = 0;
      for (let i = 0; i < P; i++) q += sj[i] * lin.J[row + i];
      const v = (q > 0 ? q : 0) + sigma2;
      const mu = lin.pred[r];
      m1[r] += mode.weight * mu;
      m2[r] += mode.weight * (v + mu * mu);
    }
  }
  const variance = new Float64Array(R * O);
  for (let r = 0; r < R * O; r++) variance[r] = Math.max(m2[r] - m1[r] * m1[r], 0);
  return { mean: m1, variance, rows: R, outputs: O };
}

/**
 * How many of the observed values y (rows × outputs, row-major; non-finite ones skipped) fall
 * inside mean ± z·sd.
 */
export function intervalHits(pred: Predictive, y: ArrayLike<number>, z: number = Z90): { inside: number; total: number } {
  let inside = 0;
  let total = 0;
  for (let r = 0; r < pred.rows * pred.outputs; r++) {
    if (!Number.isFinite(y[r])) continue;
    total++;
    if (Math.abs(y[r] - pred.mean[r]) <= z * Math.sqrt(pred.variance[r])) inside++;
  }
  return { inside, total };
}

/**
 * The 0.95 quantile of Student's t with ν degrees of freedom (two-sided 90%): exact for ν = 1, 2,
 * otherwise the Cornish–Fisher series in 1/ν around z (error below 1e-3 from ν = 3), → Z90 as ν → ∞.
 */
export function studentT90(nu: number): number {
  if (!(nu > 0)) return NaN;
  if (nu === 1) return Math.tan(0.45 * Math.PI);
  if (nu === 2) return 0.9 / Math.sqrt(2 * 0.95 * 0.05);
  const z = Z90;
  const z2 = z * z;
  const g1 = (z * (z2 + 1)) / 4;
  const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96;
  const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384;
  const g4 = (z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945)) / 92160;
  return z + g1 / nu + g2 / nu ** 2 + g3 / nu ** 3 + g4 / nu ** 4;
}
