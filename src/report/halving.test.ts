/** The halving section's table: what its "vs SH" column compares. */
import { describe, expect, it } from 'vitest';
import type { HalvingSummary } from '../halving/bench.js';
import { halvingTable, type HalvingRun } from './halving.js';

const run = (strategy: string, seeds: number, finalLoss: number): HalvingRun => ({
  dir: `/x/${strategy}`,
  records: [],
  summary: {
    curves: 'c',
    strategy,
    m0: 8,
    budget: 1e3,
    eta: 3,
    seeds,
    mean: { finalLoss, regret: 0, computeSaved: 0.5, abc: null },
    seedsWithNotes: 0,
  } as HalvingSummary,
});

describe('halvingTable', () => {
  it('compares a strategy with SH only over as many seeds, and says so otherwise', () => {
    const rows = halvingTable([run('sh', 20, 2), run('ua', 20, 2.2), run('sh-lmc', 10, 1.9)]).rows;
    const vs = Object.fromEntries(rows.map((r) => [r[1], r[4]]));
    expect(vs.sh).toBe('–');
    expect(vs.ua).toBe('-10.00%');
    expect(vs['sh-lmc']).toBe('– (SH has 20 seeds)');
  });
});
