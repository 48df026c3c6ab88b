/** The round schedule against hand-worked examples. */
import { describe, expect, it } from 'vitest';
import type { Curve } from './curves.js';
import { BudgetError, roundCount, runSchedule, type Strategy } from './schedule.js';
import { successiveHalving } from './strategies/sh.js';
import { uniformAllocation } from './strategies/ua.js';

/** Flat curves logged at every unit of compute; model i has loss 10 − i (the last is best). */
function flat(m: number, length = 1000): Curve[] {
  return Array.from({ length: m }, (_, i) => ({
    model: `m${i}`,
    params: i + 1,
    compute: Float64Array.from({ length }, (_, k) => k + 1),
    loss: new Float64Array(length).fill(10 - i),
  }));
}

describe('roundCount', () => {
  it('is ⌈log_η M0⌉, exact at powers of η', () => {
    expect(roundCount(9, 3)).toBe(2);
    expect(roundCount(10, 3)).toBe(3);
    expect(roundCount(27, 3)).toBe(3);
    expect(roundCount(5, 2)).toBe(3);
    expect(roundCount(20, 3)).toBe(3);
  });
});

describe('runSchedule', () => {
  it('M0 = 9, η = 3, B = 900: 9 × 50, keep 3; 3 × 150, keep 1', () => {
    const r = runSchedule(flat(9), successiveHalving, 900, 3, [0]);
    expect(r.rounds.map((x) => [x.survivors.length, x.increment])).toEqual([
      [9, 50],
      [3, 150],
    ]);
    expect(r.rounds[1].survivors).toEqual([8, 7, 6]);
    expect(r.survivors).toEqual([8]);
    expect(r.used).toBe(900);
    expect(Array.from(r.spent)).toEqual([50, 50, 50, 50, 50, 50, 200, 200, 200]);
    expect(Array.from(r.stoppedAt)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 2]);
  });

  it('M0 = 10, η = 3, B = 1000: 10 × 33, 4 × 83, 2 × 166', () => {
    const r = runSchedule(flat(10), successiveHalving, 1000, 3, [0]);
    expect(r.rounds.map((x) => [x.survivors.length, x.increment])).toEqual([
      [10, 33],
      [4, 83],
      [2, 166],
    ]);
    expect(r.used).toBe(330 + 332 + 332);
    expect(r.survivors).toEqual([9]);
    expect(r.spent[9]).toBe(33 + 83 + 166);
  });

  it('hands the strategy the compute a survivor will have at the end', () => {
    const seen: number[] = [];
    const spy: Strategy = { name: 'spy', prunes: true, keep: (ctx) => (seen.push(ctx.finalCompute), successiveHalving.keep(ctx)) };
    runSchedule(flat(10), spy, 1000, 3, [0]);
    expect(seen).toEqual([282, 282, 282]);
  });

  it('uniform allocation gives every model ⌊B / M0⌋ and prunes nothing', () => {
    const r = runSchedule(flat(7), uniformAllocation, 1000, 3, [0]);
    expect(Array.from(r.spent)).toEqual(new Array(7).fill(142));
    expect(r.survivors[0]).toBe(6);
    expect(r.survivors).toHaveLength(7);
  });

  it('a budget that gives no model its first logged point is refused', () => {
    expect(() => runSchedule(flat(10), successiveHalving, 20, 3, [0])).toThrow(BudgetError);
    expect(() => runSchedule(flat(10), uniformAllocation, 5, 3, [0])).toThrow(/less than the first logged compute/);
    // compute figures in four digits, not as 333333333333333300000
    const big = flat(3).map((c) => ({ ...c, compute: c.compute.map((k) => k * 1e21) }));
    expect(() => runSchedule(big, uniformAllocation, 1e21, 3, [0])).toThrow(
      /^budget 1e\+21 gives each of 3 models 3\.333e\+20, less than the first logged compute 1e\+21$/,
    );
  });
});
