/**
 * The law fitted to a practitioner's observed runs, the way the benchmark's model-based loop fits
 * (multistart on the MSE, log-uniform starts, σ² from the inverse-gamma rule, MSPE's modes), and
 * what it says about the target region and the parameters.
 */
import { rngFor } from '../random/seeds.js';
import { finiteFits, LeastSquares, type FitterName } from '../fit/multistart.js';
import type { LossSpec } from '../fit/robust.js';
import { logUniformStarts, startProblem } from '../fit/starts.js';
import type { TaskSpec } from '../data/task.js';
import { compileFormula, FormulaError } from '../laws/formula/index.js';
import type { Law } from '../laws/law.js';
import { noiseVariance } from '../select/fisher.js';
import type { ModeSet } from '../select/modes.js';
import { quadratureRange } from '../select/mspe.js';
import { studentT90, targetPredictive, Z90 } from '../select/predictive.js';
import { prepareState, stateModes, type AcquisitionState, type PreparedState } from '../select/score.js';
import type { PracticeGroup } from './data.js';

/** The fitter of `fit` and `suggest` unless told otherwise. */
export const PRACTICE_FITTER: FitterName = 'lbfgsb';

/** A problem with the practitioner's request (budget, batch, group) rather than with a file. */
export class PracticeError extends Error {
  override name = 'PracticeError';
}

export interface Fits {
  thetas: Float64Array[];
  mse: number[];
  best: number;
}

/** Observed rows as columns plus row-major targets (n × outputs). */
export interface Observations {
  X: Float64Array[];
  y: Float64Array;
  n: number;
}

/** With a robust `loss`, each fit's `mse` is its robust objective (= the MSE while every |r| ≤ f-scale under huber). */
export function multistartFit(law: Law, obs: Observations, starts: readonly Float64Array[], loss?: LossSpec, fitter: FitterName = PRACTICE_FITTER): Fits {
  const problem = new LeastSquares(law, obs.X, obs.y, { objective: 'mse', loss, fitter });
  // failed starts (non-finite values) take no part in modes, σ² or the best fit
  return finiteFits(problem.fit(starts));
}

export function freshFit(
  law: Law,
  obs: Observations,
  restarts: number,
  seedPath: readonly (string | number)[],
  loss?: LossSpec,
  fitter: FitterName = PRACTICE_FITTER,
  rowName: (i: number) => string = (i) => `observed run ${i + 1}`,
): Fits {
  const problem = startProblem(law, fitter);
  if (problem) throw new PracticeError(problem);
  const starts = logUniformStarts(law.bounds, restarts, rngFor(seedPath));
  const fits = multistartFit(law, obs, starts, loss, fitter);
  if (fits.best < 0) {
    throw new PracticeError(
      `every start of the fit of law '${law.id}' failed on the observed runs (non-finite predictions)${firstNonFinite(law, obs, starts[0], rowName)}`,
    );
  }
  return fits;
}

/** Where the law is not finite at θ: the first such run and its inputs, for the message of a fit that failed. */
function firstNonFinite(law: Law, obs: Observations, theta: Float64Array | undefined, rowName: (i: number) => string): string {
  if (!theta || obs.n === 0) return '';
  const pred = new Float64Array(obs.n * law.outputs);
  law.bind(obs.X).value(theta, pred);
  const v = pred.findIndex((p) => !Number.isFinite(p));
  if (v < 0) return '';
  const i = Math.floor(v / law.outputs);
  const inputs = law.features.map((f, k) => `${f} = ${obs.X[k][i]}`).join(', ');
  return `; at the first start the law gives ${pred[v]} on ${rowName(i)} (${inputs}): is the formula defined there?`;
}

/**
 * χ²₁'s 90% point. A fit is unconverged when the optimum's SSE is lower by more than this many σ̂²
 * (σ̂² = the optimum's SSE / (n − P)): the likelihood-ratio test puts the fit outside the optimum's
 * 90% confidence region, so the difference matters at the precision the data give.
 */
export const CONVERGENCE_CHI2 = 2.706;

