/**
 * The law fitted to a practitioner's observed runs, the way the benchmark's model-based loop fits
 * (multistart on the MSE, log-uniform starts, σ² from the inverse-gamma rule, MSPE's modes), and
 * what it says about the target region and the parameters.
 */
import { rngFor } from '../bench/seeds.js';
import { finiteFits, LeastSquares } from '../fit/multistart.js';
import { logUniformStarts } from '../fit/starts.js';
import type { Law } from '../laws/law.js';
import { linearise, noiseVariance } from '../select/fisher.js';
import type { ModeSet } from '../select/modes.js';
import { quadratureRange } from '../select/mspe.js';
import type { AcquisitionState, PreparedState } from '../select/score.js';
import type { PracticeGroup } from './data.js';

/** z of a two-sided 90% normal interval. */
export const Z90 = 1.6448536269514722;

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

export function multistartFit(law: Law, obs: Observations, starts: readonly Float64Array[]): Fits {
  const problem = new LeastSquares(law, obs.X, obs.y, { objective: 'mse' });
  // failed starts (non-finite values) take no part in modes, σ² or the best fit
  return finiteFits(problem.fit(starts));
}

export function freshFit(law: Law, obs: Observations, restarts: number, seedPath: readonly (string | number)[]): Fits {
  const fits = multistartFit(law, obs, logUniformStarts(law.bounds, restarts, rngFor(seedPath)));
  if (fits.best < 0) throw new PracticeError(`every start of the fit of law '${law.id}' failed on the observed runs (non-finite predictions)`);
  return fits;
}

/** The finite values among the pool's and the observed targets: σ²'s prior scale and MSPE's y grid read them. */
function knownY(group: PracticeGroup, obs: Observations): Float64Array {
  const vals: number[] = [];
  for (const v of group.pool.y) if (Number.isFinite(v)) vals.push(v);
  for (const v of obs.y) vals.push(v);
  return Float64Array.from(vals);
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
  const y = new Float64Array((n + obs.n) * O);
  y.set(group.pool.y.subarray(0, n * O));
  y.set(obs.y, n * O);
  const cost = new Float64Array(n + obs.n).fill(1);
  cost.set(group.pool.cost);
  const ys = knownY(group, obs);
  return {
    law,
    pool: { X, y, cost, n: n + obs.n },
    target: group.target,
    selected: Array.from({ length: obs.n }, (_, i) => n + i),
    candidates,
    fits: fits.thetas.map((t) => Array.from(t)),
    fitMse: fits.mse,
    sigma2: noiseVariance(fits.mse[fits.best], obs.n, ys),
    totalCost: group.totalCost,
    yRange: quadratureRange(ys),
  };
}

export interface TargetPrediction {
  /** Row index (0-based) in the target file. */
  row: number;
  features: Record<string, number>;
  mean: number;
  lo90: number;
  hi90: number;
}

export interface TargetRegion {
  predictions: TargetPrediction[];
  uncertainty: number;
}

/**
 * Predictive distribution of the first target at every target row, as MSPE's mixture of modes:
 * each mode N(μ_m, J Σ_m Jᵀ + σ²) (linearised, J in the same θ-scaled coordinates as Σ_m), mixed
 * by the mode weights. The interval is a normal approximation of the mixture, mean ± z90·sd, with
 * var = Σ w_m (v_m + μ_m²) − mean² (within-mode variance plus between-mode spread).
 */
export function targetRegion(prepared: PreparedState, modes: ModeSet, features: readonly string[], rows: readonly number[]): TargetRegion {
  const { law, sigma2, target } = prepared.state;
  const O = law.outputs;
  const T = target.n;
  const P = law.params.length;
  const m1 = new Float64Array(T);
  const m2 = new Float64Array(T);
  const sj = new Float64Array(P);
  for (const mode of modes.modes) {
    const post = mode.posterior;
    const lin = linearise(prepared.target, O, post.theta, post.scale);
    for (let t = 0; t < T; t++) {
      const r = t * O; // first output
      for (let i = 0; i < P; i++) {
        let s = 0;
        for (let j = 0; j < P; j++) s += lin.J[r * P + j] * post.cov[j * P + i];
        sj[i] = s;
      }
      let q = 0;
      for (let i = 0; i < P; i++) q += sj[i] * lin.J[r * P + i];
      const v = (q > 0 ? q : 0) + sigma2;
      const mu = lin.pred[r];
      m1[t] += mode.weight * mu;
      m2[t] += mode.weight * (v + mu * mu);
    }
  }
  let rel = 0;
  const predictions: TargetPrediction[] = [];
  for (let t = 0; t < T; t++) {
    const mean = m1[t];
    const sd = Math.sqrt(Math.max(m2[t] - mean * mean, 0));
    const half = Z90 * sd;
    rel += half / Math.abs(mean);
    const feats: Record<string, number> = {};
    features.forEach((f, k) => {
      feats[f] = target.X[k][t];
    });
    predictions.push({ row: rows[t], features: feats, mean, lo90: mean - half, hi90: mean + half });
  }
  return { predictions, uncertainty: T === 0 ? NaN : rel / T };
}

export interface ParameterEstimate {
  name: string;
  value: number;
  lo90: number;
  hi90: number;
}

/**
 * 90% intervals of the parameters from a mode's posterior. Σ lives in the Fisher pieces' scaled
 * coordinates: log θ_j where the lower bound is positive (the interval is then θ·exp(±z·sd),
 * asymmetric and positive), θ_j itself otherwise.
 */
export function parameterIntervals(law: Law, mode: ModeSet['modes'][number]): ParameterEstimate[] {
  const P = law.params.length;
  const { theta, cov } = mode.posterior;
  return law.params.map((name, j) => {
    const sd = Math.sqrt(Math.max(cov[j * P + j], 0));
    const logScale = law.bounds[j][0] > 0;
    const value = theta[j];
    return logScale
      ? { name, value, lo90: value * Math.exp(-Z90 * sd), hi90: value * Math.exp(Z90 * sd) }
      : { name, value, lo90: value - Z90 * sd, hi90: value + Z90 * sd };
  });
}
