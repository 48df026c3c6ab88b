/**
 * The campaign's numbers, computed from a snapshot of the runs and the pending leases: the fit of
 * each group (as `active-sl suggest` and `fit` make it), its target-region forecast and law-fits
 * check, the next batch, and how the forecast band narrowed run by run. Fits are cached by what
 * they read (the group's first k runs of one generation of the file), so a question asked again
 * costs nothing and a new run costs one fit. Runs on the server's compute thread (compute-worker.ts).
 */
import {
  acquisitionState,
  PracticeError,
  multistartFit,
  parameterIntervals,
  type Convergence,
  type Fits,
  type Observations,
  type ParameterEstimate,
  type TargetPrediction,
} from '../campaign/model.js';
import { loadPracticeData, type PracticeData, type PracticeGroup } from '../campaign/data.js';
import type { LawFitsReport } from '../campaign/alarm.js';
import { matchToPool, sameConfiguration, type ObservedRuns } from '../campaign/observed.js';
import { BELIEVER_STARTS, fitModel, type FittedModel, type SuggestMethod } from '../campaign/suggest.js';
import { loadTask, type TaskSpec } from '../data/task.js';
import type { FitterName } from '../fit/multistart.js';
import type { LossSpec } from '../fit/robust.js';
import { doptScores, mspeScores, prepareState, voptScores, type PreparedState } from '../select/score.js';
import { figure } from '../text/figure.js';
import type { RecordedRun } from './validate.js';

export interface EngineConfig {
  taskFile: string;
  dataDir?: string;
  lawId?: string;
  seed: number;
  restarts: number;
  loss?: LossSpec;
  fitter?: FitterName;
  noiseSd?: number;
  method: SuggestMethod;
  stopBelow?: number;
  /** Forecasts on the first k runs computed at start for the band's history, at most this many per group. */
  historyCap: number;
  /** The observed file's name, as the law-fits check names its rows. */
  runsFile: string;
}

/** The runs as the engine reads them: a generation changes when the file is read anew (appends keep it). */
export interface RunsSnapshot {
  generation: number;
  runs: readonly RecordedRun[];
}

export interface PendingRef {
  group: string;
  /** Index within the group's pool. */
  index: number;
}

export interface SuggestionView {
  /** Data row (0-based) in the pool file, as `active-sl suggest --json` names it. */
  row: number;
  features: Record<string, number>;
  cost: number;
  /** The acquisition score; null for the cheapest-first start. */
  score: number | null;
  reason: string;
}

export interface SuggestAnswer {
  suggestions: SuggestionView[];
  /** Why fewer runs than asked (or none) were suggested. */
  note: string | null;
  /** The forecast's uncertainty from the fit the suggestions were scored with (null: no fit yet), and the stop rule on it. */
  uncertainty: number | null;
  stop: boolean | null;
}

export interface SuggestRequest extends RunsSnapshot {
  pending: readonly PendingRef[];
  group: string;
  batch: number;
  /** Cost left for this batch (Infinity: no limit). */
  budget: number;
}

export interface HistoryPoint {
  /** Runs of the group the forecast was fitted to (its first k in file order). */
  runs: number;
  uncertainty: number;
  predictions: { mean: number; lo90: number; hi90: number }[];
}

export interface InputCurves {
  feature: string;
  /** The other inputs' value combinations among the runs (the most frequent few), one fitted curve each. */
  curves: { label: string; x: number[]; y: number[] }[];
  points: { x: number; y: number; series: string }[];
  logX: boolean;
}

export interface GroupView {
  group: string;
  law: string;
  /** The law's parameter count. */
  parameters: number;
  runs: number;
  fit: { mse: number; sigma2: number; noise: { rule: 'residual' | 'prior'; dof: number }; modes: number; parameters: ParameterEstimate[] } | null;
  forecast: { target: string; predictions: TargetPrediction[]; uncertainty: number; stop: boolean | null } | null;
  lawFits: LawFitsReport | null;
  /** Whether the fit reached its optimum (null: no fit). */
  convergence: Convergence | null;
  /** Why there is no fit. */
  note: string | null;
  next: SuggestAnswer;
  history: HistoryPoint[];
  inputs: InputCurves[];
}

