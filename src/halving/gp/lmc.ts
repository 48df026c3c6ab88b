/**
 * Multi-output Gaussian-process surrogate of learning curves: a linear model of coregionalisation
 * (LMC) over curves with the freeze-thaw kernel in log-compute, the surrogate SH-LMC
 * (arXiv 2605.17234) queries to predict how each model's loss curve continues.
 *
 * Covariance of observations (i, t) and (j, t'):
 *   K = B_ij · k(t, t') + b² + δ · σ²,   k(t, t') = β^α / (t + t' + β)^α,   B = W Wᵀ + diag(κ).
 * k is the Laplace transform of a Gamma(α, β) mixture of decaying exponentials e^{−λt}, so each
 * latent curve is a mixture of exponential decays in log-compute — power laws in compute.
 *
 * The fit maximises the exact log marginal likelihood of the normalised losses with its analytic
 * gradient, by multistart L-BFGS-B. When every curve is observed at the same t (all revealed to the
 * same compute) K is a Kronecker product plus a rank-one term and an evaluation is cheap
 * (`kronecker.ts`: O(n³ + M n²) for M curves of n points); otherwise it is dense (Cholesky, then
 * K⁻¹ for the gradient: N³/2 multiply-adds). All buffers live in a workspace a fit allocates once.
 */
import { rngFor } from '../../random/seeds.js';
import { BoxWorkspace, minimizeBox } from '../../fit/lbfgsb.js';
import type { MinimizeResult } from '../../fit/types.js';
import { kroneckerPosterior, KroneckerWorkspace, negativeLogMarginalKronecker, sharedGridPoints } from './kronecker.js';
import { timeKernel, timeKernelGrid } from './kernel.js';
import { backSolveInPlace, choleskyInPlace, dot, forwardSolve, inverseFromCholesky } from '../../linalg/spd.js';
import { DEFAULT_MAX_POINTS, prepareLmcData, type CurveData, type LmcData } from './data.js';

export { prepareLmcData, type CurveData, type LmcData };

export interface LmcOptions {
  /** Columns of W (latent processes shared across curves). Default 1. */
  rank?: number;
  /** Random starts of the optimiser; the best is kept. Default 20. */
  restarts?: number;
  /** Each curve is thinned to at most this many points, evenly spaced in t, last point kept. Default 20. */
  maxPointsPerCurve?: number;
  /** Seed path for `rngFor`. Default ['lmc']. */
  seed?: readonly (string | number)[];
  /** L-BFGS-B iterations per start. Default 200. */
  maxIterations?: number;
  /**
   * Optional screening, a speed/robustness trade-off that is off by default: every start first
   * runs only `iterations` L-BFGS-B iterations, then just the `survivors` best go on (from where
   * they stopped) to `maxIterations` in all. Off, every start runs to convergence.
   */
  screen?: { iterations: number; survivors: number };
  /**
   * Use the Kronecker form of the likelihood (`negativeLogMarginalKronecker`) when every curve is
   * observed at the same t after thinning; the value and gradient are the dense ones to rounding.
   * Default true; false forces the dense path (for comparisons).
   */
  structured?: boolean;
  /**
   * A previous fit of the same curves (same count and rank) on less data, e.g. the last round's:
   * its hyperparameters, rescaled to this data's normalisation and clamped into the bounds, are
   * one more start, tried before the `restarts` random ones (whose draws do not change).
   */
  warmStart?: Pick<LmcFit, 'hyper' | 'scale'>;
}

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

export interface LmcPrediction {
  mean: Float64Array;
  variance: Float64Array;
}

