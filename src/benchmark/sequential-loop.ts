/**
 * The sequential loop of the model-based methods (D-opt, V-opt, MSPE and its ablations), as the
 * reference runs it, per group: a cheapest-first initial design; a multistart fit; then, while
 * anything is affordable within the largest budget level, score the affordable candidates, run the
 * best one, and refit (warm-started from earlier best fits). The fit reported at a budget level is
 * the last one made within it. The level's score is one R² over all groups' target regions.
 * With `explore` ε > 0, each pick is, with probability ε, the cost-aware space-filling one instead.
 */
import type { GroupData } from '../data/dataset.js';
import type { MinimizeStatus } from '../fit/types.js';
import { finiteFits, LeastSquares, subset, type FitGradient, type FitterName } from '../fit/multistart.js';
import type { LossSpec } from '../fit/robust.js';
import { logUniformStarts } from '../fit/starts.js';
import type { Law } from '../laws/law.js';
import { noiseVariance } from '../select/fisher.js';
import { ABLATION_REFIT_RATIO, GOOD_FIT_RATIO, type GoodFitRule } from '../select/modes.js';
import { quadratureRange } from '../select/mspe.js';
import { doptScores, mspeScores, prepareState, voptScores, type AcquisitionState } from '../select/score.js';
import { spaceFillingPick, unitCube } from '../select/space-filling.js';
import type { GroupTrace, UnitOutcome, UnitSpec } from './budget-loop.js';
import { taskR2 } from './r2.js';
import { rngFor, type Rng } from '../random/seeds.js';

import { MODEL_METHODS, type ModelMethod } from './methods.js';

export { MODEL_METHODS, type ModelMethod };

/** The initial design: cheapest points, at most ⌊2.5·P / outputs⌋, within 2% of the total cost. */
export const INITIAL_POINTS_PER_PARAM = 2.5;
export const INITIAL_BUDGET_FRACTION = 0.02;
/** Warm starts kept from earlier best fits (the reference's protocol). */
export const WARM_POOL_SIZE = 30;
/** Random starts always left in a warm-started multistart fit: at most max(n − 16, n/2) warm ones. */
export const RANDOM_STARTS_KEPT = 16;
/**
 * Under `trf`, a refit starts from the previous fit's good optima, those within GOOD_FIT_RATIO of
 * its best (the ones MSPE's modes can use; one added row moves each a little, so each converges in
 * a few steps), plus this fraction of the restarts drawn at random (at least one), which keep
 * looking for optima not yet found. The first fit draws all its starts.
 */
export const TRACKED_RANDOM_FRACTION = 0.25;

export interface SequentialConfig {
  method: ModelMethod;
  restarts: number;
  fitter: FitterName;
  gradient: FitGradient;
  /** Robust loss of every fit (default l2). */
  loss?: LossSpec;
  /** ε: the chance that a pick is the space-filling one rather than the acquisition's (default 0). */
  explore?: number;
  /**
   * Called once per group and budget level with the state of the fit that level reports (its
   * multistart fits, the rows they were fitted on, σ²); no candidates. For studies of what the
   * reported model says, e.g. the coverage of its target intervals.
   */
  observeLevel?: (event: LevelEvent) => void;
}

export interface LevelEvent {
  group: GroupData;
  /** Index into the task's budget levels, in increasing order. */
  level: number;
  state: AcquisitionState;
}

export function initialDesign(group: GroupData, params: number, outputs: number): number[] {
  const order = Array.from({ length: group.pool.n }, (_, i) => i).sort((a, b) => group.pool.cost[a] - group.pool.cost[b] || a - b);
  const want = Math.floor((INITIAL_POINTS_PER_PARAM * params) / outputs);
  const limit = INITIAL_BUDGET_FRACTION * group.totalCost;
  const chosen = [order[0]];
  let spent = group.pool.cost[order[0]];
  for (const i of order.slice(1)) {
    if (chosen.length >= want) break;
    if (spent + group.pool.cost[i] <= limit) {
      chosen.push(i);
      spent += group.pool.cost[i];
    }
  }
  return chosen;
}

/** np.allclose's rule, which MSPE uses to keep its warm pool free of repeats. */
function allClose(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  for (let j = 0; j < a.length; j++) if (!(Math.abs(a[j] - b[j]) <= 1e-8 + 1e-5 * Math.abs(b[j]))) return false;
  return true;
}

export interface Fits {
  thetas: Float64Array[];
  mse: number[];
  status: MinimizeStatus[];
  best: number;
  /** The problem they were fitted on, kept to polish the best fit when a level reports it. */
  problem?: LeastSquares;
}

