/**
 * The practitioner's loop, one step: given the runs done so far, which candidates to run next
 * (MSPE, V-opt or D-opt scores, a greedy batch), what the law currently predicts in the target
 * region, and whether that prediction is already tight enough to stop.
 */
import { lawOf, type TaskSpec } from '../data/task.js';
import type { FitterName } from '../fit/multistart.js';
import type { LossSpec } from '../fit/robust.js';
import type { Law } from '../laws/law.js';
import { checkLawFits, type LawFitsReport } from './alarm.js';
import { bestFit, doptScores, mspeScores, prepareState, voptScores, type PreparedState } from '../select/score.js';
import type { PracticeData, PracticeGroup } from './data.js';
import {
  acquisitionState,
  checkConvergence,
  forecast,
  freshFit,
  multistartFit,
  observedCosts,
  parameterIntervals,
  PracticeError,
  PRACTICE_FITTER,
  targetRegion,
  type Convergence,
  type Fits,
  type Forecast,
  type Observations,
  type ParameterEstimate,
  type TargetInterval,
  type TargetRegion,
} from './model.js';
import { matchToPool, observedInGroup, sameConfiguration, type ObservedRuns } from './observed.js';
import { figure } from '../text/figure.js';

export const SUGGEST_METHODS = ['mspe', 'v-opt', 'd-opt'] as const;
export type SuggestMethod = (typeof SUGGEST_METHODS)[number];

/** Warm starts of each kriging-believer refit: the believer point moves the fit only a little. */
export const BELIEVER_STARTS = 8;

export interface ModelOptions {
  task: TaskSpec;
  data: PracticeData;
  observed: ObservedRuns;
  /** Default: the task's first law. */
  lawId?: string;
  /** Default: the first group (by name) of a grouped task. */
  group?: string;
  restarts?: number;
  seed?: number;
  /** Robust loss of the fits; default l2. */
  loss?: LossSpec;
  /** Default PRACTICE_FITTER. */
  fitter?: FitterName;
  /** Run-to-run sd of the target at one configuration, if known: the law-fits check tests the residuals against it. */
  noiseSd?: number;
}

export interface SuggestOptions extends ModelOptions {
  method?: SuggestMethod;
  /** Runs to suggest now; each is chosen as if the earlier ones had returned their predicted value. */
  batch?: number;
  /** Cost left: every suggestion, and the batch in total, must fit in it. */
  budget?: number;
  /** `stop` is true once the target uncertainty is below this. */
  stopBelow?: number;
}

export interface Suggestion {
  /** Row index (0-based) in the candidate pool file. */
  row: number;
  features: Record<string, number>;
  cost: number;
  score: number;
}

export interface SuggestResult {
  suggestions: Suggestion[];
  /** `byTarget`: with several targets, every target's forecast row by row (`predictions` is the first's). */
  target: {
    predictions: { features: Record<string, number>; mean: number; lo90: number; hi90: number }[];
    uncertainty: number;
    byTarget?: Record<string, TargetInterval[]>;
  };
  stop: boolean;
  /** Whether the fitted law describes the observed runs (see alarm.ts). */
  lawFits: LawFitsReport;
  /** Whether the fit behind all of it reached its optimum (see `checkConvergence`). */
  convergence: Convergence;
}

/** The fitted state of one group, shared by `suggest` and `fitLaw`. */
export interface FittedModel {
  law: Law;
  group: PracticeGroup;
  obs: Observations;
  /** Pool indices (within the group) already run, with every row that repeats their features. */
  run: Set<number>;
  /** Per pool row, the rows with its feature values (see `sameConfiguration`). */
  same: number[][];
  fits: Fits;
  /** What the forecast reads: σ² from the residuals once there are more runs than parameters. */
  forecast: Forecast;
  target: TargetRegion;
  lawFits: LawFitsReport;
  convergence: Convergence;
}

function pickGroup(data: PracticeData, name: string | undefined): PracticeGroup {
  if (name === undefined) return data.groups[0];
  const g = data.groups.find((x) => x.name === name);
  if (!g) throw new PracticeError(`no group '${name}'; groups with candidates and targets: ${data.groups.map((x) => x.name).join(', ')}`);
  return g;
}

