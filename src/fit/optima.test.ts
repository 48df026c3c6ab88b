import { describe, expect, it } from 'vitest';
import type { StartFit } from './multistart.js';
import { distinctOptima, sameOptimum } from './optima.js';

const fit = (loss: number, ...theta: number[]): StartFit => ({ theta: Float64Array.from(theta), loss, status: 'converged-ftol' });
const box: [number, number][] = [
  [0, 10],
  [-Infinity, Infinity],
];

describe('distinctOptima', () => {
  it('keeps one fit per optimum, the lowest-loss one, in start order', () => {
    const fits = [fit(2, 5, 1), fit(1, 1, 1), fit(1 + 1e-9, 1 + 1e-6, 1), fit(2 * (1 + 1e-8), 5, 1 + 1e-5), fit(NaN, 0, 0)];
    const out = distinctOptima(fits, box);
    expect(out.map((f) => f.loss)).toEqual([2, 1, NaN]);
  });

  it('tells apart optima with equal loss but different parameters', () => {
    expect(sameOptimum(fit(1, 1, 1), fit(1, 1, -1), box)).toBe(false);
    expect(distinctOptima([fit(1, 1, 1), fit(1, 1, -1)], box)).toHaveLength(2);
  });

  it('tells apart nearby points with different losses', () => {
    expect(sameOptimum(fit(1, 1, 1), fit(1.001, 1 + 1e-4, 1), box)).toBe(false);
  });

  it('takes two exact fits at one point as one, whatever their rounding-level losses', () => {
    expect(sameOptimum(fit(1e-31, 1, 1), fit(3e-30, 1, 1 + 1e-9), box)).toBe(true);
    expect(sameOptimum(fit(1e-31, 1, 1), fit(3e-30, 1, 1 + 1e-4), box)).toBe(false);
  });

  it('uses the box width for parameters near zero', () => {
    expect(sameOptimum(fit(1, 1e-9, 0), fit(1, 2e-6, 0), box)).toBe(true);
    expect(sameOptimum(fit(1, 1e-9, 0), fit(1, 2e-4, 0), box)).toBe(false);
  });
});