/** Under the reference protocol MSPE keeps the reference's arithmetic; converged fits score by the recurrence. */
function acquisitionPick(method: ModelMethod, state: AcquisitionState, fitter: FitterName): number {
  const prepared = prepareState(state);
  if (method === 'd-opt') return doptScores(prepared).pick;
  if (method === 'v-opt') return voptScores(prepared).pick;
  const terms = method === 'mspe' ? 'both' : method === 'mspe-intra' ? 'intra' : 'inter';
  return mspeScores(prepared, { terms, quadrature: fitter === 'trf' ? 'recurrence' : 'reference' }).pick;
}

/**
 * Starts of a refit. The reference's: its oldest warm starts, then random ones up to n. Under `trf`
 * (`tracked`, the previous fit): its good optima best first, then ⌈n/4⌉ random starts.
 */
export function refitStarts(law: Law, n: number, warm: readonly Float64Array[], tracked: Fits | null, rng: Rng): { starts: Float64Array[]; tracked: number } {
  if (tracked) {
    const random = Math.max(1, Math.ceil(TRACKED_RANDOM_FRACTION * n));
    const good = GOOD_FIT_RATIO * tracked.mse[tracked.best];
    const order = tracked.mse
      .map((_, i) => i)
      .filter((i) => tracked.mse[i] <= good)
      .sort((a, b) => tracked.mse[a] - tracked.mse[b] || a - b);
    const starts = order.slice(0, Math.max(0, n - random)).map((i) => Float64Array.from(tracked.thetas[i]));
    return { starts: [...starts, ...logUniformStarts(law.bounds, random, rng)], tracked: starts.length };
  }
  const maxWarm = Math.max(n - RANDOM_STARTS_KEPT, Math.floor(n / 2));
  const starts = warm.slice(0, maxWarm).map((t) => Float64Array.from(t));
  return { starts: [...starts, ...logUniformStarts(law.bounds, Math.max(0, n - starts.length), rng)], tracked: 0 };
}

/**
 * A multistart fit on `rows`. Under trf its best fit is not polished here: the next refit tracks it
 * anyway, and `settled` polishes it only if a level reports it.
 */
function multistart(
  law: Law,
  group: GroupData,
  rows: number[],
  { starts, tracked }: { starts: Float64Array[]; tracked: number },
  config: SequentialConfig,
): Fits {
  const { X, y } = subset(group.pool.X, group.pool.y, law.outputs, rows);
  const problem = new LeastSquares(law, X, y, { fitter: config.fitter, gradient: config.gradient, objective: 'mse', loss: config.loss });
  // failed starts (non-finite values) take no part in modes, σ² or the best fit
  return { ...finiteFits(problem.fit(starts, { tracked, polish: false })), problem };
}

/** The fits with their best run on to convergence where `LeastSquares.polish` says it needs it. */
function settled(f: Fits): Fits {
  if (!f.problem || f.best < 0) return f;
  const best = { theta: f.thetas[f.best], loss: f.mse[f.best], status: f.status[f.best] };
  const polished = f.problem.polish(best);
  if (polished === best) return f;
  const at = <T>(xs: readonly T[], x: T) => xs.map((v, i) => (i === f.best ? x : v));
  return { ...f, thetas: at(f.thetas, polished.theta), mse: at(f.mse, polished.loss), status: at(f.status, polished.status) };
}

interface GroupRun {
  /** θ reported at each level (null: no usable fit). */
  levelThetas: (Float64Array | null)[];
  trace: GroupTrace;
  /** Pool indices chosen by the space-filling move, in order. */
  explored: number[];
  note?: string;
}

/**
 * `coin` decides which picks explore; it is its own random stream, and null for ε = 0, so that
 * exploring never shifts the fits' random starts and ε = 0 is the loop without exploration.
 */
