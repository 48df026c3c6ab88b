/**
 * One unit of work (one law × one repeat of one method on one task) from start to result record.
 * Pure: same inputs, same record — whichever worker runs it.
 */
import type { TaskData } from '../data/dataset.js';
import { lawOf } from '../data/task.js';
import { LeastSquares, subset, type FitGradient, type FitterName } from '../fit/multistart.js';
import type { LossSpec } from '../fit/robust.js';
import { logUniformStarts, uniformStarts } from '../fit/starts.js';
import type { Law } from '../laws/law.js';
import { cheapestSelector } from '../select/cheapest.js';
import { costRandSelector } from '../select/cost-rand.js';
import { randomSelector } from '../select/random.js';
import type { Selector } from '../select/selector.js';
import { runBudgetLoop, type GroupPolicy, type GroupTrace, type PolicyContext, type UnitOutcome } from './budget-loop.js';
import { MODEL_METHODS, runSequential, type ModelMethod } from './sequential-loop.js';
import { taskR2 } from './r2.js';
import { hashSeed, rngFor } from '../random/seeds.js';
import { exploreProblem, METHOD_ALIASES, METHODS, type Method } from './methods.js';

export { exploreProblem, METHOD_ALIASES, METHODS, type Method };
type Baseline = 'random' | 'cheapest' | 'cost-rand';

export interface UnitConfig {
  method: Method;
  seed: number;
  restarts: number;
  fitter: FitterName;
  gradient: FitGradient;
  /** Robust loss of every fit; default l2. */
  loss?: LossSpec;
  /** Model-based methods: the chance that a pick is the space-filling one (default 0). */
  explore?: number;
}

export interface UnitRecord {
  law: string;
  repeat: number;
  /** The unit's own seed, derived from (seed, task, law, repeat). */
  seed: number;
  r2: number[];
  groups: Record<string, GroupTrace>;
  /** With explore > 0: per group, the pool indices the space-filling move chose. */
  explored?: Record<string, number[]>;
  /** Why a level has no usable fit, when some level has none. */
  note?: string;
  wallSeconds: number;
  /** The active-sl version that ran the unit (absent from lines that earlier builds wrote). */
  version?: string;
}

const SELECTORS: Readonly<Record<Baseline, Selector>> = {
  random: randomSelector,
  cheapest: cheapestSelector,
  'cost-rand': costRandSelector,
};

/** Baselines: the selector chooses; at each level a fresh multistart fit on Σ r², starts uniform in the box. */
function baselinePolicy(selector: Selector, config: UnitConfig) {
  return ({ law, group, rng, seedPath }: PolicyContext): GroupPolicy => {
    // The reference draws a level's starts from the stream its random picks and tie-breaks come
    // from, so the number of starts moves the design. Converged runs keep the two apart: the
    // design of a unit is the same whatever --restarts is.
    const starts = config.fitter === 'trf' ? rngFor([...seedPath, 'starts']) : rng;
    return {
      propose: (state) => selector.propose(state),
      fitAtLevel: (state) => {
        const { X, y } = subset(group.pool.X, group.pool.y, law.outputs, state.observed);
        const problem = new LeastSquares(law, X, y, { fitter: config.fitter, gradient: config.gradient, objective: 'sse', loss: config.loss });
        const result = problem.fit(uniformStarts(law.bounds, config.restarts, starts));
        return result.best < 0 ? null : result.fits[result.best].theta;
      },
    };
  };
}

/** All data: one multistart fit (Σ r² / n, log-uniform starts) on the whole pool, reported at every level. */
function allData(data: TaskData, law: Law, seedPath: readonly (string | number)[], config: UnitConfig): UnitOutcome {
  const groups: Record<string, GroupTrace> = {};
  const thetas = data.groups.map((group) => {
    const rng = rngFor([...seedPath, group.name]);
    const problem = new LeastSquares(law, group.pool.X, group.pool.y, {
      fitter: config.fitter,
      gradient: config.gradient,
      objective: 'mse',
      loss: config.loss,
    });
    const result = problem.fit(logUniformStarts(law.bounds, config.restarts, rng));
    const theta = result.best < 0 ? null : result.fits[result.best].theta;
    const levels = data.task.budgets.length;
    groups[group.name] = {
      chosen: Array.from({ length: group.pool.n }, (_, i) => i),
      spent: new Array<number>(levels).fill(group.totalCost),
      fitted: new Array<boolean>(levels).fill(theta !== null),
    };
    return theta;
  });
  const r2 = taskR2(law, data.groups, thetas);
  return { r2: data.task.budgets.map(() => r2), groups };
}

export function unitSeed(seed: number, task: string, law: string, repeat: number): number {
  return hashSeed([seed, task, law, repeat]);
}

export function runUnit(data: TaskData, lawId: string, repeat: number, config: UnitConfig): UnitRecord {
  const started = performance.now();
  const law = lawOf(data.task, lawId);
  const seed = unitSeed(config.seed, data.task.name, lawId, repeat);
  const seedPath = [seed];
  const method = config.method;
  const notes: string[] = [];
  let explored: Record<string, number[]> | undefined;
  let outcome: UnitOutcome;
  if (method === 'all-data') outcome = allData(data, law, seedPath, config);
  else if ((MODEL_METHODS as readonly string[]).includes(method)) {
    const seq = runSequential(
      { data, law, seedPath },
      {
        method: method as ModelMethod,
        restarts: config.restarts,
        fitter: config.fitter,
        gradient: config.gradient,
        loss: config.loss,
        explore: config.explore,
      },
    );
    notes.push(...seq.notes);
    if ((config.explore ?? 0) > 0) explored = seq.explored;
    outcome = seq;
  } else outcome = runBudgetLoop({ data, law, seedPath }, baselinePolicy(SELECTORS[method as Baseline], config));
  const unfit = Object.entries(outcome.groups).filter(([, t]) => t.fitted.some((f) => !f));
  const record: UnitRecord = { law: lawId, repeat, seed, r2: outcome.r2, groups: outcome.groups, ...(explored ? { explored } : {}), wallSeconds: 0 };
  if (unfit.length) {
    notes.push(
      `no usable fit at some level for group(s) ${unfit.map(([g]) => g).join(', ')} (no point affordable yet, or every start failed); such a group is left out of R², and a level with none scores -1`,
    );
  }
  if (notes.length) record.note = notes.join('; ');
  record.wallSeconds = +((performance.now() - started) / 1000).toFixed(3);
  return record;
}