export function fitModel(options: ModelOptions): FittedModel {
  const { task, data, restarts = 64, seed = 0 } = options;
  const lawId = options.lawId ?? Object.keys(task.laws)[0];
  const law = lawOf(task, lawId);
  const group = pickGroup(data, options.group);
  const mine = observedInGroup(options.observed, group.name);
  if (mine.n === 0) throw new PracticeError(`${options.observed.file}: no observed runs in group '${group.name}'`);
  const match = matchToPool(mine, group.pool);
  const same = sameConfiguration(group.pool);
  const run = new Set<number>();
  for (const p of match) if (p >= 0) for (const q of same[p]) run.add(q);
  const obs: Observations = { X: mine.X, y: mine.y, n: mine.n };
  const fits = freshFit(
    law,
    obs,
    restarts,
    [seed, task.name, lawId, group.name, 'practice'],
    options.loss,
    options.fitter,
    (i) => `data row ${mine.rows[i] + 1} of ${options.observed.file}`,
  );
  const convergence = checkConvergence(law, obs, fits, options.loss, options.fitter ?? PRACTICE_FITTER);
  const f = forecast(law, obs, fits, acquisitionState(law, group, obs, fits, []));
  const target = targetRegion(f.prepared, f.modes, task.features, group.target.rows, f.noise.quantile, task.targets);
  const cost = observedCosts(task, mine.X, match, group.pool.cost);
  const lawFits = checkLawFits(law, obs.X, obs.y, fits.thetas[fits.best], cost, {
    runNames: mine.rows.map((r) => `observed row ${r + 1}`),
    sigma2: options.noiseSd === undefined ? undefined : options.noiseSd ** 2,
  });
  return { law, group, obs, run, same, fits, forecast: f, target, lawFits, convergence };
}

function scoresFor(method: SuggestMethod, prepared: PreparedState): Float64Array {
  if (method === 'v-opt') return voptScores(prepared).score;
  if (method === 'd-opt') return doptScores(prepared).score;
  // a campaign of one's own needs no bit-parity with the reference: the recurrence, whatever the fitter
  return mspeScores(prepared, { quadrature: 'recurrence' }).score;
}

function affordable(model: FittedModel, exclude: ReadonlySet<number>, left: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < model.group.pool.n; i++) if (!exclude.has(i) && model.group.pool.cost[i] <= left) out.push(i);
  return out;
}

export interface Ranked {
  /** Pool index within the group. */
  index: number;
  score: number;
}

/** Every affordable, not-yet-run candidate with its score, best first (ties: pool order). */
export function rankCandidates(model: FittedModel, method: SuggestMethod, budget = Infinity): Ranked[] {
  const candidates = affordable(model, model.run, budget);
  if (candidates.length === 0) return [];
  const state = acquisitionState(model.law, model.group, model.obs, model.fits, candidates);
  const score = scoresFor(method, prepareState(state));
  return candidates
    .map((index, c) => ({ index, score: score[c] }))
    .sort((a, b) => (Number.isNaN(a.score) ? 1 : Number.isNaN(b.score) ? -1 : b.score - a.score || a.index - b.index));
}

function checkOptions(o: SuggestOptions): void {
  const batch = o.batch ?? 1;
  if (!Number.isSafeInteger(batch) || batch < 1) throw new PracticeError(`batch ${batch}: must be a whole number ≥ 1`);
  if (o.method !== undefined && !SUGGEST_METHODS.includes(o.method)) {
    throw new PracticeError(`method ${String(o.method)}: choose from ${SUGGEST_METHODS.join(', ')}`);
  }
  if (o.budget !== undefined && !(o.budget >= 0)) throw new PracticeError(`budget ${o.budget}: must be a number ≥ 0`);
  if (o.stopBelow !== undefined && !(o.stopBelow > 0)) throw new PracticeError(`stop-below ${o.stopBelow}: must be a number > 0`);
}

function featuresOf(task: TaskSpec, X: Float64Array[], i: number): Record<string, number> {
  const out: Record<string, number> = {};
  task.features.forEach((f, k) => {
    out[f] = X[k][i];
  });
  return out;
}

/**
 * Greedy batch by kriging believer: after each pick the best fit's prediction there is appended
 * as if observed, the law is refitted from the current fits (no fresh random starts: the believer
 * point agrees with the best fit, so it stays a minimum) and the rest are rescored. The target
 * region is reported from the fit on the real observations only: believed values would shrink it
 * without evidence.
 */