export interface ViewRequest extends RunsSnapshot {
  pending: readonly PendingRef[];
  batch: number;
  /** Cost left per group for the next batch. */
  budgets: Record<string, number>;
}

const METHOD_LABEL: Record<SuggestMethod, string> = { mspe: 'MSPE', 'v-opt': 'V-opt', 'd-opt': 'D-opt' };
/** Fitted curves per input plot: the most frequent value combinations of the other inputs. */
const MAX_CURVES = 5;
const CURVE_POINTS = 48;
/** Cached fits and believer states beyond this are dropped oldest first. */
const CACHE_LIMIT = 64;

interface Fitted {
  model: FittedModel | null;
  error: string | null;
}

interface Believed {
  obs: Observations;
  fits: Fits;
}

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  cache.set(key, value);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return value;
}

function scoresFor(method: SuggestMethod, prepared: PreparedState): Float64Array {
  if (method === 'v-opt') return voptScores(prepared).score;
  if (method === 'd-opt') return doptScores(prepared).score;
  return mspeScores(prepared, { quadrature: 'recurrence' }).score;
}

/** Evenly spread run counts in [1, n − 1], at most `cap` of them: the forecasts the history starts with. */
export function historyCounts(n: number, cap: number): number[] {
  if (n <= 1 || cap <= 0) return [];
  if (n - 1 <= cap) return Array.from({ length: n - 1 }, (_, i) => i + 1);
  const out = new Set<number>();
  for (let i = 0; i < cap; i++) out.add(1 + Math.round(((n - 2) * i) / Math.max(1, cap - 1)));
  return [...out].sort((a, b) => a - b);
}

export interface Engine {
  readonly task: TaskSpec;
  readonly data: PracticeData;
  suggest(req: SuggestRequest): SuggestAnswer;
  view(req: ViewRequest): GroupView[];
  /** Computes one missing forecast of the band's history; the number still missing afterwards. */
  backfill(snapshot: RunsSnapshot): number;
}