export interface LmcFit {
  /**
   * Posterior mean and variance at log-compute t of curve `curve`, in loss units. The variance is
   * that of the latent curve, or of a new noisy observation with `withNoise` (adds σ²).
   */
  predict(curve: number, t: ArrayLike<number>, options?: { withNoise?: boolean }): LmcPrediction;
  /** Log marginal likelihood of the normalised losses at the chosen hyperparameters. */
  logMarginalLikelihood: number;
  hyper: LmcHyper;
  /** Added to K's diagonal to make it positive definite at the chosen hyperparameters; 0 when it already was. */
  jitter: number;
  /** Objective evaluations over all starts. */
  evaluations: number;
  /** The normalisation of the losses: normalised = (loss − mean) / std. */
  scale: { mean: number; std: number };
}

const DEFAULT_RANK = 1;
const DEFAULT_RESTARTS = 20;
const DEFAULT_MAX_ITERATIONS = 200;
const DEFAULT_SEED: readonly string[] = ['lmc'];
/**
 * f is a sum over N points of O(1) terms, so a relative decrease of 1e-8 per iteration is a small
 * fraction of a nat: far below any change that moves a prediction. The likelihood surface has
 * long, nearly flat valleys (α and β trade off along α/β; W and κ share each curve's variance), where
 * a tighter tolerance buys hundreds of further tiny steps.
 */
const FIT_FTOL = 1e-8;
const FIT_GTOL = 1e-5;
/**
 * L-BFGS-B correction pairs: as many as there are hyperparameters, up to this cap. A full-rank
 * curvature model roughly halves the evaluations per start on these valleys compared with the
 * usual 10, and its O(memory · P) bookkeeping is nothing next to one O(N³) evaluation. (Next to a
 * Kronecker evaluation it is not — the subspace step's O(memory³) costs about twice as much at
 * M = 20 — but fewer pairs end elsewhere in the valley, at a lower likelihood on our benchmark.)
 */
const MAX_MEMORY = 64;

const LOG_2PI = Math.log(2 * Math.PI);
const JITTER_START = 1e-8;
const JITTER_MAX = 1e-2;

/** Box bounds of the packed hyperparameters (natural values; logs are taken where packed in log space). */
const ALPHA_RANGE = [1e-2, 1e2] as const;
const BETA_RANGE = [1e-2, 1e2] as const;
const W_RANGE = [-5, 5] as const;
const KAPPA_RANGE = [1e-6, 1e1] as const;
const NOISE_RANGE = [1e-8, 1] as const;
const BIAS_RANGE = [1e-6, 1e1] as const;

// ---------------------------------------------------------------------------------------------
// Packing

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

// ---------------------------------------------------------------------------------------------
// Likelihood

/**
 * Every buffer one likelihood evaluation needs, sized for one data set and rank; a fit allocates
 * one and the objective then allocates nothing.
 */
export class LmcWorkspace {
  readonly n: number;
  readonly curves: number;
  readonly rank: number;
  /** k(t_p, t_q), lower triangle. */
  readonly kt: Float64Array;
  /** k · log(β / (s + β)) and k · s / (s + β), s = t_p + t_q, lower triangle: ∂k/∂log α ÷ α and ∂k/∂log β ÷ α. */
  readonly ktLog: Float64Array;
  readonly ktRatio: Float64Array;
  /**
   * The distinct t values (g of them) and each point's index among them: curves logged on a common
   * compute grid share most t, so the kernel is evaluated on g × g pairs and gathered.
   */
  readonly distinctT: Float64Array;
  readonly tIndex: Int32Array;
  /** k, k · log ratio, k · s / (s + β) on the g × g distinct pairs (full square). */
  readonly gridK: Float64Array;
  readonly gridKLog: Float64Array;
  readonly gridKRatio: Float64Array;
  /** K, then its Cholesky factor, then (with a gradient) K⁻¹; lower triangle. */
  readonly factor: Float64Array;
  readonly invDiag: Float64Array;
  /** K⁻¹ y, valid after every successful evaluation. */
  readonly alpha: Float64Array;
  /** B = W Wᵀ + diag κ, M × M. */
  readonly B: Float64Array;
  readonly kappa: Float64Array;
  /** Σ_{p∈a, q∈b} Q_pq k_pq, M × M. */
  readonly S: Float64Array;
  /** Jitter of the last evaluation (NaN when even the largest failed). */
  jitter = 0;