export function suggest(options: SuggestOptions): SuggestResult {
  checkOptions(options);
  const { task } = options;
  const method = options.method ?? 'mspe';
  const batch = options.batch ?? 1;
  const model = fitModel(options);
  const { law, group } = model;
  const O = law.outputs;
  const budget = options.budget ?? Infinity;
  const open = affordable(model, model.run, budget);
  const remaining = affordable(model, model.run, Infinity);
  if (open.length === 0 && remaining.length > 0) {
    let cheapest = Infinity;
    for (const i of remaining) cheapest = Math.min(cheapest, group.pool.cost[i]);
    throw new PracticeError(`budget ${options.budget} is below the cost of every remaining candidate (the cheapest costs ${figure(cheapest)})`);
  }

  const suggestions: Suggestion[] = [];
  const taken = new Set(model.run);
  let left = budget;
  let obs = model.obs;
  let fits = model.fits;
  for (let k = 0; k < batch; k++) {
    const candidates = affordable(model, taken, left);
    if (candidates.length === 0) break;
    const prepared = prepareState(acquisitionState(law, group, obs, fits, candidates));
    const score = scoresFor(method, prepared);
    let at = -1;
    for (let c = 0; c < score.length; c++) if (!Number.isNaN(score[c]) && (at < 0 || score[c] > score[at])) at = c;
    if (at < 0) break;
    const pick = candidates[at];
    suggestions.push({ row: group.pool.rows[pick], features: featuresOf(task, group.pool.X, pick), cost: group.pool.cost[pick], score: score[at] });
    for (const q of model.same[pick]) taken.add(q);
    left -= group.pool.cost[pick];
    if (k === batch - 1) break;

    const best = fits.thetas[bestFit(prepared.state)];
    const pred = new Float64Array(O);
    law.bind(group.pool.X.map((col) => Float64Array.of(col[pick]))).value(best, pred);
    const X = obs.X.map((col, f) => {
      const out = new Float64Array(obs.n + 1);
      out.set(col);
      out[obs.n] = group.pool.X[f][pick];
      return out;
    });
    const y = new Float64Array((obs.n + 1) * O);
    y.set(obs.y);
    y.set(pred, obs.n * O);
    obs = { X, y, n: obs.n + 1 };
    const order = fits.mse.map((_, i) => i).sort((a, b) => fits.mse[a] - fits.mse[b]);
    const refit = multistartFit(
      law,
      obs,
      order.slice(0, BELIEVER_STARTS).map((i) => fits.thetas[i]),
      options.loss,
      options.fitter,
    );
    if (refit.best >= 0) fits = refit;
  }
  const uncertainty = model.target.uncertainty;
  return {
    suggestions,
    target: {
      predictions: model.target.predictions.map((p) => ({ features: p.features, mean: p.mean, lo90: p.lo90, hi90: p.hi90 })),
      uncertainty,
      ...(model.target.byTarget ? { byTarget: model.target.byTarget } : {}),
    },
    stop: options.stopBelow !== undefined ? uncertainty < options.stopBelow : false,
    lawFits: model.lawFits,
    convergence: model.convergence,
  };
}

export interface FitResult {
  law: string;
  group: string;
  observed: number;
  mse: number;
  sigma2: number;
  /** How σ² was estimated: from the residuals (dof = n·outputs − P ≥ P) or the prior. */
  noise: { rule: Forecast['noise']['rule']; dof: number };
  modes: { weight: number; parameters: ParameterEstimate[] }[];
  parameters: ParameterEstimate[];
  target: SuggestResult['target'];
  lawFits: LawFitsReport;
  convergence: Convergence;
}

/** The fitted law: parameters with 90% intervals from the heaviest mode, and the target region. */
export function fitLaw(options: ModelOptions): FitResult {
  const model = fitModel(options);
  const modes = model.forecast.modes.modes.map((m) => ({ weight: m.weight, parameters: parameterIntervals(model.law, m, model.forecast.noise.quantile) }));
  let top = 0;
  modes.forEach((m, i) => {
    if (m.weight > modes[top].weight) top = i;
  });
  return {
    law: model.law.id,
    group: model.group.name,
    observed: model.obs.n,
    mse: model.fits.mse[model.fits.best],
    sigma2: model.forecast.noise.sigma2,
    noise: { rule: model.forecast.noise.rule, dof: model.forecast.noise.dof },
    modes,
    parameters: modes[top].parameters,
    target: {
      predictions: model.target.predictions.map((p) => ({ features: p.features, mean: p.mean, lo90: p.lo90, hi90: p.hi90 })),
      uncertainty: model.target.uncertainty,
      ...(model.target.byTarget ? { byTarget: model.target.byTarget } : {}),
    },
    lawFits: model.lawFits,
    convergence: model.convergence,
  };
}
