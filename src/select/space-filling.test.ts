/** The space-filling score on small pools whose answers are known. */
import { describe, expect, it } from 'vitest';
import { nearestSelected, spaceFillingPick, spaceFillingScores, unitCube } from './space-filling.js';

const cols = (...c: number[][]) => c.map((v) => Float64Array.from(v));

describe('unitCube', () => {
  it('spaces a positive feature spanning decades by log10, others linearly, a constant at 0', () => {
    const [decades, linear, narrow, constant] = unitCube(cols([1, 10, 100], [0, 5, 10], [2, 3, 4], [7, 7, 7]), 3);
    expect(Array.from(decades)).toEqual([0, 0.5, 1]);
    expect(Array.from(linear)).toEqual([0, 0.5, 1]);
    expect(Array.from(narrow)).toEqual([0, 0.5, 1]); // positive but within a factor 10: linear
    expect(Array.from(constant)).toEqual([0, 0, 0]);
  });

  it('keeps a feature with a non-positive value linear even when it spans decades', () => {
    const [u] = unitCube(cols([0, 1, 1000]), 3);
    expect(u[1]).toBeCloseTo(0.001, 15);
  });
});

describe('the space-filling score', () => {
  // four points on the unit square's corners and one at its centre
  const unit = cols([0, 1, 0, 1, 0.5], [0, 0, 1, 1, 0.5]);

  it('measures the distance to the nearest selected point', () => {
    const d = nearestSelected(unit, [0, 1], [2, 3, 4]);
    expect(d[0]).toBe(1);
    expect(d[1]).toBe(1);
    expect(d[2]).toBeCloseTo(Math.SQRT1_2, 15);
  });

  it('with equal costs, picks the candidate farthest from everything run (the first on ties)', () => {
    const cost = [1, 1, 1, 1, 1];
    expect(spaceFillingPick(unit, [0], [1, 2, 3, 4], cost, 5)).toBe(3);
    expect(spaceFillingPick(unit, [0, 3], [1, 2, 4], cost, 5)).toBe(1);
    expect(spaceFillingPick(unit, [0], [], cost, 5)).toBe(-1);
  });

  it('divides by (cost share)^0.4: far but 32× dearer loses to half as far', () => {
    // from point 0: candidate 3 is √2 away, candidate 4 is √2/2; 32^0.4 = 4
    const s = spaceFillingScores(unit, [0], [3, 4], [1, 1, 1, 32, 1], 100);
    expect(s[0]).toBeCloseTo(Math.SQRT2 / 0.32 ** 0.4, 12);
    expect(s[0] / s[1]).toBeCloseTo(2 / 4, 12);
    expect(spaceFillingPick(unit, [0], [3, 4], [1, 1, 1, 32, 1], 100)).toBe(4);
    expect(spaceFillingPick(unit, [0], [3, 4], [1, 1, 1, 4, 1], 100)).toBe(3); // twice as far, 4^0.4 ≈ 1.74 dearer
  });
});
