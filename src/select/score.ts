/**
 * The library entry of model-based acquisition: one state of a sequential design (what has been
 * observed, the multistart fits, σ², the affordable candidates) in; MSPE, V-opt and D-opt scores
 * for every candidate, and each method's pick, out.
 */
import type { BoundLaw, Law } from '../laws/law.js';
import { DOPT_COST_EXPONENT, informationGain } from './dopt.js';
import { priorPrecision, posterior, type Conditioning } from './fisher.js';
import { lineariseFit, type LinearisedFit } from './linearised.js';
import { buildModes, goodFits, type GoodFitRule, type ModeSet } from './modes.js';
import { MSPE_COST_EXPONENT, mspeGains, quadratureRange, type MspeQuadrature, type MspeTerms } from './mspe.js';
import { argmax, costPenalised } from './penalty.js';
import { VOPT_COST_EXPONENT, varianceReduction } from './vopt.js';

export interface AcquisitionState {
  law: Law;
  pool: { X: Float64Array[]; y: Float64Array; cost: Float64Array; n: number };
  target: { X: Float64Array[]; n: number };
  /** Observed pool indices. */
  selected: readonly number[];
  /** Pool indices to score (the reference scores those affordable within the remaining budget). */
  candidates: readonly number[];
  /** Multistart fit thetas (all of them: the good-fit filter is applied here). */
  fits: readonly (readonly number[])[];
  fitMse: readonly number[];
  sigma2: number;
  /** The group's total pool cost (the cost penalty uses cost/total). */
  totalCost: number;
  /**
   * Informational: the budget cap the candidates were chosen under (the reference's
   * max-checkpoint × total cost). Scoring does not read it: candidates are given.
   */
  budget?: number;
  /**
   * Which good-fit rule applies: 'initial' (default; right after the initial design's fit) or
   * 'refit' (after any later refit). See `goodFits`.
   */
  goodFitRule?: GoodFitRule;
  /** Good-fit MSE ratio; default 1.5 (the intra/inter ablation scripts use 2 for refits). */
  goodFitRatio?: number;
  /**
   * Where MSPE's modes compare predictions: the target region (default). The intra/inter
   * ablation scripts use the whole pool for the modes built after the initial fit.
   */
  modeRegion?: 'target' | 'pool';
  /** Clipping range of MSPE's y grid; default [min y_pool − 1, max y_pool + 1] (`quadratureRange`). */
  yRange?: readonly [number, number];
  /** How each mode's posterior precision is inverted; default 'reference' (see `Conditioning`). */
  conditioning?: Conditioning;
}

export interface AcquisitionScores {
  modes: { thetas: number[][]; weights: number[] };
  mspe: { dvIntra: number[]; dvInter: number[]; score: number[]; pick: number };
  vopt: { bestTheta: number[]; dv: number[]; score: number[]; pick: number };
  dopt: { gain: number[]; score: number[]; pick: number };
}

/** Column subset of pool rows. */
function rowsOf(X: Float64Array[], idx: readonly number[]): Float64Array[] {
  return X.map((col) => {
    const out = new Float64Array(idx.length);
    for (let i = 0; i < idx.length; i++) out[i] = col[idx[i]];
    return out;
  });
}

/** The law bound to the rows each acquisition function reads; build once per state. */
export interface PreparedState {
  state: AcquisitionState;
  prior: Float64Array;
  observed: BoundLaw;
  candidates: BoundLaw;
  target: BoundLaw;
}

function check(state: AcquisitionState): void {
  const { pool, selected, candidates, fits, fitMse, sigma2, law, totalCost } = state;
  const inPool = (i: number) => Number.isInteger(i) && i >= 0 && i < pool.n;
  if (selected.length === 0) throw new Error('the acquisition state needs at least one observed point');
  if (!selected.every(inPool)) throw new RangeError('a selected index is outside the pool');
  if (!candidates.every(inPool)) throw new RangeError('a candidate index is outside the pool');
  if (fits.length === 0) throw new Error('the acquisition state needs at least one fit');
  if (fits.length !== fitMse.length) throw new Error(`${fits.length} fits but ${fitMse.length} MSE values`);
  if (fits.some((t) => t.length !== law.params.length)) throw new Error(`every fit needs ${law.params.length} parameters`);
  if (!(sigma2 > 0 && Number.isFinite(sigma2))) throw new RangeError(`sigma2 must be finite and > 0, got ${sigma2}`);
  if (!(totalCost > 0 && Number.isFinite(totalCost))) throw new RangeError(`totalCost must be finite and > 0, got ${totalCost}`);
}

export function prepareState(state: AcquisitionState): PreparedState {
  check(state);
  const { law, pool, target } = state;
  return {
    state,
    prior: priorPrecision(law.bounds),
    observed: law.bind(rowsOf(pool.X, state.selected)),
    candidates: law.bind(rowsOf(pool.X, state.candidates)),
    target: law.bind(target.X),
  };
}

const asState = (s: AcquisitionState | PreparedState): PreparedState => ('observed' in s ? s : prepareState(s));