  constructor(data: LmcData, rank: number) {
    if (!Number.isInteger(rank) || rank < 1) throw new RangeError(`LMC: rank must be a positive integer, got ${rank}`);
    const N = data.n;
    const M = data.curves;
    this.n = N;
    this.curves = M;
    this.rank = rank;
    this.kt = new Float64Array(N * N);
    this.ktLog = new Float64Array(N * N);
    this.ktRatio = new Float64Array(N * N);
    const sorted = Float64Array.from(data.t).sort();
    let g = 0;
    for (let p = 0; p < N; p++) if (p === 0 || sorted[p] !== sorted[p - 1]) sorted[g++] = sorted[p];
    this.distinctT = sorted.slice(0, g);
    this.tIndex = new Int32Array(N);
    const index = new Map<number, number>();
    this.distinctT.forEach((v, k) => index.set(v, k));
    for (let p = 0; p < N; p++) this.tIndex[p] = index.get(data.t[p])!;
    this.gridK = new Float64Array(g * g);
    this.gridKLog = new Float64Array(g * g);
    this.gridKRatio = new Float64Array(g * g);
    this.factor = new Float64Array(N * N);
    this.invDiag = new Float64Array(N);
    this.alpha = new Float64Array(N);
    this.B = new Float64Array(M * M);
    this.kappa = new Float64Array(M);
    this.S = new Float64Array(M * M);
  }
}

/** Fills ws.B and ws.kappa from the packed vector. */
function coregionalisation(packed: ArrayLike<number>, M: number, R: number, ws: LmcWorkspace): void {
  const { B, kappa } = ws;
  for (let i = 0; i < M; i++) kappa[i] = Math.exp(packed[2 + M * R + i]);
  for (let a = 0; a < M; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let r = 0; r < R; r++) s += packed[2 + a * R + r] * packed[2 + b * R + r];
      if (a === b) s += kappa[a];
      B[a * M + b] = s;
      B[b * M + a] = s;
    }
  }
}

/** K + jitter·I into the lower triangle of ws.factor; returns the mean of K's diagonal (without jitter). */
function assembleK(data: LmcData, ws: LmcWorkspace, noise: number, bias: number, jitter: number): number {
  const { n: N, curves: M, start } = data;
  const { kt, factor, B } = ws;
  let diag = 0;
  for (let a = 0; a < M; a++) {
    for (let p = start[a]; p < start[a + 1]; p++) {
      const rp = p * N;
      for (let b = 0; b <= a; b++) {
        const bab = B[a * M + b];
        const qEnd = Math.min(start[b + 1], p + 1);
        for (let q = start[b]; q < qEnd; q++) factor[rp + q] = bab * kt[rp + q] + bias;
      }
      factor[rp + p] += noise;
      diag += factor[rp + p];
      factor[rp + p] += jitter;
    }
  }
  return diag / N;
}

/**
 * −log p(y | θ) = ½ yᵀK⁻¹y + ½ log|K| + (N/2) log 2π for the packed hyperparameters θ (order at
 * `lmcParameterCount`, rank inferred from the length) and, when `grad` is given, its gradient
 * −½ tr((ααᵀ − K⁻¹) ∂K/∂θ) with α = K⁻¹y. With Q = ααᵀ − K⁻¹ and S_ab = Σ_{p∈a, q∈b} Q_pq k_pq the
 * traces are: log α: α·Σ Q B k log(β/(s+β)); log β: α·Σ Q B k s/(s+β) (s = t + t′);
 * W_ir: 2 Σ_b S_ib W_br; log κ_i: κ_i S_ii; log σ²: σ² tr Q; log b²: b² Σ Q. When K is not
 * numerically positive definite, jitter (1e-8, ×10 up to 1e-2, relative to K's mean diagonal) is
 * added to its diagonal — the gradient is then that of the jittered K — and if even that fails the
 * value is +∞ with a NaN gradient, which the line search treats as a step too far. Pass a
 * workspace to evaluate without allocating; ws.jitter and ws.alpha describe the last call.
 */