/** Whether the multistart's best fit is a converged optimum, checked by running `trf` on from it. */
export interface Convergence {
  /** False when there are no more observed values than parameters: any fit can then be bettered, noise cannot be told. */
  checked: boolean;
  converged: boolean;
  /** The best fit's MSE, and the MSE `trf` reaches from it (equal when the fitter is `trf`). */
  mse: number;
  optimumMse: number;
  /** Set when not converged: what that does to the output, and what to do. */
  message?: string;
}

/**
 * The reference's L-BFGS-B protocol stops short of the optimum where the box is far wider than the
 * fit (an amplitude in [0, 10⁷] whose fit is 300: its uniform starts sit at millions, and 64 of them
 * all end at poor points). One `trf` fit from the best θ tells, at the cost of one start.
 */
export function checkConvergence(law: Law, obs: Observations, fits: Fits, loss: LossSpec | undefined, fitter: FitterName): Convergence {
  const mse = fits.mse[fits.best];
  const dof = obs.n * law.outputs - law.params.length;
  if (fitter === 'trf' || dof < 1) return { checked: dof >= 1, converged: true, mse, optimumMse: mse };
  const problem = new LeastSquares(law, obs.X, obs.y, { objective: 'mse', loss, fitter: 'trf' });
  const polished = problem.fit([fits.thetas[fits.best]]);
  const optimumMse = polished.best >= 0 ? Math.min(polished.fits[polished.best].loss, mse) : mse;
  // in SSE units: (SSE − SSE*) > χ²·SSE*/dof, and the MSE is SSE/n on both sides
  if (!(mse - optimumMse > (CONVERGENCE_CHI2 * optimumMse) / dof)) return { checked: true, converged: true, mse, optimumMse };
  const pct = (100 * (1 - optimumMse / mse)).toPrecision(3);
  return {
    checked: true,
    converged: false,
    mse,
    optimumMse,
    message: `the ${fitter} fit stopped short of the optimum: run on to convergence from its best point, the same law reaches MSE ${optimumMse.toPrecision(5)}, ${pct}% below its ${mse.toPrecision(5)} and outside that optimum's 90% confidence region; the forecast, intervals and law-fits verdict given here are those of the unconverged fit. Rerun with --fitter trf (or narrow the bounds to the plausible range)`,
  };
}

/**
 * The acquisition state: the group's pool with the observations appended as extra rows (so rows
 * outside the pool inform the fit too); pool indices 0…n−1 keep their meaning. Observed rows get
 * cost 1: they are never candidates, so the cost penalty never reads it.
 */
export function acquisitionState(law: Law, group: PracticeGroup, obs: Observations, fits: Fits, candidates: readonly number[]): AcquisitionState {
  const n = group.pool.n;
  const O = law.outputs;
  const X = group.pool.X.map((col, f) => {
    const out = new Float64Array(n + obs.n);
    out.set(col);
    out.set(obs.X[f], n);
    return out;
  });
  // the pool's own targets, where a task file has them, are runs not yet made: nothing reads them
  const y = new Float64Array((n + obs.n) * O).fill(NaN);
  y.set(obs.y, n * O);
  const cost = new Float64Array(n + obs.n).fill(1);
  cost.set(group.pool.cost);
  const ys = obs.y;
  // σ²'s prior is scaled by the spread of the observed targets; one run has none, and the fit
  // passes through it, so σ² would be 0 or rounding
  if (!ys.some((v) => v !== ys[0])) {
    throw new PracticeError(
      obs.n === 1
        ? `group '${group.name}': 1 observed run, and their target values do not vary: nothing yet to estimate the noise from; run at least one more configuration`
        : `group '${group.name}': ${obs.n} observed runs, and their target values do not vary (all ${obs.y[0]}): the law has nothing to fit; is the target column the right one?`,
    );
  }
  const sigma2 = noiseVariance(fits.mse[fits.best], obs.n, ys);
  return {
    law,
    pool: { X, y, cost, n: n + obs.n },
    target: group.target,
    selected: Array.from({ length: obs.n }, (_, i) => n + i),
    candidates,
    fits: fits.thetas.map((t) => Array.from(t)),
    fitMse: fits.mse,
    sigma2,
    totalCost: group.totalCost,
    yRange: quadratureRange(ys),
    conditioning: 'equilibrated',
  };
}