export async function createEngine(config: EngineConfig): Promise<Engine> {
  const task = loadTask(config.taskFile);
  const data = await loadPracticeData(task, { dataDir: config.dataDir });
  const lawId = config.lawId ?? Object.keys(task.laws)[0];
  const fitted = new Map<string, Fitted>();
  const believed = new Map<string, Believed>();
  const same = new Map(data.groups.map((g) => [g.name, sameConfiguration(g.pool)]));
  let generation = -1;
  let history = new Map<string, Map<number, HistoryPoint>>();
  let wanted = new Map<string, number[]>();

  function newGeneration(g: number): void {
    if (g === generation) return;
    generation = g;
    fitted.clear();
    believed.clear();
    history = new Map(data.groups.map((x) => [x.name, new Map()]));
    wanted = new Map();
  }

  function groupOf(name: string): PracticeGroup {
    const g = data.groups.find((x) => x.name === name);
    if (!g) throw new Error(`no group '${name}'`);
    return g;
  }

  function observedOf(runs: readonly RecordedRun[], group: string, k: number): ObservedRuns {
    const mine = runs.filter((r) => r.group === group).slice(0, k);
    const O = task.targets.length;
    const y = new Float64Array(mine.length * O);
    mine.forEach((r, i) => {
      for (let o = 0; o < O; o++) y[i * O + o] = r.y[o];
    });
    return {
      file: config.runsFile,
      group: mine.map(() => group),
      rows: mine.map((r) => r.row),
      n: mine.length,
      X: task.features.map((_, f) => Float64Array.from(mine, (r) => r.x[f])),
      y,
    };
  }

  /** The fit of the group's first k runs (cached), and its forecast as a point of the band's history. */
  function fitOf(snapshot: RunsSnapshot, group: string, k: number): Fitted {
    newGeneration(snapshot.generation);
    const key = `${group}\u0000${k}`;
    const hit = fitted.get(key);
    if (hit) return hit;
    let result: Fitted;
    try {
      const model = fitModel({
        task,
        data,
        observed: observedOf(snapshot.runs, group, k),
        lawId,
        group,
        restarts: config.restarts,
        seed: config.seed,
        loss: config.loss,
        fitter: config.fitter,
        noiseSd: config.noiseSd,
      });
      result = { model, error: null };
      history.get(group)!.set(k, {
        runs: k,
        uncertainty: model.target.uncertainty,
        predictions: model.target.predictions.map((p) => ({ mean: p.mean, lo90: p.lo90, hi90: p.hi90 })),
      });
    } catch (e) {
      // a fit that cannot be made (too few runs, every start failed) is an answer with its reason, not a failure of the server
      if (!(e instanceof PracticeError || e instanceof RangeError)) throw e;
      result = { model: null, error: e.message };
    }
    return remember(fitted, key, result);
  }

  function featuresAt(g: PracticeGroup, i: number): Record<string, number> {
    const out: Record<string, number> = {};
    task.features.forEach((f, k) => (out[f] = g.pool.X[k][i]));
    return out;
  }

  /** One kriging-believer step: the best fit's prediction at pool row `pick` is appended as if observed, and the law refitted from the current fits. */
  function believe(model: FittedModel, at: Believed, pick: number): Believed {
    const { law, group } = model;
    const O = law.outputs;
    const best = at.fits.thetas[at.fits.best];
    const pred = new Float64Array(O);
    law.bind(group.pool.X.map((col) => Float64Array.of(col[pick]))).value(best, pred);
    const n = at.obs.n;
    const X = at.obs.X.map((col, f) => {
      const out = new Float64Array(n + 1);
      out.set(col);
      out[n] = group.pool.X[f][pick];
      return out;
    });
    const y = new Float64Array((n + 1) * O);
    y.set(at.obs.y);
    y.set(pred, n * O);
    const obs = { X, y, n: n + 1 };
    const order = at.fits.mse.map((_, i) => i).sort((a, b) => at.fits.mse[a] - at.fits.mse[b]);
    const starts = order.slice(0, BELIEVER_STARTS).map((i) => at.fits.thetas[i]);
    const refit = multistartFit(law, obs, starts, config.loss, config.fitter);
    return { obs, fits: refit.best >= 0 ? refit : at.fits };
  }

  /** The state after believing the pending rows in lease order; every prefix is cached, so one more lease costs one refit. */
  function believePending(modelKey: string, model: FittedModel, pending: readonly number[]): Believed {
    let from = 0;
    let at: Believed = { obs: model.obs, fits: model.fits };
    for (let j = pending.length; j > 0; j--) {
      const hit = believed.get(`${modelKey}\u0000${pending.slice(0, j).join(',')}`);
      if (hit) {
        at = hit;
        from = j;
        break;
      }
    }
    for (let j = from; j < pending.length; j++) {
      at = believe(model, at, pending[j]);
      remember(believed, `${modelKey}\u0000${pending.slice(0, j + 1).join(',')}`, at);
    }
    return at;
  }

  function shortNote(asked: number, got: number, budget: number): string | null {
    if (got >= asked) return null;
    const why = Number.isFinite(budget) ? `not run, not pending, and affordable within the ${figure(budget)} left` : 'not run and not pending';
    return got === 0 ? `no candidate is ${why}` : `asked for ${asked}, but only ${got} candidate${got === 1 ? ' is' : 's are'} ${why}`;
  }

  function cheapestFirst(req: SuggestRequest, g: PracticeGroup, taken: Set<number>, why: string): SuggestAnswer {
    const sameRows = same.get(g.name)!;
    const order = Array.from({ length: g.pool.n }, (_, i) => i).sort((a, b) => g.pool.cost[a] - g.pool.cost[b] || a - b);
    const suggestions: SuggestionView[] = [];
    let left = req.budget;
    const pendingHere = req.pending.filter((p) => p.group === g.name).length;
    for (const i of order) {
      if (suggestions.length >= req.batch) break;
      if (taken.has(i) || g.pool.cost[i] > left) continue;
      suggestions.push({
        row: g.pool.rows[i],
        features: featuresAt(g, i),
        cost: g.pool.cost[i],
        score: null,
        reason: `${why}${pendingHere ? ` (${pendingHere} pending)` : ''}: the cheapest candidate not run or pending, to start the fit`,
      });
      for (const q of sameRows[i]) taken.add(q);
      left -= g.pool.cost[i];
    }
    return { suggestions, note: shortNote(req.batch, suggestions.length, req.budget), uncertainty: null, stop: config.stopBelow === undefined ? null : false };
  }

  function suggest(req: SuggestRequest): SuggestAnswer {
    newGeneration(req.generation);
    const g = groupOf(req.group);
    const sameRows = same.get(g.name)!;
    const taken = new Set<number>();
    const pending = req.pending.filter((p) => p.group === g.name).map((p) => p.index);
    for (const p of pending) for (const q of sameRows[p]) taken.add(q);
    const n = req.runs.filter((r) => r.group === g.name).length;
    for (const p of matchToPool(observedOf(req.runs, g.name, n), g.pool)) if (p >= 0) for (const q of sameRows[p]) taken.add(q);
    if (n === 0) return cheapestFirst(req, g, taken, `no run in ${task.group ? `group '${g.name}'` : 'the campaign'} has finished yet`);
    const fit = fitOf(req, g.name, n);
    // too few runs to fit (one run has no spread of losses to scale the noise prior): keep starting cheap
    if (!fit.model) return cheapestFirst(req, g, taken, `the law cannot be fitted to the ${n} run${n === 1 ? '' : 's'} so far (${fit.error})`);
    const model = fit.model;
    let at = believePending(
      `${g.name}\u0000${n}`,
      model,
      pending.filter((p) => !model.run.has(p)),
    );
    const suggestions: SuggestionView[] = [];
    let left = req.budget;
    for (let k = 0; k < req.batch; k++) {
      const candidates: number[] = [];
      for (let i = 0; i < g.pool.n; i++) if (!taken.has(i) && g.pool.cost[i] <= left) candidates.push(i);
      if (candidates.length === 0) break;
      const score = scoresFor(config.method, prepareState(acquisitionState(model.law, g, at.obs, at.fits, candidates)));
      const ranked = candidates.map((_, c) => c).filter((c) => !Number.isNaN(score[c]));
      ranked.sort((a, b) => score[b] - score[a] || a - b);
      if (ranked.length === 0) break;
      const top = ranked[0];
      const pick = candidates[top];
      const assumed = pending.length + k;
      suggestions.push({
        row: g.pool.rows[pick],
        features: featuresAt(g, pick),
        cost: g.pool.cost[pick],
        score: score[top],
        reason:
          `highest ${METHOD_LABEL[config.method]} score (${figure(score[top])}) of the ${candidates.length} affordable candidates not run or pending` +
          (ranked.length > 1 ? `; next best ${figure(score[ranked[1]])}` : '') +
          (assumed > 0
            ? `; scored as if the ${assumed} run${assumed === 1 ? '' : 's'} pending or picked before it had returned the fitted law's prediction`
            : ''),
      });
      for (const q of sameRows[pick]) taken.add(q);
      left -= g.pool.cost[pick];
      if (k === req.batch - 1) break;
      at = believe(model, at, pick);
    }
    const uncertainty = model.target.uncertainty;
    return {
      suggestions,
      note: shortNote(req.batch, suggestions.length, req.budget),
      uncertainty,
      stop: config.stopBelow === undefined ? null : uncertainty < config.stopBelow,
    };
  }

  function inputCurves(model: FittedModel): InputCurves[] {
    const { law, group, obs } = model;
    const O = law.outputs;
    const theta = model.fits.thetas[model.fits.best];
    return task.features.map((feature, f) => {
      const values = [...group.pool.X[f], ...group.target.X[f], ...obs.X[f]];
      const lo = Math.min(...values);
      const hi = Math.max(...values);
      const logX = lo > 0;
      const grid = Array.from({ length: CURVE_POINTS }, (_, i) => {
        const t = i / (CURVE_POINTS - 1);
        return logX ? Math.exp(Math.log(lo) + t * (Math.log(hi) - Math.log(lo))) : lo + t * (hi - lo);
      });
      const others = task.features.map((_, k) => k).filter((k) => k !== f);
      const labelOf = (i: number) => others.map((k) => `${task.features[k]}=${figure(obs.X[k][i])}`).join(', ');
      const count = new Map<string, { n: number; at: number }>();
      for (let i = 0; i < obs.n; i++) {
        const key = labelOf(i);
        const c = count.get(key);
        if (c) c.n++;
        else count.set(key, { n: 1, at: i });
      }
      const top = [...count.entries()].sort((a, b) => b[1].n - a[1].n || a[1].at - b[1].at).slice(0, MAX_CURVES);
      const shown = new Set(top.map(([key]) => key));
      const curves = top.map(([key, { at }]) => {
        const X = task.features.map((_, k) => (k === f ? Float64Array.from(grid) : new Float64Array(grid.length).fill(obs.X[k][at])));
        const out = new Float64Array(grid.length * O);
        law.bind(X).value(theta, out);
        return { label: others.length ? key : 'fitted law', x: grid, y: grid.map((_, i) => out[i * O]) };
      });
      const points = Array.from({ length: obs.n }, (_, i) => ({
        x: obs.X[f][i],
        y: obs.y[i * O],
        series: others.length === 0 ? 'fitted law' : shown.has(labelOf(i)) ? labelOf(i) : 'other runs',
      }));
      return { feature, curves, points, logX };
    });
  }

  function view(req: ViewRequest): GroupView[] {
    newGeneration(req.generation);
    return data.groups.map((g) => {
      const n = req.runs.filter((r) => r.group === g.name).length;
      if (!wanted.has(g.name)) wanted.set(g.name, historyCounts(n, config.historyCap));
      const fit = n > 0 ? fitOf(req, g.name, n) : null;
      const model = fit?.model ?? null;
      const next = suggest({ ...req, group: g.name, budget: req.budgets[g.name] ?? Infinity });
      const base = { group: g.name, law: lawId, parameters: Object.keys(task.laws[lawId].params).length, runs: n, next };
      const points = [...history.get(g.name)!.values()].filter((p) => p.runs <= n).sort((a, b) => a.runs - b.runs);
      if (!model) {
        const note = fit
          ? fit.error
          : `no run in ${task.group ? `group '${g.name}'` : 'the campaign'} has finished yet: the first suggestions are the cheapest candidates`;
        return { ...base, fit: null, forecast: null, lawFits: null, convergence: null, note, history: points, inputs: [] };
      }
      const modes = model.forecast.modes.modes;
      let heaviest = 0;
      modes.forEach((m, i) => {
        if (m.weight > modes[heaviest].weight) heaviest = i;
      });
      const uncertainty = model.target.uncertainty;
      return {
        ...base,
        fit: {
          mse: model.fits.mse[model.fits.best],
          sigma2: model.forecast.noise.sigma2,
          noise: { rule: model.forecast.noise.rule, dof: model.forecast.noise.dof },
          modes: modes.length,
          parameters: modes.length ? parameterIntervals(model.law, modes[heaviest], model.forecast.noise.quantile) : [],
        },
        forecast: {
          target: task.targets[0],
          predictions: model.target.predictions,
          uncertainty,
          stop: config.stopBelow === undefined ? null : uncertainty < config.stopBelow,
        },
        lawFits: model.lawFits,
        convergence: model.convergence,
        note: null,
        history: points,
        inputs: inputCurves(model),
      };
    });
  }

  function backfill(snapshot: RunsSnapshot): number {
    newGeneration(snapshot.generation);
    let missing = 0;
    let done = false;
    for (const g of data.groups) {
      const have = history.get(g.name)!;
      for (const k of wanted.get(g.name) ?? []) {
        if (have.has(k) || fitted.get(`${g.name}\u0000${k}`)) continue;
        if (!done) {
          fitOf(snapshot, g.name, k);
          done = true;
        } else missing++;
      }
    }
    return missing;
  }

  return { task, data, suggest, view, backfill };
}