export function negativeLogMarginal(packed: Float64Array, data: LmcData, grad?: Float64Array, workspace?: LmcWorkspace): number {
  const M = data.curves;
  const R = lmcRankOf(packed.length, M);
  const ws = workspace ?? new LmcWorkspace(data, R);
  if (ws.n !== data.n || ws.curves !== M || ws.rank !== R) {
    throw new RangeError(`LMC: workspace is for N = ${ws.n}, M = ${ws.curves}, R = ${ws.rank}; problem has N = ${data.n}, M = ${M}, R = ${R}`);
  }
  if (grad && grad.length !== packed.length) throw new RangeError(`LMC: gradient has ${grad.length} entries, θ has ${packed.length}`);
  const { n: N, start, y } = data;
  const { kt, ktLog, ktRatio, factor, invDiag, alpha: a, B, kappa, S } = ws;

  const alphaK = Math.exp(packed[0]);
  const logBeta = packed[1];
  const noise = Math.exp(packed[2 + M * R + M]);
  const bias = Math.exp(packed[3 + M * R + M]);
  coregionalisation(packed, M, R, ws);

  const { distinctT, tIndex, gridK, gridKLog, gridKRatio } = ws;
  const g = distinctT.length;
  timeKernelGrid(distinctT, alphaK, logBeta, gridK, gridKLog, gridKRatio);
  for (let p = 0; p < N; p++) {
    const rp = p * N;
    const gp = tIndex[p] * g;
    for (let q = 0; q <= p; q++) {
      const idx = gp + tIndex[q];
      kt[rp + q] = gridK[idx];
      ktLog[rp + q] = gridKLog[idx];
      ktRatio[rp + q] = gridKRatio[idx];
    }
  }

  let jitter = 0;
  let meanDiag = assembleK(data, ws, noise, bias, 0);
  while (!choleskyInPlace(factor, invDiag, N)) {
    jitter = jitter === 0 ? JITTER_START * meanDiag : jitter * 10;
    if (!(jitter <= JITTER_MAX * meanDiag * (1 + 1e-9))) {
      ws.jitter = NaN;
      if (grad) grad.fill(NaN);
      return Infinity;
    }
    meanDiag = assembleK(data, ws, noise, bias, jitter);
  }
  ws.jitter = jitter;

  forwardSolve(factor, invDiag, N, y, a);
  const quad = dot(a, 0, a, 0, N);
  let logDet = 0;
  for (let p = 0; p < N; p++) logDet -= Math.log(invDiag[p]);
  logDet *= 2;
  backSolveInPlace(factor, invDiag, N, a);
  const f = 0.5 * quad + 0.5 * logDet + 0.5 * N * LOG_2PI;
  if (!grad) return f;

  inverseFromCholesky(factor, invDiag, N);

  // Sums over all ordered pairs, walked over the lower triangle block by block: off-diagonal pairs
  // count twice, and B_ab is constant inside a block so it multiplies the block's sums once.
  let gAlpha = 0;
  let gBeta = 0;
  let sumQ = 0;
  let traceQ = 0;
  S.fill(0);
  for (let ca = 0; ca < M; ca++) {
    for (let cb = 0; cb <= ca; cb++) {
      let sQk = 0;
      let sQkLr = 0;
      let sQkS = 0;
      let sQ = 0;
      for (let p = start[ca]; p < start[ca + 1]; p++) {
        const rp = p * N;
        const ap = a[p];
        const qEnd = Math.min(start[cb + 1], p);
        for (let q = start[cb]; q < qEnd; q++) {
          const Q = ap * a[q] - factor[rp + q];
          sQ += Q;
          sQk += Q * kt[rp + q];
          sQkLr += Q * ktLog[rp + q];
          sQkS += Q * ktRatio[rp + q];
        }
      }
      sQ *= 2;
      sQk *= 2;
      sQkLr *= 2;
      sQkS *= 2;
      if (ca === cb) {
        for (let p = start[ca]; p < start[ca + 1]; p++) {
          const Q = a[p] * a[p] - factor[p * N + p];
          sQ += Q;
          sQk += Q * kt[p * N + p];
          sQkLr += Q * ktLog[p * N + p];
          sQkS += Q * ktRatio[p * N + p];
          traceQ += Q;
        }
      }
      const bab = B[ca * M + cb];
      gAlpha += bab * sQkLr;
      gBeta += bab * sQkS;
      sumQ += sQ;
      // Off-diagonal blocks were counted for both orders; S holds the one-order sum, symmetric.
      const one = ca === cb ? sQk : 0.5 * sQk;
      S[ca * M + cb] = one;
      S[cb * M + ca] = one;
    }
  }

  grad[0] = -0.5 * alphaK * gAlpha;
  grad[1] = -0.5 * alphaK * gBeta;
  for (let i = 0; i < M; i++) {
    for (let r = 0; r < R; r++) {
      let s = 0;
      for (let b = 0; b < M; b++) s += S[i * M + b] * packed[2 + b * R + r];
      grad[2 + i * R + r] = -s;
    }
    grad[2 + M * R + i] = -0.5 * kappa[i] * S[i * M + i];
  }
  grad[2 + M * R + M] = -0.5 * noise * traceQ;
  grad[3 + M * R + M] = -0.5 * bias * sumQ;
  return f;
}

