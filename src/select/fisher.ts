/**
 * The Gaussian (Laplace / Fisher-information) posterior the reference places around a fit.
 *
 * Σ = (J̃ᵀJ̃ / σ² + diag(1/s²))⁻¹, J̃ = J·diag(c), c_j = θ_j if lo_j > 0 else 1, s_j = span_j / 4,
 * with eigenvalues of the bracket floored at max(1e-10·λ_max, 1e-30) before inverting.
 *
 * Working in log θ for parameters with a positive lower bound (c_j = θ_j is ∂θ/∂log θ) makes
 * scales spanning decades comparable; the prior then spans the bounds in those coordinates.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { BoundLaw, Bounds } from '../laws/law.js';

/** The bounds cover ±2 prior standard deviations: sd = (hi − lo) / 4 (in log space if lo > 0). */
export const PRIOR_SD_PER_SPAN = 1 / 4;
/** Eigenvalues of the precision below this fraction of the largest are raised to it. */
export const EIGEN_FLOOR_RELATIVE = 1e-10;
/** Absolute eigenvalue floor, for a precision matrix that is entirely zero. */
export const EIGEN_FLOOR_ABSOLUTE = 1e-30;
/** Shape a₀ of the inverse-gamma prior on σ²; its scale is b₀ = a₀ · var(y of the pool). */
export const NOISE_PRIOR_SHAPE = 2;

/**
 * Prior precision 1/s² per parameter. An infinite bound gives precision 0 (no prior); the
 * eigenvalue floor then keeps the posterior covariance finite.
 */
export function priorPrecision(bounds: Bounds): Float64Array {
  const out = new Float64Array(bounds.length);
  bounds.forEach(([lo, hi], j) => {
    const span = lo > 0 ? Math.log(hi) - Math.log(lo) : hi - lo;
    const sd = span * PRIOR_SD_PER_SPAN;
    out[j] = 1 / (sd * sd);
  });
  return out;
}

/** Per-parameter Jacobian column scale: θ_j where lo_j > 0 (log coordinates), else 1. */
export function jacobianScale(theta: ArrayLike<number>, bounds: Bounds): Float64Array {
  const out = new Float64Array(bounds.length);
  for (let j = 0; j < bounds.length; j++) out[j] = bounds[j][0] > 0 ? theta[j] : 1;
  return out;
}

/**
 * The reference's noise variance: the posterior mean of σ² under an inverse-gamma prior,
 * (b₀ + n·MSE/2) / (a₀ + n/2 − 1), with b₀ = a₀ · var(y_pool) over all pool rows and outputs,
 * n = observed rows and MSE = the best fit's mean (over rows) squared residual.
 */
export function noiseVariance(bestMse: number, nObserved: number, poolY: ArrayLike<number>): number {
  const m = poolY.length;
  let mean = 0;
  for (let i = 0; i < m; i++) mean += poolY[i];
  mean /= m;
  let v = 0;
  for (let i = 0; i < m; i++) v += (poolY[i] - mean) * (poolY[i] - mean);
  v /= m;
  const b0 = NOISE_PRIOR_SHAPE * v;
  return (b0 + (nObserved * bestMse) / 2) / (NOISE_PRIOR_SHAPE + nObserved / 2 - 1);
}

/** Predictions and the θ-scaled Jacobian of a law on a set of rows. */
export interface Linearisation {
  /** rows × outputs, row-major */
  pred: Float64Array;
  /** (rows·outputs) × P, row-major: one row per (row, output), columns scaled by `jacobianScale` */
  J: Float64Array;
  rows: number;
  outputs: number;
}

export function linearise(bound: BoundLaw, outputs: number, theta: ArrayLike<number>, scale: Float64Array): Linearisation {
  const P = scale.length;
  const rows = bound.n;
  const pred = new Float64Array(rows * outputs);
  const J = new Float64Array(rows * outputs * P);
  bound.valueJac(theta, pred, J);
  for (let r = 0; r < rows * outputs; r++) {
    const o = r * P;
    for (let j = 0; j < P; j++) J[o + j] *= scale[j];
  }
  return { pred, J, rows, outputs };
}

/** A symmetric positive-definite inverse whose tiny eigenvalues were floored. */
export interface FlooredInverse {
  /** P×P row-major */
  inverse: Float64Array;
  /** Σ log of the floored eigenvalues: log det of the (floored) matrix. */
  logDet: number;
  /** The floor applied to the eigenvalues. */
  floor: number;
}

/**
 * How the posterior's precision is inverted. `reference`: the eigenvalue floor on the precision as
 * it stands (the reference's arithmetic, which MSPE's scores in the benchmark reproduce).
 * `equilibrated`: the floor on D·H·D with D = diag(1/√H_jj), then scaled back: the same inverse
 * wherever the floor does not bite, but a floor relative to λ_max no longer depends on the units of
 * the parameters. Without it a parameter in linear coordinates whose column is tiny beside another's
 * (B·D^(−b) against b's B·D^(−b)·log D) has its eigen-direction floored, which narrows the intervals of
 * every parameter correlated with it, and how much depends on the bounds of that parameter.
 */
