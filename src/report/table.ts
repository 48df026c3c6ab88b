/**
 * The Table-2 view of results: task × method × budget level, task-level mean ± std (the mean over
 * laws of each law's mean over repeats, and the std across laws), optionally beside the paper's.
 * The std across laws says how the laws differ, not how well the repeats pin the mean: that is the
 * standard error `se`, and `z` weighs the difference from the paper by it.
 */
import type { Summary } from '../benchmark/results.js';
import type { MergedRun } from './collect.js';
import { paperCell, readPaperTable } from './paper.js';

/** The number of repeats behind each of the paper's Table 2 figures. */
export const PAPER_REPEATS = 10;

export const METHOD_ORDER = ['random', 'cheapest', 'cost-rand', 'd-opt', 'v-opt', 'mspe', 'mspe-intra', 'mspe-inter', 'all-data'];

export interface TableCell {
  mean: number;
  std: number;
  /** Standard error of `mean` over repeats; null when a law has fewer than two. */
  se: number | null;
  paper: { mean: number; std: number } | null;
  diff: number | null;
  /** diff / √(se² + se_paper²), se_paper including the paper's rounding; null without a paper figure or an `se`. */
  z: number | null;
}

/**
 * Standard error of the task mean (1/L)·Σ_l mean_l: se² = Σ_l s_l²/n_l / L², s_l the sample std of
 * law l over its n_l repeats. Exact for unbalanced repeats because each (law, repeat) has its own seed.
 */
export function taskMeanSe(summary: Summary, level: number): number | null {
  const laws = Object.values(summary.laws);
  let sum = 0;
  for (const law of laws) {
    const v = law.r2[level];
    const n = v.length;
    if (n < 2) return null;
    const m = v.reduce((a, x) => a + x, 0) / n;
    sum += v.reduce((a, x) => a + (x - m) ** 2, 0) / (n - 1) / n;
  }
  return laws.length ? Math.sqrt(sum) / laws.length : null;
}

/** The paper prints two decimals: its figure is known to within a uniform ±0.005. */
const PAPER_ROUNDING = 0.01;

/**
 * The paper's standard error: its std is over repeats, hence std/√10, only where the task has one
 * law. For several laws the paper does not say what its std spans, so we take its protocol to vary
 * as much as ours does and use our se. Either way its rounding adds 0.01/√12.
 */
function paperSe(p: { std: number }, laws: number, se: number): number {
  return Math.hypot(laws === 1 ? p.std / Math.sqrt(PAPER_REPEATS) : se, PAPER_ROUNDING / Math.sqrt(12));
}

export interface TableRow {
  task: string;
  method: string;
  budgets: number[];
  laws: number;
  units: number;
  /** Units the run was asked for (laws × repeats): more than `units` while it is unfinished. */
  expected: number;
  cells: TableCell[];
}

export function buildTable(runs: readonly MergedRun[], withPaper: boolean): TableRow[] {
  const paper = withPaper ? readPaperTable() : null;
  const order = (m: string) => (METHOD_ORDER.includes(m) ? METHOD_ORDER.indexOf(m) : METHOD_ORDER.length);
  return [...runs]
    .sort((a, b) => a.task.localeCompare(b.task) || order(a.method) - order(b.method) || a.method.localeCompare(b.method))
    .map((r) => {
      const laws = Object.keys(r.summary.laws).length;
      return {
        task: r.task,
        method: r.method,
        budgets: r.budgets,
        laws,
        units: r.records.length,
        expected: r.summary.units.expected,
        cells: r.summary.overall.mean.map((mean, b) => {
          const p = paper ? paperCell(paper, r.task, r.method, b) : null;
          const se = taskMeanSe(r.summary, b);
          const diff = p ? mean - p.mean : null;
          const z = p && diff !== null && se !== null ? diff / Math.hypot(se, paperSe(p, laws, se)) : null;
          return { mean, std: r.summary.overall.std[b], se, paper: p, diff, z };
        }),
      };
    });
}

const pct = (b: number) => `${+(b * 100).toFixed(2)}%`;
const num = (v: number) => v.toFixed(2);
const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(2)}`;
const signed1 = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(1)}`;

export function renderMarkdown(rows: readonly TableRow[], withPaper: boolean): string {
  const out: string[] = [];
  const maxLevels = Math.max(0, ...rows.map((r) => r.budgets.length));
  const header = ['task', 'method', ...Array.from({ length: maxLevels }, (_, b) => `level ${b + 1}`), 'laws × repeats'];
  out.push(`| ${header.join(' | ')} |`);
  out.push(`|${header.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const r of rows) {
    const cells = r.cells.map((c, b) => {
      let text = `${num(c.mean)} ± ${num(c.std)} @${pct(r.budgets[b])}`;
      if (withPaper) text += c.paper ? ` (paper ${num(c.paper.mean)}, ${signed(c.diff!)}${c.z === null ? '' : `, z ${signed1(c.z)}`})` : ' (paper —)';
      return text;
    });
    while (cells.length < maxLevels) cells.push('');
    out.push(`| ${r.task} | ${r.method} | ${cells.join(' | ')} | ${r.units < r.expected ? `${r.units} of ${r.expected} (partial)` : r.units} |`);
  }
  return `${out.join('\n')}\n`;
}

export function renderCsv(rows: readonly TableRow[]): string {
  const lines = ['task,method,level,budget,mean,std,paper_mean,paper_std,diff,units,se,z'];
  for (const r of rows) {
    r.cells.forEach((c, b) => {
      lines.push(
        [r.task, r.method, b + 1, r.budgets[b], c.mean, c.std, c.paper?.mean ?? '', c.paper?.std ?? '', c.diff ?? '', r.units, c.se ?? '', c.z ?? ''].join(','),
      );
    });
  }
  return `${lines.join('\n')}\n`;
}