function runGroup(law: Law, group: GroupData, budgets: readonly number[], config: SequentialConfig, rng: Rng, coin: Rng | null): GroupRun {
  const levels = [...budgets].sort((a, b) => a - b);
  const total = group.totalCost;
  const cap = levels[levels.length - 1] * total;
  const ablation = config.method === 'mspe-intra' || config.method === 'mspe-inter';
  const levelThetas: (Float64Array | null)[] = levels.map(() => null);
  const spentAt: number[] = levels.map(() => 0);
  let nextLevel = 0;
  // the ablation scripts close a level only once the spend is strictly past it
  const passed = (frac: number) => nextLevel < levels.length && (ablation ? frac > levels[nextLevel] : frac >= levels[nextLevel]);

  const selected = initialDesign(group, law.params.length, law.outputs);
  // the reference floors MSPE's y grid at 0; converged runs do not (see quadratureRange)
  const yRange = quadratureRange(group.pool.y, config.fitter !== 'trf');
  const acquisition = (f: Fits, rows: readonly number[], candidates: readonly number[], rule: GoodFitRule): AcquisitionState => ({
    law,
    pool: group.pool,
    target: group.target,
    selected: rows,
    candidates,
    fits: f.thetas.map((t) => Array.from(t)),
    fitMse: f.mse,
    sigma2: noiseVariance(f.mse[f.best], rows.length, group.pool.y),
    totalCost: total,
    goodFitRule: rule,
    goodFitRatio: ablation && rule === 'refit' ? ABLATION_REFIT_RATIO : GOOD_FIT_RATIO,
    modeRegion: ablation && rule === 'initial' ? 'pool' : 'target',
    yRange,
  });
  /** The next level reports fit `f` (settled), made on the first `fittedOn` rows, when `spentThen` was spent. */
  const record = (f: Fits, fittedOn: number, rule: GoodFitRule, spentThen: number) => {
    config.observeLevel?.({ group, level: nextLevel, state: acquisition(f, selected.slice(0, fittedOn), [], rule) });
    levelThetas[nextLevel] = f.thetas[f.best];
    spentAt[nextLevel++] = spentThen;
  };
  let spent = selected.reduce((s, i) => s + group.pool.cost[i], 0);
  const available = new Set(Array.from({ length: group.pool.n }, (_, i) => i).filter((i) => !selected.includes(i)));
  let fits = multistart(law, group, selected, refitStarts(law, config.restarts, [], null, rng), config);
  if (fits.best < 0) {
    return {
      levelThetas,
      trace: { chosen: selected, spent: levels.map(() => spent), fitted: levels.map(() => false) },
      explored: [],
      note: `every start of the fit on the initial design failed in group ${group.name}`,
    };
  }
  let bestTheta = fits.thetas[fits.best];
  let rule: GoodFitRule = 'initial';
  const warm: Float64Array[] = [bestTheta];
  let fittedOn = selected.length;
  const explore = config.explore ?? 0;
  const unit = coin ? unitCube(group.pool.X, group.pool.n) : null;
  const explored: number[] = [];
  if (passed(spent / total)) fits = settled(fits);
  while (passed(spent / total)) record(fits, fittedOn, rule, spent);

  while (spent < cap) {
    const candidates = [...available].filter((i) => group.pool.cost[i] + spent <= cap).sort((a, b) => a - b);
    if (candidates.length === 0) break;
    const exploring = coin !== null && coin() < explore;
    const pick = exploring
      ? spaceFillingPick(unit!, selected, candidates, group.pool.cost, total)
      : acquisitionPick(config.method, acquisition(fits, selected, candidates, rule), config.fitter);
    if (pick < 0) break;
    if (exploring) explored.push(pick);
    selected.push(pick);
    available.delete(pick);
    spent += group.pool.cost[pick];

    const refit = multistart(law, group, selected, refitStarts(law, config.restarts, warm, config.fitter === 'trf' ? fits : null, rng), config);
    if (refit.best < 0) break; // keep the last usable fit; the levels still open report it
    const before = { fits, fittedOn, rule };
    fits = refit;
    fittedOn = selected.length;
    rule = 'refit';
    bestTheta = fits.thetas[fits.best];
    const dedupe = config.method !== 'd-opt' && config.method !== 'v-opt';
    if (!dedupe || !warm.some((w) => allClose(bestTheta, w))) warm.push(bestTheta);
    if (warm.length > WARM_POOL_SIZE) warm.splice(0, warm.length - WARM_POOL_SIZE);

    // a level passed by this point reports the fit made before it
    const reported = passed(spent / total) ? settled(before.fits) : before.fits;
    while (passed(spent / total)) record(reported, before.fittedOn, before.rule, spent - group.pool.cost[pick]);
  }
  // the levels still open report the last usable fit
  if (nextLevel < levels.length) fits = settled(fits);
  while (nextLevel < levels.length) record(fits, fittedOn, rule, spent);
  return { levelThetas, trace: { chosen: [...selected], spent: spentAt, fitted: levelThetas.map((t) => t !== null) }, explored };
}

export function runSequential(spec: UnitSpec, config: SequentialConfig): UnitOutcome & { notes: string[]; explored: Record<string, number[]> } {
  const { data, law } = spec;
  const explore = config.explore ?? 0;
  if (!(explore >= 0 && explore <= 1)) throw new RangeError(`explore ${explore}: must be in [0, 1]`);
  const runs = data.groups.map((group) =>
    runGroup(
      law,
      group,
      data.task.budgets,
      config,
      rngFor([...spec.seedPath, group.name]),
      explore > 0 ? rngFor([...spec.seedPath, group.name, 'explore']) : null,
    ),
  );
  const groups: Record<string, GroupTrace> = {};
  const explored: Record<string, number[]> = {};
  runs.forEach((r, k) => {
    groups[data.groups[k].name] = r.trace;
    explored[data.groups[k].name] = r.explored;
  });
  const r2 = data.task.budgets.map((_, b) =>
    taskR2(
      law,
      data.groups,
      runs.map((r) => r.levelThetas[b]),
    ),
  );
  return { r2, groups, notes: runs.flatMap((r) => (r.note ? [r.note] : [])), explored };
}
