import { describe, expect, it } from 'vitest';
import type { LawSummary, Summary } from '../bench/results.js';
import type { UnitRecord } from '../bench/unit.js';
import type { MergedRun } from './collect.js';
import { buildTable, PAPER_REPEATS, renderCsv, renderMarkdown, taskMeanSe } from './table.js';

function summary(laws: Record<string, number[]>): Summary {
  const entries = Object.entries(laws).map(([id, v]): [string, LawSummary] => {
    const m = v.reduce((a, x) => a + x, 0) / v.length;
    return [id, { r2: [v], mean: [m], std: [0] }];
  });
  const means = entries.map(([, l]) => l.mean[0]);
  return {
    task: 'farseer_scaling_law',
    method: 'cheapest',
    budgets: [0.01],
    repeats: 10,
    laws: Object.fromEntries(entries),
    overall: { mean: [means.reduce((a, x) => a + x, 0) / means.length], std: [0] },
    units: { done: 0, expected: 0 },
  };
}

function run(task: string, laws: Record<string, number[]>): MergedRun {
  const s = { ...summary(laws), task };
  const records = Object.entries(laws).flatMap(([law, v]) => v.map((r2, repeat) => ({ law, repeat, r2: [r2] }) as unknown as UnitRecord));
  return { task, method: 'cheapest', budgets: [0.01], dirs: [], records, summary: s };
}

describe('the standard error of a task mean', () => {
  it('is the sample std over repeats / √n for one law', () => {
    // values 0, 1, 2, 3: sample variance 5/3, so se = √(5/3 / 4)
    expect(taskMeanSe(summary({ sl_1: [0, 1, 2, 3] }), 0)).toBeCloseTo(Math.sqrt(5 / 12), 12);
  });

  it('averages the laws’ variances of their means, each over its own repeats', () => {
    // sl_1: variance of its mean 5/12; sl_2 (two repeats 1, 3): sample variance 2, of the mean 1
    const se = taskMeanSe(summary({ sl_1: [0, 1, 2, 3], sl_2: [1, 3] }), 0)!;
    expect(se).toBeCloseTo(Math.sqrt(5 / 12 + 1) / 2, 12);
  });

  it('is unknown while a law has a single repeat', () => {
    expect(taskMeanSe(summary({ sl_1: [0, 1], sl_2: [0.5] }), 0)).toBeNull();
  });
});

describe('the table beside the paper', () => {
  // farseer cheapest at 1%: the paper has -0.89 ± 0.17 over its 10 repeats of its one law
  const rows = buildTable([run('farseer_scaling_law', { sl_1: [-1, -0.5, -1, -0.5] })], true);
  const cell = rows[0].cells[0];

  it('weighs the difference by both standard errors, the paper’s from its std over 10 repeats for one law', () => {
    const se = Math.sqrt((1 / 12) / 4); // values −1, −0.5, −1, −0.5: sample variance 1/12
    expect(cell.se).toBeCloseTo(se, 12);
    expect(cell.diff).toBeCloseTo(-0.75 + 0.89, 12);
    expect(cell.z).toBeCloseTo((-0.75 + 0.89) / Math.hypot(se, 0.17 / Math.sqrt(PAPER_REPEATS), 0.01 / Math.sqrt(12)), 12);
  });

  it('prints z in markdown and se, z in csv', () => {
    expect(renderMarkdown(rows, true)).toContain(`(paper -0.89, +0.14, z +${cell.z!.toFixed(1)})`);
    const [head, line] = renderCsv(rows).trim().split('\n');
    expect(head.split(',').slice(-2)).toEqual(['se', 'z']);
    expect(line.split(',').slice(-2).map(Number)).toEqual([cell.se, cell.z]);
  });

  it('counts the paper’s two-decimal rounding, so a run without spread is not infinitely sure', () => {
    const exact = buildTable([run('farseer_scaling_law', { sl_1: [-0.88, -0.88] })], true)[0].cells[0];
    expect(exact.se).toBe(0);
    expect(exact.z).toBeCloseTo(0.01 / Math.hypot(0.17 / Math.sqrt(PAPER_REPEATS), 0.01 / Math.sqrt(12)), 12);
  });

  it('leaves z out when there is no se to weigh by', () => {
    const single = buildTable([run('farseer_scaling_law', { sl_1: [-0.75] })], true)[0].cells[0];
    expect(single.se).toBeNull();
    expect(single.z).toBeNull();
    expect(renderMarkdown(buildTable([run('farseer_scaling_law', { sl_1: [-0.75] })], true), true)).toContain('(paper -0.89, +0.14)');
  });
});