// ---------------------------------------------------------------------------------------------
// Fit and prediction

/**
 * Fits the LMC to the curves: thins and normalises them (`prepareLmcData`), then minimises
 * −log p(y | θ) (`negativeLogMarginal`, analytic gradient) with L-BFGS-B inside `lmcBounds` from
 * `restarts` starts drawn by `drawLmcStart` with `rngFor(seed)`, and keeps the lowest (with
 * `screen`, only the best few starts are run past a short first stretch). Predictions at (i, t*)
 * are the GP posterior, de-normalised: mean = ȳ + s·k*ᵀK⁻¹y, variance =
 * s²·(B_ii k(t*, t*) + b² − k*ᵀK⁻¹k* [+ σ²]), with k*_q = B_{i c(q)} k(t*, t_q) + b². Throws if every
 * start fails (non-finite likelihood), or for invalid options or data.
 */
export function fitLmc(curves: readonly CurveData[], options: LmcOptions = {}): LmcFit {
  const rank = options.rank ?? DEFAULT_RANK;
  const restarts = options.restarts ?? DEFAULT_RESTARTS;
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const positiveInteger = (name: string, v: number): void => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`fitLmc: ${name} must be a positive integer, got ${v}`);
  };
  positiveInteger('rank', rank);
  positiveInteger('restarts', restarts);
  positiveInteger('maxIterations', maxIterations);
  if (options.screen) {
    positiveInteger('screen.iterations', options.screen.iterations);
    positiveInteger('screen.survivors', options.screen.survivors);
  }
  const data = prepareLmcData(curves, options.maxPointsPerCurve ?? DEFAULT_MAX_POINTS);
  const M = data.curves;
  const { lower, upper } = lmcBounds(M, rank);
  const P = lower.length;
  const box = new BoxWorkspace(P, Math.min(P, MAX_MEMORY));
  const rng = rngFor(options.seed ?? DEFAULT_SEED);
  const kron = (options.structured ?? true) && sharedGridPoints(data) > 0 ? new KroneckerWorkspace(data, rank) : undefined;
  const ws = kron ? undefined : new LmcWorkspace(data, rank);
  const fg = kron
    ? (x: Float64Array, g: Float64Array): number => negativeLogMarginalKronecker(x, data, g, kron)
    : (x: Float64Array, g: Float64Array): number => negativeLogMarginal(x, data, g, ws!);
  let evaluations = 0;
  const run = (x0: Float64Array, iterations: number): MinimizeResult => {
    const result = minimizeBox(fg, x0, lower, upper, { maxIterations: iterations, ftol: FIT_FTOL, gtol: FIT_GTOL }, box);
    evaluations += result.evaluations;
    return result;
  };

  const firstStretch = options.screen ? Math.min(options.screen.iterations, maxIterations) : maxIterations;
  // All starts are drawn before any is run so that the draws do not depend on the screening.
  const starts = Array.from({ length: restarts }, () => drawLmcStart(rng, M, rank));
  const warm = options.warmStart && warmStartFrom(options.warmStart, data, rank, lower, upper);
  if (warm) starts.unshift(warm);
  const results = starts.map((x0) => run(x0, firstStretch));
  if (options.screen && firstStretch < maxIterations) {
    const ranked = results
      .map((r, k) => ({ r, k }))
      .filter(({ r }) => Number.isFinite(r.f))
      .sort((a, b) => a.r.f - b.r.f || a.k - b.k)
      .slice(0, options.screen.survivors);
    for (const { r, k } of ranked) {
      if (r.status === 'max-iterations') results[k] = run(r.x, maxIterations - r.iterations);
    }
  }

  let best: Float64Array | undefined;
  let bestF = Infinity;
  for (const r of results) {
    if (Number.isFinite(r.f) && r.f < bestF) {
      bestF = r.f;
      best = r.x;
    }
  }
  if (!best) {
    throw new Error(`fitLmc: all ${restarts} starts failed: the likelihood was not finite even with jitter (${M} curves, ${data.n} points)`);
  }

  return { ...posterior(data, best, kron ?? ws!), evaluations };
}

