import { describe, expect, it } from 'vitest';
import { compileLaw } from '../laws/law.js';
import { LeastSquares } from './multistart.js';

// y = exp(clip(a·x, −50, 50)): a start with a·x far past the clip sits on a plateau
const law = compileLaw({ formula: 'exp(clip(a * x, -50, 50)) + c', params: { a: [-100, 100], c: [-1, 1] }, features: ['x'] });
const X = [Float64Array.from([1, 2, 3, 4])];
const y = Float64Array.from([1, 2, 3, 4].map((x) => Math.exp(0.3 * x) + 0.1));

describe('the fitting gradient', () => {
  it('passes through an active clip as the reference does, and the exact one does not', () => {
    const b = law.bind(X);
    const g = new Float64Array(2);
    const theta = [60, 0];
    b.sseGrad(theta, y, g);
    expect(g[0]).toBe(0);
    b.sseGradFit(theta, y, g);
    expect(g[0]).toBeGreaterThan(0);
  });

  it('lets a fit started on the plateau move off it; the exact gradient stays stuck', () => {
    const start = [[60, 0]];
    const reference = new LeastSquares(law, X, y, { gradient: 'reference' }).fit(start);
    const exact = new LeastSquares(law, X, y, { gradient: 'exact' }).fit(start);
    expect(exact.fits[0].theta[0]).toBe(60);
    expect(reference.fits[0].theta[0]).toBeLessThan(50 / 4);
    expect(reference.fits[0].loss).toBeLessThan(1e-6 * exact.fits[0].loss);
  });

  it('drops a start whose objective is not finite', () => {
    const nan = compileLaw({ formula: 'log(a * x)', params: { a: [-1, 1] }, features: ['x'] });
    const r = new LeastSquares(nan, X, y).fit([[-0.5], [0.5]]);
    expect(Number.isNaN(r.fits[0].loss)).toBe(true);
    expect(r.best).toBe(1);
  });
});
