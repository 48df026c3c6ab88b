/**
 * The Table-2 view of results: task × method × budget level, task-level mean ± std (the mean over
 * laws of each law's mean over repeats, and the std across laws), optionally beside the paper's.
 */
import type { MergedRun } from './collect.js';
import { paperCell, readPaperTable } from './paper.js';

export const METHOD_ORDER = ['random', 'cheapest', 'cost-rand', 'd-opt', 'v-opt', 'mspe', 'mspe-intra', 'mspe-inter', 'all-data'];

export interface TableCell {
  mean: number;
  std: number;
  paper: { mean: number; std: number } | null;
  diff: number | null;
}

export interface TableRow {
  task: string;
  method: string;
  budgets: number[];
  laws: number;
  units: number;
  cells: TableCell[];
}

export function buildTable(runs: readonly MergedRun[], withPaper: boolean): TableRow[] {
  const paper = withPaper ? readPaperTable() : null;
  const order = (m: string) => (METHOD_ORDER.includes(m) ? METHOD_ORDER.indexOf(m) : METHOD_ORDER.length);
  return [...runs]
    .sort((a, b) => a.task.localeCompare(b.task) || order(a.method) - order(b.method) || a.method.localeCompare(b.method))
    .map((r) => ({
      task: r.task,
      method: r.method,
      budgets: r.budgets,
      laws: Object.keys(r.summary.laws).length,
      units: r.records.length,
      cells: r.summary.overall.mean.map((mean, b) => {
        const p = paper ? paperCell(paper, r.task, r.method, b) : null;
        return { mean, std: r.summary.overall.std[b], paper: p, diff: p ? mean - p.mean : null };
      }),
    }));
}

const pct = (b: number) => `${+(b * 100).toFixed(2)}%`;
const num = (v: number) => v.toFixed(2);
const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(2)}`;

export function renderMarkdown(rows: readonly TableRow[], withPaper: boolean): string {
  const out: string[] = [];
  const maxLevels = Math.max(0, ...rows.map((r) => r.budgets.length));
  const header = ['task', 'method', ...Array.from({ length: maxLevels }, (_, b) => `level ${b + 1}`), 'laws × repeats'];
  out.push(`| ${header.join(' | ')} |`);
  out.push(`|${header.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const r of rows) {
    const cells = r.cells.map((c, b) => {
      let text = `${num(c.mean)} ± ${num(c.std)} @${pct(r.budgets[b])}`;
      if (withPaper) text += c.paper ? ` (paper ${num(c.paper.mean)}, ${signed(c.diff!)})` : ' (paper —)';
      return text;
    });
    while (cells.length < maxLevels) cells.push('');
    out.push(`| ${r.task} | ${r.method} | ${cells.join(' | ')} | ${r.units} |`);
  }
  return `${out.join('\n')}\n`;
}

export function renderCsv(rows: readonly TableRow[]): string {
  const lines = ['task,method,level,budget,mean,std,paper_mean,paper_std,diff,units'];
  for (const r of rows) {
    r.cells.forEach((c, b) => {
      lines.push(
        [r.task, r.method, b + 1, r.budgets[b], c.mean, c.std, c.paper?.mean ?? '', c.paper?.std ?? '', c.diff ?? '', r.units].join(','),
      );
    });
  }
  return `${lines.join('\n')}\n`;
}