/**
 * The LMC's posterior at given hyperparameters, with no fitting (`evaluations` is 0): the curves
 * are thinned and normalised as `fitLmc` does, and `hyper` is on that normalised scale (as a fit's
 * `hyper` is). Throws if K is not positive definite even with the largest jitter.
 */
export function lmcPosterior(curves: readonly CurveData[], hyper: LmcHyper, options: Pick<LmcOptions, 'maxPointsPerCurve' | 'structured'> = {}): LmcFit {
  const data = prepareLmcData(curves, options.maxPointsPerCurve ?? DEFAULT_MAX_POINTS);
  const packed = packLmcHyper(hyper);
  const rank = lmcRankOf(packed.length, data.curves);
  const structured = (options.structured ?? true) && sharedGridPoints(data) > 0;
  return { ...posterior(data, packed, structured ? new KroneckerWorkspace(data, rank) : new LmcWorkspace(data, rank)), evaluations: 0 };
}

/**
 * Evaluates the likelihood once more at `packed` (leaving the factorisation, with the jitter it
 * needed, and K⁻¹y in the workspace) and wraps the posterior it defines: dense (Cholesky factor of
 * K) or Kronecker (`kroneckerPosterior`), which agree to rounding.
 */
function posterior(data: LmcData, packed: Float64Array, ws: LmcWorkspace | KroneckerWorkspace): Omit<LmcFit, 'evaluations'> {
  const M = data.curves;
  const f = ws instanceof KroneckerWorkspace ? negativeLogMarginalKronecker(packed, data, undefined, ws) : negativeLogMarginal(packed, data, undefined, ws);
  if (!Number.isFinite(f)) throw new Error(`LMC: K is not positive definite even with jitter at these hyperparameters (${M} curves, ${data.n} points)`);
  // Predictions read their own copy, so a caller editing `hyper` cannot change them.
  const model = unpackLmcHyper(packed, M);
  const hyper = unpackLmcHyper(packed, M);
  const checkCurve = (curve: number): void => {
    if (!Number.isInteger(curve) || curve < 0 || curve >= M) throw new RangeError(`LMC predict: curve ${curve} is not in 0..${M - 1}`);
  };
  let predict: LmcFit['predict'];
  if (ws instanceof KroneckerWorkspace) {
    const at = kroneckerPosterior(data, ws, model.alpha, model.beta, model.bias);
    const { yMean, yStd } = data;
    predict = (curve, tStar, predictOptions) => {
      checkCurve(curve);
      const mean = new Float64Array(tStar.length);
      const variance = new Float64Array(tStar.length);
      const noise = predictOptions?.withNoise ? model.noise : 0;
      for (let k = 0; k < tStar.length; k++) {
        const p = at(curve, tStar[k]);
        mean[k] = yMean + yStd * p.mean;
        variance[k] = yStd * yStd * (p.variance + noise);
      }
      return { mean, variance };
    };
  } else {
    const L = ws.factor.slice();
    const invDiag = ws.invDiag.slice();
    const weights = ws.alpha.slice();
    const B = ws.B.slice();
    predict = (curve, tStar, predictOptions) => predictLmc(data, model, B, L, invDiag, weights, curve, tStar, predictOptions?.withNoise ?? false);
  }
  return { predict, logMarginalLikelihood: -f, hyper, jitter: ws.jitter, scale: { mean: data.yMean, std: data.yStd } };
}

