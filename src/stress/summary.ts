/**
 * What the stress suite found, per scenario, noise level and budget level: R² per method, the
 * coverage of `fit`'s 90% intervals, and how often the misspecification alarm fired.
 */
import type { StressRecord } from './unit.js';

export interface Cell {
  mean: number;
  std: number;
  n: number;
}

export interface StressSummary {
  kind: 'stress';
  budgets: number[];
  scenarios: string[];
  noises: string[];
  variants: string[];
  /** r2[scenario][noise][variant][level] over repeats. */
  r2: Record<string, Record<string, Record<string, Cell[]>>>;
  /** coverage[scenario][noise][variant][level]: mean share of target rows covered. */
  coverage: Record<string, Record<string, Record<string, Cell[]>>>;
  /** alarm[scenario][noise][level]: share of checked fits (all variants) on which the alarm fired. */
  alarm: Record<string, Record<string, Cell[]>>;
  /** The scenario where the fitted law is the truth: its alarms are false alarms. */
  control: string;
  units: { done: number; expected: number };
}

function cell(values: readonly number[]): Cell {
  if (!values.length) return { mean: NaN, std: NaN, n: 0 };
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance), n: values.length };
}

const present = <T>(order: readonly T[], seen: ReadonlySet<T>) => order.filter((x) => seen.has(x));

export function summariseStress(
  records: readonly StressRecord[],
  layout: { budgets: number[]; scenarios: string[]; noises: string[]; variants: string[]; control: string; expected: number },
): StressSummary {
  const B = layout.budgets.length;
  const scenarios = present(layout.scenarios, new Set(records.map((r) => r.scenario)));
  const noises = present(layout.noises, new Set(records.map((r) => r.noise)));
  const variants = present(layout.variants, new Set(records.map((r) => r.variant)));
  const r2: StressSummary['r2'] = {};
  const coverage: StressSummary['coverage'] = {};
  const alarm: StressSummary['alarm'] = {};
  for (const s of scenarios) {
    r2[s] = {};
    coverage[s] = {};
    alarm[s] = {};
    for (const z of noises) {
      const mine = records.filter((r) => r.scenario === s && r.noise === z);
      r2[s][z] = {};
      coverage[s][z] = {};
      for (const v of variants) {
        const runs = mine.filter((r) => r.variant === v);
        if (!runs.length) continue;
        r2[s][z][v] = Array.from({ length: B }, (_, b) => cell(runs.map((r) => r.r2[b]).filter(Number.isFinite)));
        coverage[s][z][v] = Array.from({ length: B }, (_, b) => cell(runs.flatMap((r) => (r.coverage[b] === null ? [] : [r.coverage[b]!]))));
      }
      alarm[s][z] = Array.from({ length: B }, (_, b) => cell(mine.flatMap((r) => (r.alarm[b] === null ? [] : [r.alarm[b] ? 1 : 0]))));
    }
  }
  return {
    kind: 'stress',
    budgets: layout.budgets,
    scenarios,
    noises,
    variants,
    r2,
    coverage,
    alarm,
    control: layout.control,
    units: { done: records.length, expected: layout.expected },
  };
}

const pct = (b: number) => `${+(b * 100).toFixed(2)}%`;
const num = (c: Cell | undefined, digits = 2) => (c && c.n ? c.mean.toFixed(digits) : '–');

export interface StressTable {
  title: string;
  head: string[];
  rows: string[][];
}

/** The suite's tables: R² per scenario, then coverage, then alarm rates; cells as printed. */
export function stressTables(s: StressSummary): StressTable[] {
  const levelHead = s.noises.flatMap((z) => s.budgets.map((b) => `${z} ${pct(b)}`));
  const tables: StressTable[] = s.scenarios.map((sc) => ({
    title: `Target-region R² on ${sc} (mean over repeats; columns: noise level and budget)`,
    head: ['method', ...levelHead],
    rows: s.variants
      .filter((v) => s.noises.some((z) => s.r2[sc][z][v]))
      .map((v) => [v, ...s.noises.flatMap((z) => s.budgets.map((_, b) => num(s.r2[sc][z][v]?.[b])))]),
  }));
  tables.push({
    title: 'Coverage of the 90% target intervals of `fit` (all methods pooled; nominal 0.90)',
    head: ['scenario', ...levelHead],
    rows: s.scenarios.map((sc) => [
      sc,
      ...s.noises.flatMap((z) =>
        s.budgets.map((_, b) => {
          const cells = Object.values(s.coverage[sc][z]).map((c) => c[b]);
          const n = cells.reduce((t, c) => t + c.n, 0);
          return n ? (cells.reduce((t, c) => t + c.mean * c.n, 0) / n).toFixed(2) : '–';
        }),
      ),
    ]),
  });
  tables.push({
    title: `Misspecification alarm: share of fits on which it fired (all methods pooled; on ${s.control} these are false alarms)`,
    head: ['scenario', ...levelHead],
    rows: s.scenarios.map((sc) => [sc, ...s.noises.flatMap((z) => s.budgets.map((_, b) => num(s.alarm[sc][z][b])))]),
  });
  return tables;
}

export function stressMarkdown(s: StressSummary): string {
  return stressTables(s)
    .map((t) =>
      [`### ${t.title}`, '', `| ${t.head.join(' | ')} |`, `| ${t.head.map(() => '---').join(' | ')} |`, ...t.rows.map((r) => `| ${r.join(' | ')} |`)].join(
        '\n',
      ),
    )
    .join('\n\n')
    .concat('\n');
}
