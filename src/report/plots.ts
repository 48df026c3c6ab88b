/**
 * The report's figures, as vega-lite specs rendered headlessly to SVG strings by vega's SVG
 * renderer: no canvas, no DOM, and a loader that refuses every fetch, so a figure is a pure
 * function of the results (and, for costs, of the task's data).
 */
import * as vega from 'vega';
import { compile, type Config, type TopLevelSpec } from 'vega-lite';
import type { Encoding } from 'vega-lite/types_unstable/encoding.js';
import { loadTaskData } from '../data/dataset.js';
import type { LocateOptions } from '../data/locate.js';
import { DataError } from '../data/table.js';
import { loadTask, TaskError } from '../data/task.js';
import { readConfig } from '../benchmark/results.js';
import type { MergedRun } from './collect.js';
import { paperCell, type PaperTable } from './paper.js';
import { METHOD_ORDER } from './table.js';

export interface Plot {
  /** File-name stem, unique within a report. */
  id: string;
  task: string;
  kind: 'r2' | 'costs';
  svg: string;
}

/** A figure that could not be drawn (e.g. the task's data is not on this machine), and why. */
export interface MissingPlot {
  task: string;
  kind: 'r2' | 'costs';
  reason: string;
}

/**
 * One colour per method in every figure and in the table, so a method is recognised across them.
 * MSPE and its ablations share a hue; the baselines are the muted ones.
 */
const METHOD_COLOURS: Readonly<Record<string, string>> = {
  random: '#8c8c8c',
  cheapest: '#f58518',
  'cost-rand': '#54a24b',
  'd-opt': '#4c78a8',
  'v-opt': '#72b7b2',
  mspe: '#7b2d9e',
  'mspe-intra': '#b279a2',
  'mspe-inter': '#d6a5c9',
  'all-data': '#222222',
};
const SPARE_COLOURS = ['#e45756', '#9d755d', '#ff9da6', '#bab0ac'];

export function methodColour(method: string, others: readonly string[] = []): string {
  const known = METHOD_COLOURS[method];
  if (known) return known;
  const unknown = others.filter((m) => !METHOD_COLOURS[m]);
  const k = Math.max(0, unknown.indexOf(method));
  return SPARE_COLOURS[k % SPARE_COLOURS.length];
}

