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
import { timeKernel } from './kernel.js';
import { dot, forwardSolve } from '../../linalg/spd.js';
import { DEFAULT_MAX_POINTS, prepareLmcData, type CurveData, type LmcData } from './data.js';

import { drawLmcStart, lmcBounds, lmcRankOf, packLmcHyper, unpackLmcHyper, type LmcHyper } from './hyper.js';
import { LmcWorkspace, negativeLogMarginal } from './likelihood.js';

export { prepareLmcData, type CurveData, type LmcData };
export { drawLmcStart, lmcBounds, lmcParameterCount, lmcRankOf, packLmcHyper, unpackLmcHyper, type LmcHyper } from './hyper.js';
export { LmcWorkspace, negativeLogMarginal } from './likelihood.js';

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
