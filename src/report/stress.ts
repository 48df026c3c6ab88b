/**
 * The stress section of report.html: per scenario, R² against budget per method (one panel per
 * noise level); the coverage of `fit`'s 90% intervals and the alarm rate against budget; and the
 * suite's tables.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { StressSummary } from '../stress/summary.js';
import { methodColour, orderMethods, renderSvg } from './plots.js';

export interface StressFigure {
  id: string;
  title: string;
  caption: string;
  svg: string;
}

/** Stress summaries under the given roots (the suite writes `stress-summary.json` at its --out). */
export function findStressSummaries(roots: readonly string[]): { file: string; summary: StressSummary }[] {
  const found: { file: string; summary: StressSummary }[] = [];
  const walk = (dir: string, depth: number) => {
    const file = path.join(dir, 'stress-summary.json');
    if (fs.existsSync(file)) {
      const summary = JSON.parse(fs.readFileSync(file, 'utf8')) as StressSummary;
      if (summary.kind === 'stress') found.push({ file, summary });
      return;
    }
    if (depth > 3) return;
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) if (d.isDirectory() && d.name !== 'scenarios') walk(path.join(dir, d.name), depth + 1);
  };
  for (const r of roots) if (fs.existsSync(r)) walk(path.resolve(r), 0);
  return found;
}

const pct = (b: number) => `${+(b * 100).toFixed(2)}%`;
const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  view: { stroke: '#d0d0d0' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const, gridColor: '#ececec' },
  legend: { labelFontSize: 11, titleFontSize: 11 },
  title: { fontSize: 14, subtitleFontSize: 11, subtitleColor: '#555', anchor: 'start' as const },
};

function budgetAxis(budgets: readonly number[]) {
  return {
    field: 'budget',
    type: 'quantitative' as const,
    title: 'budget fraction (log)',
    scale: { type: 'log' as const, domain: [budgets[0] / 1.3, budgets[budgets.length - 1] * 1.3], nice: false },
    axis: { values: [...budgets], format: '.3~%' },
  };
}

/** A figure with one panel per noise level, each `layer` drawn in every panel. */
function byNoise(s: StressSummary, title: TopLevelSpec['title'], rows: object[], layer: unknown[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    config: CONFIG,
    data: { values: rows },
    facet: { column: { field: 'noise', type: 'nominal', title: 'noise', sort: [...s.noises] } },
    spec: { width: 200, height: 180, layer },
  } as TopLevelSpec;
}

/** One scenario: R² against budget, a line per method, a panel per noise level. */
export function stressR2Spec(s: StressSummary, scenario: string): TopLevelSpec {
  const variants = orderMethods(s.variants.filter((v) => s.noises.some((z) => s.r2[scenario]?.[z]?.[v])));
  const rows = s.noises.flatMap((noise) =>
    variants.flatMap((method) =>
      (s.r2[scenario][noise]?.[method] ?? []).flatMap((c, b) =>
        c.n
          ? [
              {
                noise,
                method,
                kind: method.includes('+') ? 'variant' : 'method',
                budget: s.budgets[b],
                mean: Math.max(-1, c.mean),
                label: `${method}, ${noise} noise, ${pct(s.budgets[b])}: R² ${c.mean.toFixed(3)}`,
              },
            ]
          : [],
      ),
    ),
  );
  const color = {
    field: 'method',
    type: 'nominal' as const,
    title: 'method',
    scale: { domain: variants, range: variants.map((v) => methodColour(v, variants)) },
    sort: variants,
  };
  const x = budgetAxis(s.budgets);
  const y = { field: 'mean', type: 'quantitative' as const, title: 'target-region R²', scale: { domain: [-1, 1], nice: false } };
  return byNoise(s, { text: `Stress: ${scenario}`, subtitle: ['mean R² over repeats against the noiseless truth', 'one panel per noise level'] }, rows, [
    // variants (a robust loss, exploration) dashed, so they read apart from the plain methods
    {
      mark: { type: 'line', strokeWidth: 1.8 },
      encoding: {
        x,
        y,
        color,
        strokeDash: {
          field: 'kind',
          type: 'nominal',
          legend: null,
          scale: {
            domain: ['method', 'variant'],
            range: [
              [1, 0],
              [5, 3],
            ],
          },
        },
      },
    },
    { mark: { type: 'point', filled: true, size: 30 }, encoding: { x, y, color, description: { field: 'label' } } },
  ]);
}

/** Coverage (nominal 0.9) or alarm rate against budget: a line per scenario, a panel per noise level. */
export function stressRateSpec(s: StressSummary, what: 'coverage' | 'alarm'): TopLevelSpec {
  const rows = s.noises.flatMap((noise) =>
    s.scenarios.flatMap((scenario) =>
      s.budgets.flatMap((budget, b) => {
        let value: number;
        let n: number;
        if (what === 'alarm') {
          const c = s.alarm[scenario][noise][b];
          value = c.mean;
          n = c.n;
        } else {
          const cells = Object.values(s.coverage[scenario][noise]).map((c) => c[b]);
          n = cells.reduce((t, c) => t + c.n, 0);
          value = n ? cells.reduce((t, c) => t + c.mean * c.n, 0) / n : NaN;
        }
        return n ? [{ noise, scenario, budget, value, label: `${scenario}, ${noise} noise, ${pct(budget)}: ${value.toFixed(2)}` }] : [];
      }),
    ),
  );
  const x = budgetAxis(s.budgets);
  const y = {
    field: 'value',
    type: 'quantitative' as const,
    title: what === 'alarm' ? 'share of fits with the alarm on' : 'coverage of the 90% intervals',
    scale: { domain: [0, 1] },
  };
  const color = { field: 'scenario', type: 'nominal' as const, title: 'scenario', sort: [...s.scenarios] };
  const reference = what === 'coverage' ? 0.9 : 0.1;
  const title = {
    text: what === 'alarm' ? 'Misspecification alarm' : 'Coverage of fit’s 90% intervals',
    subtitle:
      what === 'alarm' ? [`${s.control}: false alarms (dashed: 0.1)`, 'others: hits'] : ['a fresh simulated run in the target region', 'dashed: nominal 0.9'],
  };
  return byNoise(s, title, rows, [
    { mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { y: { datum: reference, type: 'quantitative' } } },
    { mark: { type: 'line', strokeWidth: 1.8 }, encoding: { x, y, color } },
    { mark: { type: 'point', filled: true, size: 30 }, encoding: { x, y, color, description: { field: 'label' } } },
  ]);
}

export async function stressFigures(s: StressSummary, prefix: string): Promise<StressFigure[]> {
  const out: StressFigure[] = [];
  for (const scenario of s.scenarios) {
    out.push({
      id: `${prefix}${scenario}-r2`,
      title: scenario,
      caption: `Target-region R² against budget on the ${scenario} scenario, one line per method, one panel per noise level (mean over repeats).`,
      svg: await renderSvg(stressR2Spec(s, scenario)),
    });
  }
  out.push({
    id: `${prefix}coverage`,
    title: 'coverage',
    caption: 'Share of target rows whose simulated run falls inside fit’s 90% interval after each method’s runs (all methods pooled).',
    svg: await renderSvg(stressRateSpec(s, 'coverage')),
  });
  out.push({
    id: `${prefix}alarm`,
    title: 'alarm',
    caption: `How often the misspecification alarm fires after each method’s runs (all methods pooled); on ${s.control}, every alarm is a false one.`,
    svg: await renderSvg(stressRateSpec(s, 'alarm')),
  });
  return out;
}