/** How the forecast's noise variance and interval quantile were chosen. */
export interface ForecastNoise {
  sigma2: number;
  /** Multiplier of the predictive sd in the 90% intervals. */
  quantile: number;
  /** 'residual': SSE/(n − P) with Student's t; 'prior': the acquisition's σ² with z (n < 2P). */
  rule: 'residual' | 'prior';
  /** Residual degrees of freedom n·outputs − P. */
  dof: number;
}

/** σ² never quite reaches 0 (a noiseless perfect fit): a relative 1e-6 in standard deviation. */
const NOISE_FLOOR_RELATIVE = 1e-12;

/**
 * σ² and the interval quantile of the forecast. Once there are at least two observed values per
 * parameter (n ≥ 2P): the residual variance SSE/(n − P) and Student's t on n − P degrees of
 * freedom, the textbook nonlinear-regression prediction interval (its coverage on ScaleBench is in
 * docs/your-own-task.md). Before that the residuals say little about the noise (a near-interpolating fit
 * gives a tiny SSE by chance), so the acquisition's σ² is used with z: its inverse-gamma prior is
 * scaled by the spread of the losses seen, deliberately wide. The acquisition keeps its own σ²:
 * that is the rule the benchmark validated for choosing runs.
 */
export function forecastNoise(law: Law, obs: Observations, fits: Fits, acquisitionSigma2: number): ForecastNoise {
  const n = obs.n * law.outputs;
  const P = law.params.length;
  const dof = n - P;
  if (n < 2 * P) return { sigma2: acquisitionSigma2, quantile: Z90, rule: 'prior', dof };
  let meanSquare = 0;
  for (const v of obs.y) meanSquare += v * v;
  meanSquare /= n;
  // the fit's MSE is Σr² over all outputs per observed row
  const residual = (fits.mse[fits.best] * obs.n) / dof;
  return { sigma2: Math.max(residual, NOISE_FLOOR_RELATIVE * meanSquare), quantile: studentT90(dof), rule: 'residual', dof };
}

/** The fit as the forecast reads it: its σ², and MSPE's modes rebuilt under that σ². */
export interface Forecast {
  prepared: PreparedState;
  modes: ModeSet;
  noise: ForecastNoise;
}

export function forecast(law: Law, obs: Observations, fits: Fits, acquisition: AcquisitionState): Forecast {
  const noise = forecastNoise(law, obs, fits, acquisition.sigma2);
  const prepared = prepareState({ ...acquisition, candidates: [], sigma2: noise.sigma2 });
  return { prepared, modes: stateModes(prepared), noise };
}

export interface TargetPrediction {
  /** Row index (0-based) in the target file. */
  row: number;
  features: Record<string, number>;
  mean: number;
  lo90: number;
  hi90: number;
}

/** One target's forecast at one target row. */
export interface TargetInterval {
  mean: number;
  lo90: number;
  hi90: number;
}

export interface TargetRegion {
  /** The first target's, which `uncertainty` and the stop rule read. */
  predictions: TargetPrediction[];
  uncertainty: number;
  /** With several targets (and their names given): every target's forecast, row by row as `predictions`. */
  byTarget?: Record<string, TargetInterval[]>;
}

/**
 * The target region as a practitioner reads it: the first target's predictive mean at every
 * target row, with the 90% interval mean ± quantile·sd of MSPE's mixture of modes; with `targets`
 * (the task's target names) and several of them, every target's in `byTarget` too.
 */
