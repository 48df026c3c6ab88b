/** The Table-2 view: what its rows say about the runs behind them. */
import { describe, expect, it } from 'vitest';
import { summarise, type RunConfig } from '../benchmark/results.js';
import type { UnitRecord } from '../benchmark/unit.js';
import { buildTable, renderMarkdown } from './table.js';

const config: RunConfig = {
  task: 'toy_scaling_law',
  taskFile: null,
  method: 'random',
  laws: ['sl_1', 'sl_2'],
  repeats: 2,
  seed: 0,
  restarts: 4,
  fitter: 'lbfgsb',
  gradient: 'reference',
  budgets: [0.1, 0.5],
  shard: null,
  version: '0',
};
const unit = (law: string, repeat: number): UnitRecord =>
  ({ law, repeat, seed: repeat, r2: [0.5, 0.9], groups: {}, wallSeconds: 0, version: '0' }) as unknown as UnitRecord;
const row = (records: UnitRecord[]) =>
  renderMarkdown(
    buildTable([{ task: config.task, method: 'random', budgets: config.budgets, dirs: [], records, summary: summarise(config, records, 4) }], false),
    false,
  )
    .trim()
    .split('\n')[2];

describe('renderMarkdown', () => {
  it('marks a run with units still to come as partial, with how many of how many', () => {
    expect(row([unit('sl_1', 0)])).toMatch(/\| 1 of 4 \(partial\) \|$/);
    expect(row([unit('sl_1', 0), unit('sl_1', 1), unit('sl_2', 0), unit('sl_2', 1)])).toMatch(/\| 4 \|$/);
  });
});