export function orderMethods(methods: Iterable<string>): string[] {
  const rank = (m: string) => (METHOD_ORDER.includes(m) ? METHOD_ORDER.indexOf(m) : METHOD_ORDER.length);
  return [...new Set(methods)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

const colourOf = (methods: readonly string[]): Enc['color'] => ({
  field: 'method',
  type: 'nominal',
  title: 'method',
  scale: { domain: [...methods], range: methods.map((m) => methodColour(m, methods)) },
  sort: [...methods],
});

const FONT = 'Helvetica, Arial, sans-serif';
type Enc = Encoding<string>;

const CONFIG: Config = {
  font: FONT,
  view: { stroke: '#d0d0d0' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#ececec', domainColor: '#888', tickColor: '#888' },
  legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'bold', symbolStrokeWidth: 1.5, symbolOpacity: 1 },
  title: { fontSize: 14, subtitleFontSize: 11, subtitleColor: '#555', anchor: 'start', offset: 10 },
};

const WIDTH = 330;
const HEIGHT = 240;

/** Figures never load anything: every data set is inline in its spec. */
const OFFLINE: vega.Loader = {
  load: (uri) => Promise.reject(new Error(`the report loads nothing (asked for ${uri})`)),
  sanitize: (uri) => Promise.reject(new Error(`the report loads nothing (asked for ${uri})`)),
  http: (uri) => Promise.reject(new Error(`the report loads nothing (asked for ${uri})`)),
  file: (file) => Promise.reject(new Error(`the report loads nothing (asked for ${file})`)),
};

/** `adjust` edits the compiled vega spec, for what vega-lite cannot say. */
export async function renderSvg(spec: TopLevelSpec, adjust: (vg: vega.Spec) => vega.Spec = (vg) => vg): Promise<string> {
  const view = new vega.View(vega.parse(adjust(compile(spec).spec)), { renderer: 'none', loader: OFFLINE, logLevel: vega.Warn });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Methods' points at one budget sit side by side, spread by a constant factor on the log axis, so
 * that error bars do not hide each other; a method's own and the paper's point share a position.
 */
const DODGE = 0.045;
const dodged = (budget: number, k: number, count: number) => budget * Math.exp(DODGE * (k - (count - 1) / 2));

const clampR2 = (v: number) => Math.max(-1, Math.min(1, v));
const pct = (b: number) => `${+(b * 100).toFixed(2)}%`;
const description: Enc['description'] = { field: 'label' };

interface R2Row {
  /** What a screen reader says for the point: the shift on the axis is left out. */
  label: string;
  method: string;
  x: number;
  budget: number;
  mean: number;
  lo: number;
  hi: number;
  source: string;
}

const OURS = 'this run';
const PAPER = 'paper (Table 2)';

/**
 * vega-lite gives every symbol of a shape legend one fill (hollow when any layer is hollow); the
 * legend should show this run's points filled and the paper's hollow, as the plot does.
 */
export function sourceLegendFill(vg: vega.Spec): vega.Spec {
  const legends = vg.legends?.map((legend) => {
    if (legend.shape === undefined) return legend;
    const update = { ...legend.encode?.symbols?.update, fill: { signal: `datum.value === '${OURS}' ? '#555' : 'white'` }, stroke: { value: '#555' } };
    return { ...legend, encode: { ...legend.encode, symbols: { ...legend.encode?.symbols, update } } };
  });
  return legends ? { ...vg, legends } : vg;
}

/** The spread across laws; with a single law (always 0 across laws), the spread across its repeats. */
function spread(run: MergedRun): number[] {
  const laws = Object.values(run.summary.laws);
  return laws.length === 1 ? laws[0].std : run.summary.overall.std;
}

export function r2Spec(task: string, runs: readonly MergedRun[], paper: PaperTable): TopLevelSpec {
  const methods = orderMethods(runs.map((r) => r.method));
  const rows: R2Row[] = [];
  for (const run of runs) {
    const k = methods.indexOf(run.method);
    const { mean } = run.summary.overall;
    const std = spread(run);
    run.budgets.forEach((budget, b) => {
      const x = dodged(budget, k, methods.length);
      const label = `${run.method} at ${pct(budget)}: R² ${mean[b].toFixed(3)} ± ${std[b].toFixed(3)} (${OURS})`;
      rows.push({ label, method: run.method, x, budget, mean: mean[b], lo: clampR2(mean[b] - std[b]), hi: clampR2(mean[b] + std[b]), source: OURS });
      const p = paperCell(paper, task, run.method, b);
      // the paper's levels are by index; its own fractions place the point where the paper measured it
      const paperBudget = paper.budget_levels[task]?.[b] ?? budget;
      if (p) {
        const label = `${run.method} at ${pct(paperBudget)}: R² ${p.mean.toFixed(3)} ± ${p.std.toFixed(3)} (${PAPER})`;
        rows.push({
          label,
          method: run.method,
          x: dodged(paperBudget, k, methods.length),
          budget: paperBudget,
          mean: p.mean,
          lo: p.mean,
          hi: p.mean,
          source: PAPER,
        });
      }
    });
  }
  const single = runs.map((r) => Object.keys(r.summary.laws).length === 1);
  const bars = single.every(Boolean)
    ? 'one law: mean, bars ± std across repeats'
    : `mean over laws, bars ± std across laws${single.some(Boolean) ? ' (repeats if one law)' : ''}`;
  const budgets = [...new Set(rows.map((r) => r.budget))].sort((a, b) => a - b);
  const low = Math.min(...rows.map((r) => Math.min(r.lo, r.mean)));
  const yMin = Math.max(-1, Math.floor((low - 0.05) * 10) / 10);
  const xDomain = [budgets[0] / 1.35, budgets[budgets.length - 1] * 1.35];
  const x: Enc['x'] = {
    field: 'x',
    type: 'quantitative',
    title: 'budget fraction (log)',
    scale: { type: 'log', domain: xDomain, nice: false },
    axis: { values: budgets, format: '.3~%', grid: true },
  };
  const yScale = { domain: [yMin, 1], nice: false, clamp: true };
  const y: Enc['y'] = { field: 'mean', type: 'quantitative', title: 'target-region R²', scale: yScale };
  const lo: Enc['y'] = { field: 'lo', type: 'quantitative', title: 'target-region R²', scale: yScale };
  const color = colourOf(methods);
  const shape: Enc['shape'] = {
    field: 'source',
    type: 'nominal',
    title: 'points',
    scale: { domain: [OURS, PAPER], range: ['circle', 'diamond'] },
    // the legend draws this run's points filled and the paper's hollow, as the plot does
    legend: { symbolStrokeColor: '#555' },
  };
  const ours = { filter: `datum.source === '${OURS}'` };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    // short lines: without a canvas vega estimates text widths generously and sizes the figure by them
    title: { text: 'R² in the target region', subtitle: [task, bars, 'budget: fraction of the pool’s total cost'] },
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    data: { values: rows },
    layer: [
      { transform: [ours], mark: { type: 'rule', strokeWidth: 1.5, opacity: 0.55 }, encoding: { x, y: lo, y2: { field: 'hi' }, color } },
      { transform: [ours], mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color } },
      { transform: [ours], mark: { type: 'point', filled: true, size: 45, opacity: 1 }, encoding: { x, y, color, shape, description } },
      {
        transform: [{ filter: `datum.source === '${PAPER}'` }],
        mark: { type: 'point', filled: false, size: 80, strokeWidth: 1.8, opacity: 1 },
        encoding: { x, y, color, shape, description },
      },
    ],
  };
}

export interface CostSeries {
  law: string;
  group: string;
  costLabel: string;
  points: { method: string; order: number; cost: number }[];
}

/** Whole decades covering the values, with 3× steps between when they span fewer than three. */
export function logTicks(values: readonly number[]): number[] {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (!positive.length) return [1, 10];
  const lo = Math.floor(Math.log10(Math.min(...positive)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...positive))));
  const ticks: number[] = [];
  for (let k = lo; k <= hi; k++) {
    ticks.push(10 ** k);
    if (hi - lo < 3 && k < hi) ticks.push(+(3 * 10 ** k).toPrecision(1));
  }
  return ticks;
}

