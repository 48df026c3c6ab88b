/** Which noise variance and quantile the practitioner's forecast uses, and when. */
import { describe, expect, it } from 'vitest';
import { compileLaw } from '../laws/law.js';
import { studentT90, Z90 } from '../select/predictive.js';
import { LeastSquares } from '../fit/multistart.js';
import type { Mode } from '../select/modes.js';
import { forecastNoise, parameterIntervals, relativeHalfWidth } from './model.js';

const line = compileLaw({ formula: 'a + b * x', params: { a: [-10, 10], b: [-10, 10] }, features: ['x'] });
const obs = (n: number, y: (i: number) => number) => ({
  X: [Float64Array.from({ length: n }, (_, i) => i)],
  y: Float64Array.from({ length: n }, (_, i) => y(i)),
  n,
});
const fits = (mse: number) => ({ thetas: [Float64Array.of(0, 1)], mse: [mse], best: 0 });

describe('forecastNoise', () => {
  it('keeps the acquisition σ² and z while there are fewer than two values per parameter', () => {
    expect(
      forecastNoise(
        line,
        obs(3, (i) => i),
        fits(0.01),
        0.5,
      ),
    ).toEqual({ sigma2: 0.5, quantile: Z90, rule: 'prior', dof: 1 });
  });

  it('uses SSE/(n − P) and t on n − P degrees of freedom from 2P values on', () => {
    const f = forecastNoise(
      line,
      obs(6, (i) => i),
      fits(0.02),
      0.5,
    );
    expect(f.rule).toBe('residual');
    expect(f.dof).toBe(4);
    expect(f.sigma2).toBeCloseTo((0.02 * 6) / 4, 15);
    expect(f.quantile).toBe(studentT90(4));
  });

  it('never returns σ² = 0 for a perfect fit', () => {
    const f = forecastNoise(
      line,
      obs(8, () => 2),
      fits(0),
      0.5,
    );
    expect(f.sigma2).toBeGreaterThan(0);
    expect(f.sigma2).toBeLessThan(1e-10);
  });

  it('counts each output of a multi-output law once: σ² = Σr² / (rows·outputs − P)', () => {
    const two = compileLaw({
      formula: { u: 'a + b * x', v: 'a - b * x' },
      params: { a: [-10, 10], b: [-10, 10] },
      features: ['x'],
    });
    const o = obs(6, () => 0);
    // row-major targets: rows × outputs
    o.y = Float64Array.from({ length: 12 }, (_, k) => (k % 2 === 0 ? 1 + 0.5 * (k >> 1) : 1 - 0.5 * (k >> 1)) + 0.1 * Math.sin(k * 2.3));
    const problem = new LeastSquares(two, o.X, o.y, { fitter: 'lbfgsb', objective: 'mse' });
    const r = problem.fit([Float64Array.of(0.5, 0.2)]);
    const theta = r.fits[r.best].theta;
    const pred = new Float64Array(12);
    two.bind(o.X).value(theta, pred);
    let sse = 0;
    for (let k = 0; k < 12; k++) sse += (pred[k] - o.y[k]) ** 2;
    const f = forecastNoise(two, o, { thetas: [theta], mse: [r.fits[r.best].loss], best: 0 }, 0.5);
    expect(f.dof).toBe(10);
    expect(f.sigma2).toBeCloseTo(sse / 10, 12);
  });
});

describe('relativeHalfWidth', () => {
  const row = (mean: number, half: number) => ({ mean, lo90: mean - half, hi90: mean + half });

  it('is the summed half-width over the summed |mean|, finite when one forecast is 0', () => {
    expect(relativeHalfWidth([row(2, 0.2), row(4, 0.2)])).toBeCloseTo(0.4 / 6, 15);
    expect(relativeHalfWidth([row(0, 0.1), row(-1, 0.1)])).toBeCloseTo(0.2, 15);
  });

  it('is NaN with no rows and Infinity only when every forecast is 0', () => {
    expect(relativeHalfWidth([])).toBeNaN();
    expect(relativeHalfWidth([row(0, 0.1)])).toBe(Infinity);
  });
});

describe('parameterIntervals', () => {
  const law = compileLaw({ formula: 'E + A * x^(-alpha)', params: { E: [0.5, 4], A: [-10, 10], alpha: [0.1, 2] }, features: ['x'] });
  // the posterior part parameterIntervals reads: θ and Σ in the scaled coordinates (log E, A, log alpha)
  const mode = (theta: number[], variances: number[]) =>
    ({
      posterior: { theta: Float64Array.from(theta), cov: Float64Array.from({ length: 9 }, (_, k) => (k % 4 === 0 ? variances[k / 4] : 0)) },
    }) as unknown as Mode;

  it('stops each end at the declared bound and says which ends it cut', () => {
    const [E, A, alpha] = parameterIntervals(law, mode([3.5, 1, 0.5], [0.25, 100, 1e-4]));
    expect(E.hi90).toBe(4);
    expect(E.lo90).toBeCloseTo(3.5 * Math.exp(-Z90 * 0.5), 12);
    expect(E.cut).toBe('hi');
    expect([A.lo90, A.hi90, A.cut]).toEqual([-10, 10, 'both']);
    expect(alpha.cut).toBeNull();
    expect(alpha.hi90).toBeCloseTo(0.5 * Math.exp(Z90 * 0.01), 12);
  });
});
