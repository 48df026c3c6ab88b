/**
 * The learning-curve budget allocation section of report.html (`active-sl halving run` results):
 * a table of the strategies per setting (mean final loss, regret, compute saved, AbC), each run's
 * seed-0 picture (curves, pruned ones grey from the round they stopped), and per setting the
 * frontier each strategy fitted — median and 5–95% band across seeds — against the frontier of
 * the complete curves.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { HalvingSummary } from '../halving/bench.js';
import { frontierLoss } from '../halving/frontier.js';
import type { HalvingRecord } from '../halving/unit.js';
import type { StressTable } from '../stress/summary.js';
import { renderSvg } from './plots.js';
import type { StressFigure } from './stress.js';

export interface HalvingRun {
  dir: string;
  summary: HalvingSummary;
  records: HalvingRecord[];
}

function readJsonl<T>(file: string): T[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as T];
      } catch {
        return []; // a line cut short by a killed run
      }
    });
}

/** Halving run folders (config.json with a strategy, runs.jsonl, summary.json) under the roots. */
export function findHalvingRuns(roots: readonly string[]): HalvingRun[] {
  const found: HalvingRun[] = [];
  const walk = (dir: string, depth: number) => {
    const config = path.join(dir, 'config.json');
    if (fs.existsSync(config) && fs.existsSync(path.join(dir, 'summary.json')) && fs.existsSync(path.join(dir, 'runs.jsonl'))) {
      const c = JSON.parse(fs.readFileSync(config, 'utf8')) as { strategy?: unknown; curves?: unknown };
      if (typeof c.strategy === 'string' && typeof c.curves === 'string') {
        found.push({
          dir,
          summary: JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as HalvingSummary,
          records: readJsonl<HalvingRecord>(path.join(dir, 'runs.jsonl')),
        });
      }
      return;
    }
    if (depth > 6) return;
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) if (d.isDirectory() && d.name !== 'report') walk(path.join(dir, d.name), depth + 1);
  };
  for (const r of roots) if (fs.existsSync(r)) walk(path.resolve(r), 0);
  return found.sort((a, b) => a.dir.localeCompare(b.dir));
}

const settingOf = (s: HalvingSummary) => `${s.curves} · M0 ${s.m0} · B ${s.budget} · η ${s.eta}`;

/** Runs grouped by setting (curves, M0, budget, η); a strategy run twice counts from its newest folder. */
export function halvingSettings(runs: readonly HalvingRun[]): Map<string, HalvingRun[]> {
  const out = new Map<string, Map<string, HalvingRun>>();
  for (const run of runs) {
    const key = settingOf(run.summary);
    if (!out.has(key)) out.set(key, new Map());
    out.get(key)!.set(run.summary.strategy, run); // folders sort by time stamp: the newest wins
  }
  return new Map([...out].map(([k, m]) => [k, [...m.values()]]));
}

const fixed = (v: number | null | undefined, digits: number) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));

export function halvingTable(runs: readonly HalvingRun[]): StressTable {
  const rows: string[][] = [];
  for (const [setting, group] of halvingSettings(runs)) {
    const shRun = group.find((r) => r.summary.strategy === 'sh')?.summary;
    for (const run of group) {
      const m = run.summary.mean;
      // a mean over other seeds is another experiment: compare only like with like
      const vsSh =
        shRun === undefined || run.summary.strategy === 'sh'
          ? '–'
          : shRun.seeds !== run.summary.seeds
            ? `– (SH has ${shRun.seeds} seeds)`
            : `${(((shRun.mean.finalLoss - m.finalLoss) / shRun.mean.finalLoss) * 100).toFixed(2)}%`;
      rows.push([
        setting,
        run.summary.strategy,
        String(run.summary.seeds),
        fixed(m.finalLoss, 4),
        vsSh,
        fixed(m.regret, 4),
        `${(m.computeSaved * 100).toFixed(1)}%`,
        fixed(m.abc, 3),
      ]);
    }
  }
  return {
    title:
      'Learning-curve budget allocation: means over seeds (vs SH: relative improvement of the final loss over plain SH on as many seeds, positive is better)',
    head: ['setting', 'strategy', 'seeds', 'final loss', 'vs SH', 'regret', 'compute saved', 'AbC'],
    rows,
  };
}