export function targetRegion(
  prepared: PreparedState,
  modes: ModeSet,
  features: readonly string[],
  rows: readonly number[],
  quantile: number = Z90,
  targets?: readonly string[],
): TargetRegion {
  const { target } = prepared.state;
  const pred = targetPredictive(prepared, modes);
  const O = pred.outputs;
  /** Target o's mean ± quantile·sd at target row t. */
  const interval = (t: number, o: number): TargetInterval => {
    const mean = pred.mean[t * O + o];
    const half = quantile * Math.sqrt(pred.variance[t * O + o]);
    return { mean, lo90: mean - half, hi90: mean + half };
  };
  const predictions: TargetPrediction[] = [];
  for (let t = 0; t < pred.rows; t++) {
    const feats: Record<string, number> = {};
    features.forEach((f, k) => {
      feats[f] = target.X[k][t];
    });
    predictions.push({ row: rows[t], features: feats, ...interval(t, 0) });
  }
  const region: TargetRegion = { predictions, uncertainty: relativeHalfWidth(predictions) };
  if (targets && O > 1 && targets.length === O) {
    region.byTarget = Object.fromEntries(targets.map((name, o) => [name, Array.from({ length: pred.rows }, (_, t) => interval(t, o))]));
  }
  return region;
}

/**
 * The target region's relative 90% half-width, Σ half-width / Σ |mean|: one number for a stop rule
 * that a forecast of 0 in one row cannot make infinite (a mean of per-row ratios would). NaN with
 * no rows; Infinity only when every mean is exactly 0.
 */
export function relativeHalfWidth(predictions: readonly { mean: number; lo90: number; hi90: number }[]): number {
  if (predictions.length === 0) return NaN;
  let half = 0;
  let scale = 0;
  for (const p of predictions) {
    half += (p.hi90 - p.lo90) / 2;
    scale += Math.abs(p.mean);
  }
  return half / scale;
}

export interface ParameterEstimate {
  name: string;
  value: number;
  lo90: number;
  hi90: number;
  /** Which ends of the interval the declared bounds cut: the data alone would reach past them. */
  cut: 'lo' | 'hi' | 'both' | null;
}

/**
 * 90% intervals of the parameters from a mode's posterior. Σ lives in the Fisher pieces' scaled
 * coordinates: log θ_j where the lower bound is positive (the interval is then θ·exp(±z·sd),
 * asymmetric and positive), θ_j itself otherwise. The fit never leaves the declared box, so
 * neither does the interval: an end past a bound is set to it and reported in `cut`.
 */
export function parameterIntervals(law: Law, mode: ModeSet['modes'][number], quantile: number = Z90): ParameterEstimate[] {
  const P = law.params.length;
  const { theta, cov } = mode.posterior;
  return law.params.map((name, j) => {
    const sd = Math.sqrt(Math.max(cov[j * P + j], 0));
    const logScale = law.bounds[j][0] > 0;
    const value = theta[j];
    const [lo, hi] = law.bounds[j];
    const lo90 = logScale ? value * Math.exp(-quantile * sd) : value - quantile * sd;
    const hi90 = logScale ? value * Math.exp(quantile * sd) : value + quantile * sd;
    const cutLo = lo90 < lo;
    const cutHi = hi90 > hi;
    const cut = cutLo && cutHi ? 'both' : cutLo ? 'lo' : cutHi ? 'hi' : null;
    return { name, value, lo90: cutLo ? lo : lo90, hi90: cutHi ? hi : hi90, cut };
  });
}

/**
 * Each observed run's cost: its pool row's where it matched one (`match[i]` ≥ 0), else the task's
 * cost expression on its features; NaN where that expression reads other columns (the fit check
 * then leaves the run out of its cost-ordered tests).
 */
export function observedCosts(task: TaskSpec, X: Float64Array[], match: Int32Array, poolCost: Float64Array): Float64Array {
  const n = match.length;
  const cost = new Float64Array(n).fill(NaN);
  if (match.some((p) => p < 0)) {
    try {
      const { kernels } = compileFormula({ formula: task.cost, params: [], features: task.features });
      kernels.value([], X, kernels.prepare(X, n), n, cost);
    } catch (e) {
      // the expression reads columns besides the features: those runs stay without a cost
      if (!(e instanceof FormulaError)) throw e;
      cost.fill(NaN);
    }
  }
  for (let i = 0; i < n; i++) if (match[i] >= 0) cost[i] = poolCost[match[i]];
  return cost;
}