export function costSpec(task: string, series: CostSeries): TopLevelSpec {
  const methods = orderMethods(series.points.map((p) => p.method));
  const color = colourOf(methods);
  // methods often choose the same rows; a small sideways shift keeps identical series visible
  const step = Math.min(0.08, 0.5 / methods.length);
  const values = series.points.map((p) => ({
    ...p,
    x: p.order + step * (methods.indexOf(p.method) - (methods.length - 1) / 2),
    label: `${p.method}, experiment ${p.order}: cost ${p.cost.toPrecision(3)}`,
  }));
  const x: Enc['x'] = { field: 'x', type: 'quantitative', title: 'selection order', axis: { format: 'd', tickMinStep: 1 }, scale: { nice: false, padding: 8 } };
  // SI prefixes read well for FLOPs and token counts, but not below 1 (where 300m would mean 0.3)
  const labelExpr = "datum.value >= 1000 ? format(datum.value, '~s') : format(datum.value, '~g')";
  const ticks = logTicks(series.points.map((p) => p.cost));
  const y: Enc['y'] = {
    field: 'cost',
    type: 'quantitative',
    title: 'cost of the experiment (log)',
    scale: { type: 'log', domain: [ticks[0], ticks[ticks.length - 1]], nice: false },
    axis: { labelExpr, values: ticks },
  };
  const costText = series.costLabel.length > 48 ? `${series.costLabel.slice(0, 47)}…` : series.costLabel;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'cost of each chosen experiment',
      subtitle: [task, `law ${series.law}, repeat 0, group ${series.group}`, `cost = ${costText}`],
    },
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    data: { values },
    layer: [
      { mark: { type: 'line', strokeWidth: 1.6, opacity: 0.8 }, encoding: { x, y, color } },
      { mark: { type: 'point', filled: true, size: 30, opacity: 0.95 }, encoding: { x, y, color, description } },
    ],
  };
}

/**
 * The chosen experiments' costs per method for one law (the first of the task's runs, MSPE's when
 * it ran) and repeat 0, in the first group. all-data takes the whole pool and is left out.
 */
export async function chosenCosts(runs: readonly MergedRun[], locate: LocateOptions = {}): Promise<CostSeries | null> {
  const selecting = runs.filter((r) => r.method !== 'all-data' && r.records.length);
  if (!selecting.length) return null;
  const lead = selecting.find((r) => r.method === 'mspe') ?? selecting[0];
  const law = lead.records[0].law;
  const config = readConfig(lead.dirs[0]);
  const data = await loadTaskData(loadTask(config?.taskFile ?? lead.task), locate);
  const group = data.groups[0];
  const points: CostSeries['points'] = [];
  for (const run of orderMethods(selecting.map((r) => r.method)).map((m) => selecting.find((r) => r.method === m)!)) {
    const record = run.records.find((r) => r.law === law && r.repeat === 0);
    const trace = record?.groups[group.name];
    trace?.chosen.forEach((row, i) => {
      if (row >= group.pool.n)
        throw new DataError(
          data.files.candidates,
          `${run.method} chose pool row ${row} of group ${group.name}, which has ${group.pool.n}: the data changed since the run`,
        );
      points.push({ method: run.method, order: i + 1, cost: group.pool.cost[row] });
    });
  }
  return points.length ? { law, group: group.name, costLabel: data.task.cost, points } : null;
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '-');

/** Both figures of every task, tasks in name order; a figure that cannot be drawn is reported, not thrown. */
export async function taskPlots(runs: readonly MergedRun[], paper: PaperTable, locate: LocateOptions = {}): Promise<{ plots: Plot[]; missing: MissingPlot[] }> {
  const tasks = [...new Set(runs.map((r) => r.task))].sort();
  const plots: Plot[] = [];
  const missing: MissingPlot[] = [];
  for (const task of tasks) {
    const mine = runs.filter((r) => r.task === task);
    plots.push({ id: `${slug(task)}-r2`, task, kind: 'r2', svg: await renderSvg(r2Spec(task, mine, paper), sourceLegendFill) });
    let series: CostSeries | null;
    try {
      series = await chosenCosts(mine, locate);
    } catch (e) {
      // results copied away from the data still deserve a report; the page says what is missing
      if (!(e instanceof DataError || e instanceof TaskError)) throw e;
      missing.push({ task, kind: 'costs', reason: e.message });
      continue;
    }
    if (series) plots.push({ id: `${slug(task)}-costs`, task, kind: 'costs', svg: await renderSvg(costSpec(task, series)) });
    else missing.push({ task, kind: 'costs', reason: 'no method that selects experiments has a repeat 0' });
  }
  return { plots, missing };
}