function linearised(p: PreparedState, theta: ArrayLike<number>): LinearisedFit {
  const { law, sigma2 } = p.state;
  const post = posterior(p.observed, law.outputs, theta, law.bounds, p.prior, sigma2, p.state.conditioning);
  return lineariseFit(post, law.outputs, p.candidates, p.target);
}

/** The lowest-MSE fit (the first of equals); V-opt and D-opt work from it alone. */
export function bestFit(state: AcquisitionState): number {
  let best = 0;
  state.fitMse.forEach((m, i) => {
    if (m < state.fitMse[best]) best = i;
  });
  return best;
}

/** MSPE's modes for this state: the good fits, clustered and weighted. */
export function stateModes(s: AcquisitionState | PreparedState): ModeSet {
  const p = asState(s);
  const { state } = p;
  const good = goodFits(state.fitMse, { rule: state.goodFitRule, ratio: state.goodFitRatio });
  const region = state.modeRegion === 'pool' ? state.law.bind(state.pool.X) : p.target;
  return buildModes({
    law: state.law,
    observed: p.observed,
    region,
    fits: good.map((i) => state.fits[i]),
    fitMse: good.map((i) => state.fitMse[i]),
    sigma2: state.sigma2,
    prior: p.prior,
    conditioning: state.conditioning,
  });
}

export interface MspeOptions {
  /** 'both' (MSPE), 'intra' (mspe-intra ablation) or 'inter' (mspe-inter ablation). */
  terms?: MspeTerms;
  /** Modes already built for this state (e.g. by `stateModes`); built here otherwise. */
  modes?: ModeSet;
  /** How the inter-mode integral evaluates densities; 'reference' (default) is the reference's arithmetic. */
  quadrature?: MspeQuadrature;
}

export interface MspeResult {
  modes: ModeSet;
  dvIntra: Float64Array;
  dvInter: Float64Array;
  score: Float64Array;
  /** Pool index of the pick; −1 with no candidates. */
  pick: number;
}

export function mspeScores(s: AcquisitionState | PreparedState, options: MspeOptions = {}): MspeResult {
  const p = asState(s);
  const { state } = p;
  const modes = options.modes ?? stateModes(p);
  const gains =
    state.candidates.length === 0
      ? { dvIntra: new Float64Array(0), dvInter: new Float64Array(0) }
      : mspeGains(
          modes.modes.map((m) => ({ weight: m.weight, fit: lineariseFit(m.posterior, state.law.outputs, p.candidates, p.target) })),
          state.sigma2,
          state.yRange ?? quadratureRange(state.pool.y),
          options.terms ?? 'both',
          options.quadrature ?? 'reference',
        );
  const total = new Float64Array(gains.dvIntra.length);
  for (let c = 0; c < total.length; c++) total[c] = gains.dvIntra[c] + gains.dvInter[c];
  const score = costPenalised(total, state.candidates, state.pool.cost, state.totalCost, MSPE_COST_EXPONENT);
  const at = argmax(score);
  return { modes, ...gains, score, pick: at < 0 ? -1 : state.candidates[at] };
}

export interface VoptResult {
  bestTheta: Float64Array;
  dv: Float64Array;
  score: Float64Array;
  pick: number;
}

export function voptScores(s: AcquisitionState | PreparedState): VoptResult {
  const p = asState(s);
  const { state } = p;
  const fit = linearised(p, state.fits[bestFit(state)]);
  const dv = varianceReduction(fit, state.sigma2);
  const score = costPenalised(dv, state.candidates, state.pool.cost, state.totalCost, VOPT_COST_EXPONENT);
  const at = argmax(score);
  return { bestTheta: fit.posterior.theta, dv, score, pick: at < 0 ? -1 : state.candidates[at] };
}

export interface DoptResult {
  gain: Float64Array;
  score: Float64Array;
  pick: number;
}

export function doptScores(s: AcquisitionState | PreparedState): DoptResult {
  const p = asState(s);
  const { state } = p;
  const fit = linearised(p, state.fits[bestFit(state)]);
  const gain = informationGain(fit, state.sigma2);
  const score = costPenalised(gain, state.candidates, state.pool.cost, state.totalCost, DOPT_COST_EXPONENT);
  const at = argmax(score);
  return { gain, score, pick: at < 0 ? -1 : state.candidates[at] };
}

export function scoreCandidates(state: AcquisitionState): AcquisitionScores {
  const p = prepareState(state);
  const m = mspeScores(p);
  const v = voptScores(p);
  const d = doptScores(p);
  return {
    modes: { thetas: m.modes.modes.map((x) => Array.from(x.theta)), weights: m.modes.modes.map((x) => x.weight) },
    mspe: { dvIntra: Array.from(m.dvIntra), dvInter: Array.from(m.dvInter), score: Array.from(m.score), pick: m.pick },
    vopt: { bestTheta: Array.from(v.bestTheta), dv: Array.from(v.dv), score: Array.from(v.score), pick: v.pick },
    dopt: { gain: Array.from(d.gain), score: Array.from(d.score), pick: d.pick },
  };
}