/**
 * The packed start a previous fit gives on `data`: covariances are in units of the normalised
 * loss, so W scales by s_old / s_new and κ, σ², b² by its square. Undefined when the previous fit
 * is for another number of curves or rank, or is not finite.
 */
function warmStartFrom(
  previous: Pick<LmcFit, 'hyper' | 'scale'>,
  data: LmcData,
  rank: number,
  lower: Float64Array,
  upper: Float64Array,
): Float64Array | undefined {
  const { hyper, scale } = previous;
  if (hyper.kappa.length !== data.curves || hyper.W.length !== data.curves * rank) return undefined;
  const ratio = scale.std / data.yStd;
  const x = packLmcHyper({
    ...hyper,
    W: hyper.W.map((w) => w * ratio),
    kappa: hyper.kappa.map((k) => k * ratio * ratio),
    noise: hyper.noise * ratio * ratio,
    bias: hyper.bias * ratio * ratio,
  });
  for (let k = 0; k < x.length; k++) {
    if (!Number.isFinite(x[k])) return undefined;
    x[k] = Math.min(upper[k], Math.max(lower[k], x[k]));
  }
  return x;
}

function predictLmc(
  data: LmcData,
  hyper: LmcHyper,
  B: Float64Array,
  L: Float64Array,
  invDiag: Float64Array,
  weights: Float64Array,
  curve: number,
  tStar: ArrayLike<number>,
  withNoise: boolean,
): LmcPrediction {
  const { n: N, curves: M, start, t, yMean, yStd } = data;
  if (!Number.isInteger(curve) || curve < 0 || curve >= M) throw new RangeError(`LMC predict: curve ${curve} is not in 0..${M - 1}`);
  const { alpha: alphaK, beta: betaK, noise, bias } = hyper;
  const mean = new Float64Array(tStar.length);
  const variance = new Float64Array(tStar.length);
  const cross = new Float64Array(N);
  const v = new Float64Array(N);
  const logBeta = Math.log(betaK);
  const kernel = (s: number): number => timeKernel(s, alphaK, logBeta);
  for (let k = 0; k < tStar.length; k++) {
    const ts = tStar[k];
    for (let b = 0; b < M; b++) {
      const bib = B[curve * M + b];
      for (let q = start[b]; q < start[b + 1]; q++) cross[q] = bib * kernel(ts + t[q]) + bias;
    }
    const mu = dot(cross, 0, weights, 0, N);
    forwardSolve(L, invDiag, N, cross, v);
    const prior = B[curve * M + curve] * kernel(2 * ts) + bias;
    // Rounding can push a near-zero posterior variance slightly negative.
    const latent = Math.max(0, prior - dot(v, 0, v, 0, N));
    mean[k] = yMean + yStd * mu;
    variance[k] = yStd * yStd * (latent + (withNoise ? noise : 0));
  }
  return { mean, variance };
}