export type Conditioning = 'reference' | 'equilibrated';

/**
 * Inverse of a symmetric P×P matrix through its eigen-decomposition, every eigenvalue raised to
 * at least max(1e-10·λ_max, 1e-30). A singular or indefinite matrix thus still gives a finite,
 * symmetric positive-definite inverse. Throws on non-finite entries (nothing sensible to floor).
 * `equilibrated` applies the floor to the unit-diagonal matrix (see `Conditioning`).
 */
export function flooredInverse(H: Float64Array, P: number, conditioning: Conditioning = 'reference'): FlooredInverse {
  for (let i = 0; i < P * P; i++) {
    if (!Number.isFinite(H[i])) throw new RangeError('the Fisher information matrix has a non-finite entry');
  }
  if (conditioning === 'equilibrated') return equilibratedInverse(H, P);
  const rows: number[][] = [];
  for (let i = 0; i < P; i++) rows.push(Array.from(H.subarray(i * P, i * P + P)));
  const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const lambda = evd.realEigenvalues;
  const V = evd.eigenvectorMatrix;
  let lamMax = -Infinity;
  for (const l of lambda) if (l > lamMax) lamMax = l;
  const floor = Math.max(EIGEN_FLOOR_RELATIVE * lamMax, EIGEN_FLOOR_ABSOLUTE);
  const inv = new Float64Array(P * P);
  let logDet = 0;
  const vecs: number[][] = V.to2DArray();
  for (let m = 0; m < P; m++) {
    const l = Math.max(lambda[m], floor);
    logDet += Math.log(l);
    for (let i = 0; i < P; i++) {
      const vi = vecs[i][m] / l;
      if (vi === 0) continue;
      for (let j = 0; j < P; j++) inv[i * P + j] += vi * vecs[j][m];
    }
  }
  // Symmetrise exactly: the two triangles accumulate identical terms in different order.
  for (let i = 0; i < P; i++) {
    for (let j = i + 1; j < P; j++) {
      const s = 0.5 * (inv[i * P + j] + inv[j * P + i]);
      inv[i * P + j] = s;
      inv[j * P + i] = s;
    }
  }
  return { inverse: inv, logDet, floor };
}

/** H⁻¹ = D·(D·H·D)⁻¹·D, the floor applied to D·H·D; a zero or negative diagonal entry is left unscaled. */
function equilibratedInverse(H: Float64Array, P: number): FlooredInverse {
  const d = new Float64Array(P);
  let logScale = 0;
  for (let j = 0; j < P; j++) {
    const h = H[j * P + j];
    d[j] = h > 0 ? 1 / Math.sqrt(h) : 1;
    logScale += Math.log(d[j]);
  }
  const scaled = new Float64Array(P * P);
  for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) scaled[i * P + j] = H[i * P + j] * d[i] * d[j];
  const { inverse, logDet, floor } = flooredInverse(scaled, P, 'reference');
  for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) inverse[i * P + j] *= d[i] * d[j];
  // det H = det(D·H·D) / det(D)²
  return { inverse, logDet: logDet - 2 * logScale, floor };
}

/** A fit with its posterior covariance in the scaled coordinates. */
export interface Posterior {
  theta: Float64Array;
  /** Jacobian column scale used for `cov` (see `jacobianScale`). */
  scale: Float64Array;
  /** P×P row-major posterior covariance Σ. */
  cov: Float64Array;
  logDetPrecision: number;
}

/**
 * Σ at `theta` from the observed rows. Rows whose Jacobian is not finite carry no usable
 * information and are left out of the Fisher sum (the reference would fail on them).
 */
export function posterior(
  observed: BoundLaw,
  outputs: number,
  theta: ArrayLike<number>,
  bounds: Bounds,
  prior: Float64Array,
  sigma2: number,
  conditioning: Conditioning = 'reference',
): Posterior {
  if (!(sigma2 > 0 && Number.isFinite(sigma2))) throw new RangeError(`sigma2 must be finite and > 0, got ${sigma2}`);
  const P = bounds.length;
  const scale = jacobianScale(theta, bounds);
  const { J } = linearise(observed, outputs, theta, scale);
  const F = new Float64Array(P * P);
  const m = observed.n * outputs;
  for (let r = 0; r < m; r++) {
    const o = r * P;
    let finite = true;
    for (let j = 0; j < P; j++) if (!Number.isFinite(J[o + j])) finite = false;
    if (!finite) continue;
    for (let i = 0; i < P; i++) {
      const ji = J[o + i];
      if (ji === 0) continue;
      for (let j = i; j < P; j++) F[i * P + j] += ji * J[o + j];
    }
  }
  const H = new Float64Array(P * P);
  for (let i = 0; i < P; i++) {
    for (let j = i; j < P; j++) {
      const v = F[i * P + j] / sigma2 + (i === j ? prior[i] : 0);
      H[i * P + j] = v;
      H[j * P + i] = v;
    }
  }
  const { inverse, logDet } = flooredInverse(H, P, conditioning);
  return { theta: Float64Array.from(theta), scale, cov: inverse, logDetPrecision: logDet };
}
