/** The hyperparameters of the learning-curve Gaussian process: their meaning, packing into one vector, box and random starts. */

/** Hyperparameters on the normalised scale (y − mean) / std; W is M × R row-major. */
export interface LmcHyper {
  alpha: number;
  beta: number;
  W: Float64Array;
  kappa: Float64Array;
  /** σ², the observation-noise variance. */
  noise: number;
  /** b², the variance of the offset shared by all curves. */
  bias: number;
}

/** Box bounds of the packed hyperparameters (natural values; logs are taken where packed in log space). */
const ALPHA_RANGE = [1e-2, 1e2] as const;
const BETA_RANGE = [1e-2, 1e2] as const;
const W_RANGE = [-5, 5] as const;
const KAPPA_RANGE = [1e-6, 1e1] as const;
const NOISE_RANGE = [1e-8, 1] as const;
const BIAS_RANGE = [1e-6, 1e1] as const;

/**
 * Length of the packed hyperparameter vector for M curves and rank R: P = 2 + M·R + M + 2.
 *
 * Packing order (all positive quantities in natural log):
 *   [0]                     log α
 *   [1]                     log β
 *   [2 + i·R + r]           W_ir          (i < M, r < R; W row-major)
 *   [2 + M·R + i]           log κ_i       (i < M)
 *   [2 + M·R + M]           log σ²
 *   [2 + M·R + M + 1]       log b²
 */
export function lmcParameterCount(curves: number, rank: number): number {
  return 4 + curves * (rank + 1);
}

/** The rank R implied by a packed vector of length P for M curves, R = (P − 4) / M − 1; throws if none is. */
export function lmcRankOf(length: number, curves: number): number {
  const rank = (length - 4) / curves - 1;
  if (!Number.isInteger(rank) || rank < 1) {
    throw new RangeError(`LMC: a packed vector of length ${length} fits no rank ≥ 1 for ${curves} curves`);
  }
  return rank;
}

/** Packs hyperparameters in the order documented at `lmcParameterCount` (logs of α, β, κ, σ², b²). */
export function packLmcHyper(h: LmcHyper): Float64Array {
  const M = h.kappa.length;
  const R = h.W.length / M;
  if (!Number.isInteger(R) || R < 1) throw new RangeError(`LMC: W has ${h.W.length} entries, not a multiple of M = ${M}`);
  const x = new Float64Array(lmcParameterCount(M, R));
  x[0] = Math.log(h.alpha);
  x[1] = Math.log(h.beta);
  x.set(h.W, 2);
  for (let i = 0; i < M; i++) x[2 + M * R + i] = Math.log(h.kappa[i]);
  x[2 + M * R + M] = Math.log(h.noise);
  x[3 + M * R + M] = Math.log(h.bias);
  return x;
}

/** Inverse of `packLmcHyper`: exponentiates the log entries and copies W. */
export function unpackLmcHyper(packed: ArrayLike<number>, curves: number): LmcHyper {
  const M = curves;
  const R = lmcRankOf(packed.length, M);
  const W = new Float64Array(M * R);
  for (let k = 0; k < M * R; k++) W[k] = packed[2 + k];
  const kappa = new Float64Array(M);
  for (let i = 0; i < M; i++) kappa[i] = Math.exp(packed[2 + M * R + i]);
  return {
    alpha: Math.exp(packed[0]),
    beta: Math.exp(packed[1]),
    W,
    kappa,
    noise: Math.exp(packed[2 + M * R + M]),
    bias: Math.exp(packed[3 + M * R + M]),
  };
}

/**
 * Box bounds of the packed vector: log α, log β ∈ [log 1e-2, log 1e2], W ∈ [−5, 5],
 * log κ_i ∈ [log 1e-6, log 10], log σ² ∈ [log 1e-8, 0], log b² ∈ [log 1e-6, log 10]
 * (normalised losses have unit variance, so these cover every plausible scale).
 */
export function lmcBounds(curves: number, rank: number): { lower: Float64Array; upper: Float64Array } {
  const M = curves;
  const R = rank;
  const P = lmcParameterCount(M, R);
  const lower = new Float64Array(P);
  const upper = new Float64Array(P);
  const set = (k: number, lo: number, hi: number, log: boolean): void => {
    lower[k] = log ? Math.log(lo) : lo;
    upper[k] = log ? Math.log(hi) : hi;
  };
  set(0, ALPHA_RANGE[0], ALPHA_RANGE[1], true);
  set(1, BETA_RANGE[0], BETA_RANGE[1], true);
  for (let k = 0; k < M * R; k++) set(2 + k, W_RANGE[0], W_RANGE[1], false);
  for (let i = 0; i < M; i++) set(2 + M * R + i, KAPPA_RANGE[0], KAPPA_RANGE[1], true);
  set(2 + M * R + M, NOISE_RANGE[0], NOISE_RANGE[1], true);
  set(3 + M * R + M, BIAS_RANGE[0], BIAS_RANGE[1], true);
  return { lower, upper };
}

/**
 * A random start inside the bounds, on the scales a normalised learning-curve set usually lands
 * on: α, β log-uniform in [0.1, 10], κ in [1e-3, 1], σ² in [1e-4, 0.1], b² in [1e-2, 1]. W's first
 * column is drawn positive in [0.1, 1.5]: a column's sign is not identifiable (W and −W give the
 * same B) and loss curves move together, so this only skips the mirrored half of the search;
 * further columns are uniform in [−1, 1].
 */
export function drawLmcStart(rng: () => number, curves: number, rank: number): Float64Array {
  const M = curves;
  const R = rank;
  const x = new Float64Array(lmcParameterCount(M, R));
  const logUniform = (lo: number, hi: number): number => Math.log(lo) + rng() * (Math.log(hi) - Math.log(lo));
  x[0] = logUniform(0.1, 10);
  x[1] = logUniform(0.1, 10);
  for (let i = 0; i < M; i++) {
    for (let r = 0; r < R; r++) x[2 + i * R + r] = r === 0 ? 0.1 + 1.4 * rng() : -1 + 2 * rng();
  }
  for (let i = 0; i < M; i++) x[2 + M * R + i] = logUniform(1e-3, 1);
  x[2 + M * R + M] = logUniform(1e-4, 1e-1);
  x[3 + M * R + M] = logUniform(1e-2, 1);
  return x;
}
