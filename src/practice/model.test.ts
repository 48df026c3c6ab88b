/** Which noise variance and quantile the practitioner's forecast uses, and when. */
import { describe, expect, it } from 'vitest';
import { compileLaw } from '../laws/law.js';
import { studentT90, Z90 } from '../select/predictive.js';
import { forecastNoise } from './model.js';

const line = compileLaw({ formula: 'a + b * x', params: { a: [-10, 10], b: [-10, 10] }, features: ['x'] });
const obs = (n: number, y: (i: number) => number) => ({ X: [Float64Array.from({ length: n }, (_, i) => i)], y: Float64Array.from({ length: n }, (_, i) => y(i)), n });
const fits = (mse: number) => ({ thetas: [Float64Array.of(0, 1)], mse: [mse], best: 0 });

describe('forecastNoise', () => {
  it('keeps the acquisition σ² and z while there are fewer than two values per parameter', () => {
    expect(forecastNoise(line, obs(3, (i) => i), fits(0.01), 0.5)).toEqual({ sigma2: 0.5, quantile: Z90, rule: 'prior', dof: 1 });
  });

  it('uses SSE/(n − P) and t on n − P degrees of freedom from 2P values on', () => {
    const f = forecastNoise(line, obs(6, (i) => i), fits(0.02), 0.5);
    expect(f.rule).toBe('residual');
    expect(f.dof).toBe(4);
    expect(f.sigma2).toBeCloseTo((0.02 * 6) / 4, 15);
    expect(f.quantile).toBe(studentT90(4));
  });

  it('never returns σ² = 0 for a perfect fit', () => {
    const f = forecastNoise(line, obs(8, () => 2), fits(0), 0.5);
    expect(f.sigma2).toBeGreaterThan(0);
    expect(f.sigma2).toBeLessThan(1e-10);
  });
});
