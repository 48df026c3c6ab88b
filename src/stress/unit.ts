/**
 * One unit of the stress suite: one method variant on one synthetic scenario (one noise draw), run
 * by the benchmark's own unit, then, at every budget level, what a practitioner would be told
 * after exactly those runs: `fit`'s 90% target intervals (do they cover a fresh run there?) and
 * the misspecification alarm (does it fire?).
 */
import type { FitterName } from '../fit/multistart.js';
import type { TaskData } from '../data/dataset.js';
import { lawOf } from '../data/task.js';
import { runUnit, type Method, type UnitConfig } from '../benchmark/unit.js';
import type { LossSpec } from '../fit/robust.js';
import { checkLawFits } from '../campaign/alarm.js';
import { acquisitionState, forecast, freshFit, PracticeError, targetRegion, type Observations } from '../campaign/model.js';

export interface StressVariant {
  /** How tables name it: the method, plus `+loss(f)` or `+explore(ε)` when not the default. */
  label: string;
  method: Method;
  loss?: LossSpec;
  explore?: number;
}

export interface StressJob {
  scenario: string;
  noise: string;
  /** Noise draw and unit repeat at once: draw k is scored with repeat k. */
  repeat: number;
  variant: StressVariant;
  data: TaskData;
  law: string;
  /** One simulated run at each target row (truth + noise): what the 90% intervals must cover. */
  observedTarget: Float64Array;
  seed: number;
  restarts: number;
  fitter: FitterName;
}

export interface StressRecord {
  scenario: string;
  noise: string;
  repeat: number;
  variant: string;
  /** Target-region R² against the noiseless truth, per budget level. */
  r2: number[];
  /** Runs observed at each level. */
  observed: number[];
  /** Share of target rows whose simulated run falls inside `fit`'s 90% interval; null: no fit. */
  coverage: (number | null)[];
  /** Whether the alarm fired at each level; null when there were too few runs to check. */
  alarm: (boolean | null)[];
  /** The alarm's reason at the last level, for reading a few units by eye. */
  why: string;
  wallSeconds: number;
}

/** Rows run by the end of a level: the longest prefix of the chosen order that the level's spend paid for. */
export function observedPrefix(chosen: readonly number[], cost: Float64Array, spent: number): number[] {
  const rows: number[] = [];
  let sum = 0;
  for (const i of chosen) {
    sum += cost[i];
    // relative slack: the spend was accumulated in another order of additions
    if (sum > spent * (1 + 1e-12) + 1e-300) break;
    rows.push(i);
  }
  return rows;
}

function observations(data: TaskData, rows: readonly number[]): Observations & { cost: Float64Array } {
  const pool = data.groups[0].pool;
  const O = data.outputs;
  const y = new Float64Array(rows.length * O);
  rows.forEach((r, k) => {
    for (let o = 0; o < O; o++) y[k * O + o] = pool.y[r * O + o];
  });
  return {
    X: pool.X.map((col) => Float64Array.from(rows, (r) => col[r])),
    y,
    n: rows.length,
    cost: Float64Array.from(rows, (r) => pool.cost[r]),
  };
}

export function runStressUnit(job: StressJob): StressRecord {
  const started = performance.now();
  const { data, variant } = job;
  if (data.groups.length !== 1) throw new Error(`stress scenarios have one group; ${data.task.name} has ${data.groups.length}`);
  const group = data.groups[0];
  const law = lawOf(data.task, job.law);
  const config: UnitConfig = {
    method: variant.method,
    seed: job.seed,
    restarts: job.restarts,
    fitter: job.fitter,
    gradient: 'exact',
    ...(variant.loss ? { loss: variant.loss } : {}),
    ...(variant.explore ? { explore: variant.explore } : {}),
  };
  const unit = runUnit(data, job.law, job.repeat, config);
  const trace = unit.groups[group.name];
  const coverage: (number | null)[] = [];
  const alarm: (boolean | null)[] = [];
  const observed: number[] = [];
  let why = '';
  trace.spent.forEach((spent, level) => {
    const rows = variant.method === 'all-data' ? trace.chosen : observedPrefix(trace.chosen, group.pool.cost, spent);
    observed.push(rows.length);
    const obs = observations(data, rows);
    if (obs.n === 0) {
      coverage.push(null);
      alarm.push(null);
      why = 'no runs yet';
      return;
    }
    let fits;
    let state;
    // what `fit` refuses (one run, or runs whose losses do not vary) has no interval to score
    try {
      fits = freshFit(law, obs, job.restarts, [unit.seed, 'stress-fit', level], variant.loss, job.fitter);
      state = acquisitionState(law, group, obs, fits, []);
    } catch (e) {
      if (!(e instanceof PracticeError)) throw e;
      coverage.push(null);
      alarm.push(null);
      why = e.message;
      return;
    }
    const f = forecast(law, obs, fits, state);
    const region = targetRegion(f.prepared, f.modes, data.task.features, group.target.rows, f.noise.quantile);
    let inside = 0;
    region.predictions.forEach((p, t) => {
      const v = job.observedTarget[t];
      if (v >= p.lo90 && v <= p.hi90) inside += 1;
    });
    coverage.push(region.predictions.length ? inside / region.predictions.length : null);
    const check = checkLawFits(law, obs.X, obs.y, fits.thetas[fits.best], obs.cost);
    alarm.push(check.checked ? !check.ok : null);
    why = check.why;
  });
  return {
    scenario: job.scenario,
    noise: job.noise,
    repeat: job.repeat,
    variant: variant.label,
    r2: unit.r2,
    observed,
    coverage,
    alarm,
    why,
    wallSeconds: +((performance.now() - started) / 1000).toFixed(3),
  };
}