function quantile(sorted: readonly number[], q: number): number {
  const x = q * (sorted.length - 1);
  const i = Math.floor(x);
  return i + 1 < sorted.length ? sorted[i] + (x - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
}

/** Per strategy: the median frontier over seeds with its 5–95% band; and the complete curves' frontier. */
export function frontierBandSpec(setting: string, group: readonly HalvingRun[]): TopLevelSpec | null {
  const intervals = group.flatMap((r) => r.records.flatMap((x) => (x.interval ? [x.interval] : [])));
  if (!intervals.length) return null;
  const lo = Math.min(...intervals.map((i) => i[0]));
  const hi = Math.max(...intervals.map((i) => i[1]));
  const rows: { series: string; compute: number; median: number; low: number; high: number }[] = [];
  const addSeries = (series: string, laws: readonly { alpha: number; gamma: number; points: number }[]) => {
    if (!laws.length) return;
    for (let k = 0; k <= 48; k++) {
      const c = lo * (hi / lo) ** (k / 48);
      const v = laws
        .map((l) => frontierLoss(l, c))
        .filter(Number.isFinite)
        .sort((a, b) => a - b);
      if (v.length) rows.push({ series, compute: c, median: quantile(v, 0.5), low: quantile(v, 0.05), high: quantile(v, 0.95) });
    }
  };
  for (const run of group)
    addSeries(
      run.summary.strategy,
      run.records.flatMap((r) => (r.frontier ? [r.frontier] : [])),
    );
  // every strategy of a setting sees the same curves per seed, so any run's complete-curve frontiers will do
  addSeries(
    'complete curves',
    group[0].records.flatMap((r) => (r.truthFrontier ? [r.truthFrontier] : [])),
  );
  if (!rows.length) return null;
  const series = [...new Set(rows.map((r) => r.series))];
  const color = { field: 'series', type: 'nominal' as const, title: 'frontier from', sort: series };
  const x = { field: 'compute', type: 'quantitative' as const, scale: { type: 'log' as const }, title: 'compute' };
  const y = { field: 'median', type: 'quantitative' as const, scale: { type: 'log' as const }, title: 'loss' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Frontier L(C) = (C/α)^(−γ) fitted on what each strategy observed',
      subtitle: [setting, 'median over seeds, band 5–95%; black: fitted on the complete curves'],
    },
    width: 420,
    height: 280,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'area', opacity: 0.15 },
        encoding: { x, y: { field: 'low', type: 'quantitative', scale: { type: 'log' }, title: 'loss' }, y2: { field: 'high' }, color },
      },
      {
        mark: { type: 'line', strokeWidth: 2 },
        encoding: { x, y, color, strokeDash: { condition: { test: "datum.series === 'complete curves'", value: [1, 0] }, value: [6, 3] } },
      },
    ],
    config: {
      range: {
        category: series.map((s, k) => (s === 'complete curves' ? '#222222' : ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf'][k % 6])),
      },
    },
  } as TopLevelSpec;
}

export async function halvingFigures(runs: readonly HalvingRun[]): Promise<StressFigure[]> {
  const out: StressFigure[] = [];
  let k = 0;
  for (const [setting, group] of halvingSettings(runs)) {
    k += 1;
    const spec = frontierBandSpec(setting, group);
    if (spec) {
      out.push({
        id: `halving-${k}-frontier`,
        title: setting,
        caption: `The frontier law each strategy fitted on the points it observed (median over seeds, 5–95% band) against the one fitted on the complete curves; ${setting}.`,
        svg: await renderSvg(spec),
      });
    }
    for (const run of group) {
      const picture = path.join(run.dir, 'seed-0.svg');
      if (!fs.existsSync(picture)) continue;
      out.push({
        id: `halving-${k}-${run.summary.strategy}-seed0`,
        title: `${setting} · ${run.summary.strategy}`,
        caption: `Seed 0 of ${run.summary.strategy}: every model's curve, solid where it was trained, coloured while it survived and grey from the round it was pruned; dashed, the frontier fitted on what was observed and on the complete curves.`,
        svg: fs.readFileSync(picture, 'utf8').replace(/^<\?xml[^>]*>\s*/, ''),
      });
    }
  }
  return out;
}
